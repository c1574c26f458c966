//! `cargo bench --bench lint`: times `dlgen lint` as a whole process on a synthetic tree
//! the size of the real infra repo (~150 stacks, ~360 `.tf` files, ~3.2 MB).
//!
//! Prints, for all rules and for `--rule auth-comment` alone, the median / min / max wall
//! time over many runs, plus the time hcl-edit takes to parse every file of the tree on
//! one core (what a linter that parsed everything would pay at least).
//! `DLGEN_BENCH_RUNS` sets the number of timed runs (default 40).

mod synth;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let runs: usize = std::env::var("DLGEN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let tmp = match tempfile::tempdir() {
        Ok(tmp) => tmp,
        Err(err) => {
            eprintln!("cannot create a temp dir: {err}");
            std::process::exit(2);
        }
    };
    let tree = match synth::generate(tmp.path(), &synth::Shape::REPO) {
        Ok(tree) => tree,
        Err(err) => {
            eprintln!("cannot write the synthetic tree: {err}");
            std::process::exit(2);
        }
    };
    println!(
        "synthetic tree: {} stacks, {} .tf files, {:.2} MB; {} cores; {runs} runs each",
        tree.stacks,
        tree.files,
        tree.bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );

    let parse = parse_everything(tmp.path());
    println!("hcl-edit, parse every file, one core (in-process): {parse:?}");

    let all = time_runs(tmp.path(), &[], runs);
    report("dlgen lint --all (all rules)", &all);
    let auth = time_runs(tmp.path(), &["--rule", "auth-comment"], runs);
    report("dlgen lint --all --rule auth-comment", &auth);
}

fn parse_everything(root: &Path) -> Duration {
    let texts: Vec<String> = walkdir::WalkDir::new(root.join("stacks"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let mut failures = 0;
        for text in &texts {
            if hcl_edit::parser::parse_body(text).is_err() {
                failures += 1;
            }
        }
        best = best.min(start.elapsed());
        if failures > 0 {
            eprintln!("note: {failures} files did not parse");
        }
    }
    best
}

fn time_runs(root: &Path, extra: &[&str], runs: usize) -> Vec<Duration> {
    let bin = env!("CARGO_BIN_EXE_dlgen");
    let mut command = Command::new(bin);
    command
        .arg("lint")
        .arg("--all")
        .arg("--root")
        .arg(root)
        .args(extra);
    // Warm the page cache and check the run is a lint, not an error.
    for _ in 0..3 {
        match command.output() {
            Ok(out) if out.status.code() == Some(0) || out.status.code() == Some(1) => {}
            Ok(out) => {
                eprintln!(
                    "dlgen lint failed ({:?}): {}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                );
                std::process::exit(2);
            }
            Err(err) => {
                eprintln!("cannot run {bin}: {err}");
                std::process::exit(2);
            }
        }
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let ok = command.output().is_ok();
        times.push(start.elapsed());
        if !ok {
            std::process::exit(2);
        }
    }
    times.sort();
    times
}

fn report(what: &str, sorted: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = sorted[sorted.len() / 2];
    println!(
        "{what}: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        ms(median),
        ms(sorted[0]),
        ms(sorted[sorted.len() - 1])
    );
}
