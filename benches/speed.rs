//! `cargo bench --bench speed`: times dlgen as whole processes on synthetic inputs and
//! prints the figures the speed targets are stated in.
//!
//! - `render` of `specs/drone-logbook.yaml`, with the stack up to date and into an empty
//!   stacks directory; and of one spec of the 300 below, up to date, among the other 299
//!   stacks and alone in its stacks root (a render costs its own stack);
//! - `check` of 300 specs (round-robin copies of every `specs/*.yaml`, each under its own
//!   name) against their rendered stacks;
//! - `terraform fmt -check -recursive` over the same 300 stacks, when `terraform` is on
//!   `PATH`: the reference CI already pays for;
//! - `lint --all` over a repo-shaped tree (~150 stacks, ~360 `.tf` files, ~3.2 MB: rendered
//!   stacks plus hand-written-style ones from `synth`), with every rule and with
//!   `--rule auth-comment` alone;
//! - `fmt`: `dlgen fmt --check` against `terraform fmt -check -recursive` over that tree,
//!   formatted (as a CI formatting check sees it);
//! - `check` of 30, 300 and 3000 specs, to show that the cost grows linearly and the
//!   peak memory does not grow.
//!
//! Every figure is the median (with min and max) of many runs of the release binary,
//! spawned and timed here: wall time from spawn to exit, peak resident memory from the
//! kernel's accounting of the reaped child (`wait4`). Arguments select sections
//! (`render`, `check`, `fmt`, `lint`, `scale`; default all), e.g.
//! `cargo bench --bench speed -- lint`. `DLGEN_BENCH_RUNS` sets the number of timed runs
//! of the fast commands (default 30); the slow ones (`terraform fmt`, 3000 specs) run a
//! sixth as often, at least 3 times. `DLGEN_BENCH_BIN` times another dlgen binary
//! instead of this build's (to compare with an older commit on the same inputs).

mod synth;

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

/// The binary under test: this build's, or `DLGEN_BENCH_BIN` (to time another build of
/// dlgen, e.g. an older commit, under the same conditions).
fn dlgen_bin() -> OsString {
    std::env::var_os("DLGEN_BENCH_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_dlgen").into())
}

/// The lint tree: this many stacks rendered from spec copies, the rest from `synth`, with
/// totals about the size of the real repo.
const LINT_RENDERED: usize = 30;
const LINT_TOTAL: synth::Shape = synth::Shape::REPO;

