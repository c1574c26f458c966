//! Independent work spread over the available cores, with results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Applies `f` to every item and returns the results in the order of `items`, whatever
/// the scheduling, so output built from them is deterministic.
///
/// The items are spread over up to [`thread::available_parallelism`] threads, the calling
/// thread being one of them, and handed out one at a time so that uneven items balance.
/// A single item runs on the calling thread alone. A panic in `f` is raised again on the
/// calling thread once every worker has stopped, as if the items had run in a loop.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    let next = AtomicUsize::new(0);
    // Each result is put back at the index its item was taken from.
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            done.push((i, f(item)));
        }
        done
    };
    let mut slots: Vec<Option<R>> = Vec::with_capacity(items.len());
    slots.resize_with(items.len(), || None);
    thread::scope(|s| {
        let handles: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
        let mine = work();
        let mut panic = None;
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for (i, r) in done {
                        slots[i] = Some(r);
                    }
                }
                Err(payload) => panic = Some(payload),
            }
        }
        if let Some(payload) = panic {
            std::panic::resume_unwind(payload);
        }
        for (i, r) in mine {
            slots[i] = Some(r);
        }
    });
    // Every index below `items.len()` was taken by exactly one worker, and every worker
    // finished, so every slot is filled.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    #[test]
    fn results_come_in_input_order() {
        let items: Vec<u64> = (0..200).collect();
        // Uneven work, so workers finish out of order.
        let out = map(&items, |&n| {
            if n % 7 == 0 {
                thread::sleep(Duration::from_micros(300));
            }
            n * n
        });
        assert_eq!(out, items.iter().map(|n| n * n).collect::<Vec<_>>());
    }

    #[test]
    fn empty_and_single_inputs() {
        assert_eq!(map(&[] as &[u8], |&b| b), Vec::<u8>::new());
        let caller = thread::current().id();
        assert_eq!(map(&[3], |&n| (n, thread::current().id())), [(3, caller)]);
    }

    #[test]
    fn items_run_concurrently_on_every_core() {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let expected = cores.min(2);
        // Each item waits (up to a generous timeout) until `expected` items are in flight
        // at once; that only happens when that many threads take items concurrently.
        let state = (Mutex::new((0usize, 0usize)), Condvar::new());
        let items = [(); 4];
        map(&items, |_| {
            let (lock, cvar) = &state;
            let mut guard = lock.lock().unwrap();
            guard.0 += 1;
            guard.1 = guard.1.max(guard.0);
            cvar.notify_all();
            let (mut guard, _) = cvar
                .wait_timeout_while(guard, Duration::from_secs(10), |g| g.1 < expected)
                .unwrap();
            guard.0 -= 1;
        });
        assert_eq!(state.0.lock().unwrap().1, expected);
    }

    #[test]
    fn a_panic_in_a_worker_reaches_the_caller() {
        let items: Vec<u32> = (0..64).collect();
        let result = std::panic::catch_unwind(|| {
            map(&items, |&n| {
                assert!(n != 40, "item 40 fails");
                n
            })
        });
        assert!(
            result.is_err(),
            "a failed item must not vanish from the output"
        );
    }
}
