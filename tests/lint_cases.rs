//! The precision cases of `tests/fixtures/lint/cases/`: stacks written from the fact
//! sheets' shapes, one per situation of the repo's written rules (the true case, each false
//! case the rules used to report, and the cases they used to miss). Each expected finding
//! is annotated in the fixture with a comment line `# expect: <rule-id>` above the line it
//! points at; the linter must report exactly those.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use dlgen::lint::{self, Level, LintConfig};

const CASES: &str = "tests/fixtures/lint/cases";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(CASES)
}

/// `(file, line, rule)` of every `# expect:` annotation: the line is the next line below
/// it that is not a comment.
fn expectations() -> BTreeSet<(PathBuf, usize, String)> {
    let mut expected = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root().join("stacks")).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.path().extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rule) = line.trim().strip_prefix("# expect: ") else {
                continue;
            };
            let target = (i + 1..lines.len())
                .find(|&j| !lines[j].trim_start().starts_with('#'))
                .expect("an expectation points at a line below it");
            expected.insert((
                entry.path().to_path_buf(),
                target + 1,
                rule.trim().to_owned(),
            ));
        }
    }
    expected
}

fn findings() -> Vec<lint::Finding> {
    let dirs = lint::stack_dirs(&root()).expect("stack dirs");
    lint::lint_dirs(&dirs, &LintConfig::all()).expect("lint")
}

#[test]
fn every_rule_reports_exactly_the_annotated_findings() {
    let expected = expectations();
    let found: BTreeSet<(PathBuf, usize, String)> = findings()
        .iter()
        .map(|f| (f.path.clone(), f.line, f.rule.to_owned()))
        .collect();
    let missed: Vec<_> = expected.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&expected).collect();
    assert!(
        missed.is_empty() && unexpected.is_empty(),
        "missed (expected, not reported): {missed:#?}\nunexpected (reported, not expected): {unexpected:#?}"
    );
}

#[test]
fn the_cases_cover_a_true_case_of_every_rule_they_are_about() {
    let expected = expectations();
    for rule in [
        "auth-comment",
        "kyverno-dns-config",
        "keel-ignores",
        "keel-update-time",
        "keel-image-marker",
        "block-storage-backup",
        "memory-request-limit",
    ] {
        assert!(
            expected.iter().any(|(_, _, r)| r == rule),
            "no true case of {rule}"
        );
    }
    // Every stack is described in the README's table.
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    for dir in lint::stack_dirs(&root()).expect("dirs") {
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(readme.contains(&format!("`{name}`")), "README lacks {name}");
    }
}

#[test]
fn habits_are_infos_that_never_fail_deny_warnings() {
    let infos: Vec<_> = findings()
        .into_iter()
        .filter(|f| f.level == Level::Info)
        .collect();
    assert!(!infos.is_empty());
    assert!(
        infos
            .iter()
            .all(|f| f.rule == "keel-update-time" || f.rule == "keel-image-marker")
    );
    // A stack whose only findings are infos passes `--deny warnings`.
    let hermes = root().join("stacks/hermes-agent");
    let files = lint::read_stack(&hermes).expect("read");
    let cfg = LintConfig::only(&["keel-update-time", "keel-image-marker"])
        .expect("known")
        .deny_warnings(true);
    let findings = lint::lint_files(&files, &cfg);
    assert_eq!(findings.len(), 2);
    assert_eq!(lint::outcome(&findings), dlgen::Outcome::Clean);
    let out = Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .args(["lint", "--deny", "warnings", "--rule", "keel-update-time"])
        .arg(&hermes)
        .output()
        .expect("run dlgen");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": info[keel-update-time]: "));
}

#[test]
fn statistics_print_one_line_per_rule_with_the_suppressed_count() {
    let out = Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .args(["lint", "--all", "--root", CASES, "--statistics"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run dlgen");
    assert_eq!(out.status.code(), Some(1), "auth-comment is an error");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut expected: Vec<(String, usize)> = Vec::new();
    for (_, _, rule) in expectations() {
        match expected.iter_mut().find(|(r, _)| *r == rule) {
            Some((_, n)) => *n += 1,
            None => expected.push((rule, 1)),
        }
    }
    assert_eq!(stdout.lines().count(), expected.len(), "{stdout}");
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let n: usize = words[0].parse().expect("a count first");
        let (_, want) = expected
            .iter()
            .find(|(r, _)| r == words[1])
            .unwrap_or_else(|| panic!("unexpected rule in {line:?}"));
        assert_eq!(n, *want, "{line}");
        assert!(line.ends_with("(0 suppressed)"), "{line}");
    }
    // Most findings first.
    let counts: Vec<usize> = stdout
        .lines()
        .map(|l| {
            l.split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{stdout}");
}