fn main() {
    if let Err(err) = run() {
        eprintln!("benchmark failed: {err:#}");
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    // `cargo bench` passes `--bench`; every other argument names a section.
    let sections: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    const SECTIONS: [&str; 6] = ["render", "check", "fmt", "lint", "import", "scale"];
    if let Some(unknown) = sections.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
        bail!(
            "unknown section `{unknown}`; the sections are {}",
            SECTIONS.join(", ")
        );
    }
    let wanted = |s: &str| sections.is_empty() || sections.iter().any(|a| a == s);
    let runs: usize = match std::env::var("DLGEN_BENCH_RUNS") {
        Ok(v) => v
            .parse()
            .with_context(|| format!("DLGEN_BENCH_RUNS={v:?} is not a number"))?,
        Err(_) => 30,
    };
    ensure!(runs > 0, "DLGEN_BENCH_RUNS must be at least 1");
    let slow_runs = (runs / 6).max(3);

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let specs = bundled_specs(&repo.join("specs"))?;
    let tmp = tempfile::tempdir().context("creating a temp dir")?;
    let terraform = terraform_version();
    println!(
        "dlgen speed benchmark: {} cores; specs copied: {}; {runs} runs ({slow_runs} for slow ones)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        specs
            .iter()
            .map(|(stem, _)| format!("{stem}.yaml"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    println!("binary: {}", Path::new(&dlgen_bin()).display());
    println!(
        "times are medians of whole-process wall time [min - max]; cpu is the median user + system time; rss is peak resident memory"
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!(
            "load average before the runs: {} (other work on the machine slows wall times, and cpu less so)",
            load.join(" ")
        );
    }
    let mut targets = Targets::default();

    // The 300-stack tree: `check` runs over it, `terraform fmt` is the reference on it,
    // and one of its specs is rendered among the other 299 stacks.
    let tree300 = if ["render", "check", "fmt", "scale"]
        .iter()
        .any(|s| wanted(s))
    {
        let root = tmp.path().join("check-300");
        let setup = check_tree(&root, &specs, 300)?;
        println!("\n(setup: 300 specs rendered in {})", fmt_duration(setup));
        Some(root)
    } else {
        None
    };

    if wanted("render") {
        section("render one spec");
        let root = tmp.path().join("render");
        std::fs::create_dir_all(root.join("specs"))?;
        let spec = root.join("specs/drone-logbook.yaml");
        std::fs::copy(repo.join("specs/drone-logbook.yaml"), &spec)
            .context("copying specs/drone-logbook.yaml")?;
        let up_to_date = measure(
            "render, stack up to date",
            &root,
            &["render", "specs/drone-logbook.yaml"],
            runs,
        )?;
        // Each run writes into an empty stacks directory of its own.
        let mut fresh = 0;
        let written = measure_with(
            "render, empty stacks dir",
            runs,
            || {
                fresh += 1;
                dlgen_command(
                    &root,
                    &[
                        "render",
                        "specs/drone-logbook.yaml",
                        "--stacks-dir",
                        &format!("fresh-{fresh}/stacks"),
                    ],
                )
            },
            |code| code == 0,
        )?;
        targets.max("render (up to date) median", up_to_date.median, ms(10.0));
        targets.max("render (empty stacks dir) median", written.median, ms(10.0));

        if let Some(root) = &tree300 {
            // One spec of the 300, up to date, with the other 299 stacks present; then the
            // same spec in a stacks root that holds only its stack. A render must cost its
            // own stack: the two should take the same time.
            let first = first_spec(root)?;
            let spec = format!("specs/{first}");
            let among = measure(
                "render among 300 stacks, up to date",
                root,
                &["render", &spec],
                runs,
            )?;
            let alone_root = tmp.path().join("render-alone");
            std::fs::create_dir_all(alone_root.join("specs"))?;
            std::fs::copy(root.join(&spec), alone_root.join(&spec))
                .with_context(|| format!("copying {spec}"))?;
            expect_code(&mut dlgen_command(&alone_root, &["render", &spec]), |c| {
                c == 0
            })?;
            let alone = measure(
                "render of the same spec, only its stack",
                &alone_root,
                &["render", &spec],
                runs,
            )?;
            let ratio = among.median.as_secs_f64() / alone.median.as_secs_f64();
            println!("among 300 / alone (medians): {ratio:.2}x");
            targets.max("render among 300 stacks median", among.median, ms(10.0));
            targets.max_ratio("render among 300 / alone (medians)", ratio, 1.25);
        }
    }

    let mut check300 = None;
    if let (true, Some(root)) = (
        wanted("check") || wanted("fmt") || wanted("scale"),
        &tree300,
    ) {
        let root = root.clone();
        if wanted("check") || wanted("scale") {
            section("check 300 specs");
            let stats = measure(
                "check, 300 specs",
                &root,
                &["check", "--specs-dir", "specs", "--stacks-dir", "stacks"],
                runs,
            )?;
            targets.max_rss("check (300 specs) peak rss", stats.max_rss, 30 * 1024);
            check300 = Some(stats);
        }
        if wanted("fmt") || wanted("check") {
            match &terraform {
                Some(version) => {
                    section(&format!("reference: {version}"));
                    let tf = measure_with(
                        "terraform fmt -check -recursive, 300 stacks",
                        slow_runs,
                        || {
                            let mut c = Command::new("terraform");
                            c.current_dir(&root)
                                .args(["fmt", "-check", "-recursive", "stacks"]);
                            c
                        },
                        |code| code == 0,
                    )?;
                    if let Some(check) = &check300 {
                        let ratio = tf.median.as_secs_f64() / check.median.as_secs_f64();
                        println!("terraform fmt / dlgen check (medians): {ratio:.1}x");
                        targets.min_ratio("terraform fmt / check (300 specs)", ratio, 20.0);
                    }
                }
                None => println!("\nterraform is not on PATH: skipped the reference"),
            }
        }
    }

    // The repo-shaped tree, for lint and fmt.
    let repo_tree = if wanted("lint") || wanted("fmt") {
        let root = tmp.path().join("lint");
        let tree = lint_tree(&root, &specs)?;
        Some((root, tree))
    } else {
        None
    };

    if let (true, Some((root, tree))) = (wanted("lint"), &repo_tree) {
        section(&format!(
            "lint --all: {} stacks ({LINT_RENDERED} rendered), {} .tf files, {:.2} MB",
            tree.stacks,
            tree.files,
            tree.bytes as f64 / 1e6
        ));
        println!(
            "{:<46} {:>9}  (in-process, one core, best of 5: what a linter that parsed everything would pay)",
            "hcl-edit parse of every .tf file",
            fmt_duration(parse_everything(&root.join("stacks"))?)
        );
        let lint_ok = |code| code == 0 || code == 1;
        let all = measure_with(
            "lint --all (all rules)",
            runs,
            || dlgen_command(root, &["lint", "--all", "--root", "."]),
            lint_ok,
        )?;
        let auth = measure_with(
            "lint --all --rule auth-comment",
            runs,
            || {
                dlgen_command(
                    root,
                    &["lint", "--all", "--root", ".", "--rule", "auth-comment"],
                )
            },
            lint_ok,
        )?;
        targets.max("lint --all median", all.median, ms(60.0));
        targets.max(
            "lint --all --rule auth-comment median",
            auth.median,
            ms(20.0),
        );
    }

    if let (true, Some((root, tree))) = (wanted("fmt"), &repo_tree) {
        // A formatting check in CI sees a formatted tree: format the hand-written-style
        // files once (untimed); terraform must then agree that every file is formatted.
        expect_code(&mut dlgen_command(root, &["fmt", "stacks"]), |c| c == 0)?;
        let hcl = count_files(&root.join("stacks"), "hcl")?;
        section(&format!(
            "fmt --check: the repo-shaped tree, {} stacks, {} .tf files ({:.2} MB) and {hcl} .hcl files",
            tree.stacks,
            tree.files,
            tree.bytes as f64 / 1e6
        ));
        let ours = measure_with(
            "dlgen fmt --check stacks (.tf and .hcl)",
            runs,
            || dlgen_command(root, &["fmt", "--check", "stacks"]),
            |code| code == 0,
        )?;
        match &terraform {
            Some(version) => {
                let tf = measure_with(
                    "terraform fmt -check -recursive stacks (.tf)",
                    slow_runs,
                    || {
                        let mut c = Command::new("terraform");
                        c.current_dir(root)
                            .args(["fmt", "-check", "-recursive", "stacks"]);
                        c
                    },
                    |code| code == 0,
                )?;
                let ratio = tf.median.as_secs_f64() / ours.median.as_secs_f64();
                println!(
                    "terraform fmt -check / dlgen fmt --check (medians, {version}): {ratio:.1}x"
                );
                targets.min_ratio("terraform fmt -check / dlgen fmt --check", ratio, 10.0);
            }
            None => println!("\nterraform is not on PATH: skipped the reference"),
        }
    }

    if wanted("import") {
        // The hand-written-style corpus (each stack inverted, rendered in memory and
        // proved plan-equal before anything is written) and the synthetic repo's stacks,
        // which carry far more that stays raw.
        let root = tmp.path().join("import");
        let corpus = root.join("corpus");
        let stacks = corpus.join("stacks");
        let mut n = 0;
        for entry in std::fs::read_dir(repo.join("tests/fixtures/handwritten"))? {
            let from = entry?.path();
            if from.join("main.tf").is_file() {
                copy_tree(&from, &stacks.join(from.file_name().context("stack name")?))?;
                n += 1;
            }
        }
        let synth_root = root.join("synth");
        std::fs::create_dir_all(&synth_root)?;
        let synth_tree = synth::generate(&synth_root, &IMPORT_SYNTH)?;
        section(&format!(
            "import: {n} hand-written-style stacks, {} synthetic stacks",
            synth_tree.stacks
        ));
        let one = measure(
            "import one stack (web-shell, to stdout)",
            &corpus,
            &["import", "stacks/web-shell"],
            runs,
        )?;
        let all = measure(
            &format!("import --all --dry-run ({n} corpus stacks)"),
            &corpus,
            &["import", "--all", "--root", ".", "--dry-run"],
            runs,
        )?;
        let synth_all = measure(
            &format!(
                "import --all --dry-run ({} synthetic stacks)",
                synth_tree.stacks
            ),
            &synth_root,
            &["import", "--all", "--root", ".", "--dry-run"],
            slow_runs,
        )?;
        println!(
            "per stack: corpus {:.1} ms, synthetic {:.1} ms",
            all.median.as_secs_f64() * 1e3 / n as f64,
            synth_all.median.as_secs_f64() * 1e3 / synth_tree.stacks.max(1) as f64
        );
        targets.max("import one stack median", one.median, ms(100.0));
        targets.max(
            "import --all corpus median",
            all.median,
            ms(60.0 * n as f64),
        );
    }

    if wanted("scale") {
        section("scaling: check of N specs");
        let mut rows = Vec::new();
        for n in [30, 300, 3000] {
            let stats = match (n, &check300) {
                (300, Some(stats)) => stats.clone(),
                _ => {
                    let root = tmp.path().join(format!("check-{n}"));
                    check_tree(&root, &specs, n)?;
                    measure(
                        &format!("check, {n} specs"),
                        &root,
                        &["check", "--specs-dir", "specs", "--stacks-dir", "stacks"],
                        if n > 300 { slow_runs } else { runs },
                    )?
                }
            };
            rows.push((n, stats));
        }
        println!();
        for (n, stats) in &rows {
            println!(
                "{n:>5} specs: {:>9}  {:>7.1} us/spec   cpu {:>9}  {:>7.1} us/spec   rss {:>6.1} MiB",
                fmt_duration(stats.median),
                stats.median.as_secs_f64() * 1e6 / *n as f64,
                fmt_duration(stats.cpu),
                stats.cpu.as_secs_f64() * 1e6 / *n as f64,
                stats.max_rss as f64 / 1024.0
            );
        }
        if let [(_, s30), (_, s300), (_, s3000)] = rows.as_slice() {
            let step = |a: &Stats, b: &Stats| b.median.as_secs_f64() / a.median.as_secs_f64();
            println!(
                "growth per 10x specs: 30->300 {:.1}x, 300->3000 {:.1}x (linear: at most 10x)",
                step(s30, s300),
                step(s300, s3000)
            );
            targets.max_ratio("check 300->3000 growth", step(s300, s3000), 11.0);
            // Each stack is compared and dropped as soon as it is rendered: memory does
            // not grow with the number of specs.
            targets.max_rss("check (3000 specs) peak rss", s3000.max_rss, 30 * 1024);
            let rss_growth = s3000.max_rss as f64 / s30.max_rss.max(1) as f64;
            println!("peak rss 30->3000 specs: {rss_growth:.2}x (flat: at most 1.5x)");
            targets.max_ratio("check peak rss 30->3000 specs", rss_growth, 1.5);
        }
    }

    targets.print();
    Ok(())
}

/// `(file stem, text)` of every `*.yaml` in `dir`, sorted by name.
/// The synthetic stacks the import section adopts (the shape `tests/import.rs` proves).
const IMPORT_SYNTH: synth::Shape = synth::Shape {
    stacks: 24,
    files: 60,
    bytes: 400_000,
    seed: 3,
};

/// Copies the directory `from` (files and subdirectories) to `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn bundled_specs(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut specs = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension() != Some(OsStr::new("yaml")) {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(OsStr::to_str)
            .with_context(|| format!("{}: not a UTF-8 file name", path.display()))?
            .to_owned();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        specs.push((stem, text));
    }
    specs.sort();
    ensure!(!specs.is_empty(), "no *.yaml spec in {}", dir.display());
    Ok(specs)
}

/// Writes `n` spec copies to `root/specs`, renders them to `root/stacks` and makes sure
/// `check` finds them in sync. Returns how long the render took.
fn check_tree(root: &Path, specs: &[(String, String)], n: usize) -> Result<Duration> {
    let specs_dir = root.join("specs");
    std::fs::create_dir_all(&specs_dir)?;
    let names = synth::spec_copies(specs, n, &specs_dir).context("writing spec copies")?;
    let mut render = dlgen_command(root, &["render", "--stacks-dir", "stacks"]);
    render.args(names.iter().map(|n| Path::new("specs").join(n)));
    let start = Instant::now();
    expect_code(&mut render, |c| c == 0)?;
    let took = start.elapsed();
    expect_code(
        &mut dlgen_command(
            root,
            &["check", "--specs-dir", "specs", "--stacks-dir", "stacks"],
        ),
        |c| c == 0,
    )?;
    Ok(took)
}

/// The first spec file (by name) of `root/specs`.
fn first_spec(root: &Path) -> Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .context("no spec in the 300-spec tree")
}

