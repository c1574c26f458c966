//! The `dlgen` binary: everything lives in the library; this only hands over the
//! arguments and turns the outcome into a process exit code: 0 clean, 1 findings (drift,
//! lint violations), 2 errors (bad input, I/O).

use std::process::ExitCode;

/// mimalloc: `check` and `render` are allocation-heavy (a value tree per stack for the
/// templates, token lists for the formatter); glibc's allocator spent about a sixth of
/// `check`'s instructions. Built without transparent huge pages so that peak memory stays
/// what the program touches.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match dlgen::run(std::env::args_os()) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            err.report();
            err.exit_code()
        }
    }
}
