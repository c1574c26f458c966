//! `render` and `check` spread specs over the cores: what they print and write must not
//! depend on it. Many specs at once give the same bytes as one at a time, and errors and
//! drift are reported in spec order, the same way on every run.

mod common;

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::fs;
use std::path::Path;

use common::{Project, ROOT};

const COPIES: usize = 12;

/// A project with `COPIES` renamed copies of the bundled specs; returns it and the spec
/// paths, sorted.
fn project_with_copies() -> (Project, Vec<String>) {
    let mut sources = Vec::new();
    for entry in fs::read_dir(Path::new(ROOT).join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            sources.push((stem, fs::read_to_string(&path).unwrap()));
        }
    }
    sources.sort();
    let p = Project::empty();
    fs::create_dir_all(p.path("specs")).unwrap();
    let names = synth::spec_copies(&sources, COPIES, &p.path("specs")).unwrap();
    let specs = names.iter().map(|n| format!("specs/{n}")).collect();
    (p, specs)
}

fn args<'a>(first: &'a str, rest: &'a [String]) -> Vec<&'a str> {
    std::iter::once(first)
        .chain(rest.iter().map(String::as_str))
        .collect()
}

fn stack_of(spec: &str) -> &str {
    spec.trim_start_matches("specs/").trim_end_matches(".yaml")
}

#[test]
fn many_specs_render_the_same_bytes_as_one_at_a_time() {
    let (together, specs) = project_with_copies();
    together.dlgen(&args("render", &specs)).success();

    let (alone, specs_again) = project_with_copies();
    assert_eq!(specs, specs_again);
    for spec in &specs {
        alone.dlgen(&["render", spec]).success();
    }
    for spec in &specs {
        for file in ["main.tf", "terragrunt.hcl"] {
            let rel = format!("stacks/{}/{file}", stack_of(spec));
            assert!(
                together.read(&rel) == alone.read(&rel),
                "{rel} differs when rendered with the other specs"
            );
        }
    }
}

#[test]
fn errors_of_many_specs_come_in_spec_order_and_nothing_is_written() {
    let (p, specs) = project_with_copies();
    let broken = [2, 6, 9];
    for &i in &broken {
        let text = p.read(&specs[i]);
        p.write(&specs[i], &format!("{text}\nunknown_field_{i}: 1\n"));
    }
    let first = p.dlgen(&args("render", &specs));
    assert_eq!(first.code, 2, "{first}");
    let positions: Vec<usize> = broken
        .iter()
        .map(|&i| {
            first
                .stderr
                .find(&format!("unknown field `unknown_field_{i}`"))
                .unwrap_or_else(|| panic!("the error of {} is missing: {first}", specs[i]))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "errors out of spec order: {first}"
    );
    assert!(!p.path("stacks").exists(), "a failed run wrote stacks");
    for _ in 0..3 {
        let again = p.dlgen(&args("render", &specs));
        assert_eq!(again.stderr, first.stderr);
    }
}

#[test]
fn check_reports_drift_in_spec_order_the_same_way_every_run() {
    let (p, specs) = project_with_copies();
    p.dlgen(&args("render", &specs)).success();
    p.dlgen(&["check"]).success();

    let edited = [1, 5, 10];
    for &i in &edited {
        let rel = format!("stacks/{}/main.tf", stack_of(&specs[i]));
        let text = p.read(&rel);
        p.write(&rel, &text.replacen("\n}\n", "\n}\n# hand edit\n", 1));
    }
    let removed = format!("stacks/{}/terragrunt.hcl", stack_of(&specs[7]));
    fs::remove_file(p.path(&removed)).unwrap();

    let first = p.dlgen(&["check"]);
    assert_eq!(first.code, 1, "{first}");
    let mut expected = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let stack = stack_of(spec);
        if edited.contains(&i) {
            expected.push(format!("--- stacks/{stack}/main.tf (committed)"));
        }
        if i == 7 {
            expected.push(format!("missing: {removed}"));
        }
    }
    let reported: Vec<&str> = first
        .stdout
        .lines()
        .filter(|l| l.starts_with("--- ") || l.starts_with("missing: "))
        .collect();
    assert_eq!(
        reported.len(),
        expected.len(),
        "unexpected findings: {first}"
    );
    for (got, want) in reported.iter().zip(&expected) {
        assert!(
            got.starts_with(want.as_str()),
            "{got:?} is not {want:?}: {first}"
        );
    }
    for _ in 0..3 {
        let again = p.dlgen(&["check"]);
        assert_eq!(again.stdout, first.stdout);
        assert_eq!(again.code, 1);
    }
}