/// The lint tree: `LINT_RENDERED` rendered stacks plus `synth` stacks that make up the
/// rest of the repo's shape.
fn lint_tree(root: &Path, specs: &[(String, String)]) -> Result<synth::Tree> {
    std::fs::create_dir_all(root.join("specs"))?;
    let names = synth::spec_copies(specs, LINT_RENDERED, &root.join("specs"))?;
    let mut render = dlgen_command(root, &["render", "--stacks-dir", "stacks"]);
    render.args(names.iter().map(|n| Path::new("specs").join(n)));
    expect_code(&mut render, |c| c == 0)?;
    let rendered = tree_size(&root.join("stacks"))?;
    let shape = synth::Shape {
        stacks: LINT_TOTAL.stacks - rendered.stacks,
        files: LINT_TOTAL.files - rendered.files,
        bytes: LINT_TOTAL.bytes.saturating_sub(rendered.bytes),
        seed: LINT_TOTAL.seed,
    };
    synth::generate(root, &shape).context("writing the synthetic stacks")?;
    tree_size(&root.join("stacks"))
}

fn parse_everything(stacks: &Path) -> Result<Duration> {
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(stacks) {
        let entry = entry?;
        if entry.path().extension() == Some(OsStr::new("tf")) {
            texts.push(std::fs::read_to_string(entry.path())?);
        }
    }
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let failures = texts
            .iter()
            .filter(|t| hcl_edit::parser::parse_body(t).is_err())
            .count();
        best = best.min(start.elapsed());
        ensure!(
            failures == 0,
            "{failures} files of the lint tree do not parse"
        );
    }
    Ok(best)
}

/// How many files with extension `ext` are under `dir`.
fn count_files(dir: &Path, ext: &str) -> Result<usize> {
    let mut n = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry?;
        if entry.file_type().is_file() && entry.path().extension() == Some(OsStr::new(ext)) {
            n += 1;
        }
    }
    Ok(n)
}

/// Stack directories, `.tf` files and their bytes under `stacks`.
fn tree_size(stacks: &Path) -> Result<synth::Tree> {
    let mut tree = synth::Tree {
        stacks: 0,
        files: 0,
        bytes: 0,
    };
    for entry in walkdir::WalkDir::new(stacks).min_depth(1) {
        let entry = entry?;
        if entry.depth() == 1 && entry.file_type().is_dir() {
            tree.stacks += 1;
        }
        if entry.file_type().is_file() && entry.path().extension() == Some(OsStr::new("tf")) {
            tree.files += 1;
            tree.bytes += usize::try_from(entry.metadata()?.len())?;
        }
    }
    Ok(tree)
}

fn terraform_version() -> Option<String> {
    let out = Command::new("terraform").arg("version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(str::to_owned)
}

fn dlgen_command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(dlgen_bin());
    c.current_dir(dir).args(args);
    c
}

/// Runs `cmd` once, showing its output if the exit code is not accepted.
fn expect_code(cmd: &mut Command, accept: impl Fn(i32) -> bool) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    let code = out.status.code().unwrap_or(-1);
    if !accept(code) {
        bail!(
            "{:?} {:?} exited with {code}:\n{}{}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
    /// Median CPU time (user + system, all threads): the work done, whatever else the
    /// machine is running.
    cpu: Duration,
    /// Peak resident memory of the hungriest run, KiB.
    max_rss: u64,
}

fn measure(label: &str, dir: &Path, args: &[&str], runs: usize) -> Result<Stats> {
    measure_with(label, runs, || dlgen_command(dir, args), |c| c == 0)
}

/// Runs the command `make` builds: three untimed runs to warm caches (the first one
/// checked for an accepted exit code), then `runs` timed ones; prints and returns the
/// figures.
fn measure_with(
    label: &str,
    runs: usize,
    mut make: impl FnMut() -> Command,
    accept: impl Fn(i32) -> bool,
) -> Result<Stats> {
    expect_code(&mut make(), &accept)?;
    for _ in 0..2 {
        spawn_timed(&mut make())?;
    }
    let mut times = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    let mut max_rss = 0;
    for _ in 0..runs {
        let run = spawn_timed(&mut make())?;
        ensure!(
            accept(run.code),
            "{label}: a timed run exited with {}",
            run.code
        );
        times.push(run.wall);
        cpu.push(run.cpu);
        max_rss = max_rss.max(run.max_rss);
    }
    times.sort();
    cpu.sort();
    let stats = Stats {
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        cpu: cpu[cpu.len() / 2],
        max_rss,
    };
    println!(
        "{label:<46} {:>9}  [{} - {}]  cpu {}  rss {:.1} MiB",
        fmt_duration(stats.median),
        fmt_duration(stats.min),
        fmt_duration(stats.max),
        fmt_duration(stats.cpu),
        stats.max_rss as f64 / 1024.0
    );
    Ok(stats)
}

struct Run {
    wall: Duration,
    cpu: Duration,
    code: i32,
    /// KiB.
    max_rss: u64,
}

/// Spawns `cmd` with its output discarded and reaps it with `wait4`, which reports the
/// child's own peak resident memory (std's `wait` does not expose it).
fn spawn_timed(cmd: &mut Command) -> Result<Run> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let start = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("spawning {:?}", cmd.get_program()))?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child and both pointers are valid for writes. The
    // `Child` is dropped without waiting, so std never reaps the pid a second time.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    drop(child);
    ensure!(
        reaped == pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let time = |t: libc::timeval| -> Result<Duration> {
        Ok(Duration::from_secs(u64::try_from(t.tv_sec)?)
            + Duration::from_micros(u64::try_from(t.tv_usec)?))
    };
    Ok(Run {
        wall,
        cpu: time(usage.ru_utime)? + time(usage.ru_stime)?,
        code,
        max_rss: u64::try_from(usage.ru_maxrss)?,
    })
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v / 1e3)
}

fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.1} ms")
    }
}

fn section(title: &str) {
    println!("\n== {title}");
}

/// The speed targets, checked as the figures come in.
#[derive(Default)]
struct Targets {
    lines: Vec<(bool, String)>,
}

impl Targets {
    fn max(&mut self, what: &str, got: Duration, limit: Duration) {
        self.lines.push((
            got <= limit,
            format!(
                "{what}: {} (target < {})",
                fmt_duration(got),
                fmt_duration(limit)
            ),
        ));
    }

    fn max_rss(&mut self, what: &str, kib: u64, limit_kib: u64) {
        self.lines.push((
            kib <= limit_kib,
            format!(
                "{what}: {:.1} MiB (target < {} MiB)",
                kib as f64 / 1024.0,
                limit_kib / 1024
            ),
        ));
    }

    fn min_ratio(&mut self, what: &str, got: f64, limit: f64) {
        self.lines.push((
            got >= limit,
            format!("{what}: {got:.1}x (target >= {limit}x)"),
        ));
    }

    fn max_ratio(&mut self, what: &str, got: f64, limit: f64) {
        self.lines.push((
            got <= limit,
            format!("{what}: {got:.1}x (target <= {limit}x)"),
        ));
    }

    fn print(&self) {
        if self.lines.is_empty() {
            return;
        }
        let mut out = String::from("\n== targets\n");
        for (ok, line) in &self.lines {
            let _ = writeln!(out, "[{}] {line}", if *ok { " ok " } else { "MISS" });
        }
        print!("{out}");
    }
}
