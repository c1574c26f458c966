//! `dlgen lint` as a user runs it: the binary on fixture trees (exit contract, output,
//! `--rule`, `--rules`, `--deny warnings`), compatibility of the auth rule with the
//! whole-line checker it replaces, and agreement between the parallel directory walk and
//! the in-memory API on a synthetic repo-shaped tree.

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dlgen::lint::{self, Finding, LintConfig, RULES, SourceFile};

const CLEAN: &str = "tests/fixtures/lint/clean";
const FINDINGS: &str = "tests/fixtures/lint/findings";

fn dlgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run dlgen")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `rule-id` of each output line, in order.
fn rules_in(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            let start = l.find('[').expect("[rule]") + 1;
            let end = l[start..].find(']').expect("]") + start;
            l[start..end].to_owned()
        })
        .collect()
}

#[test]
fn clean_tree_exits_0_and_prints_nothing() {
    let out = dlgen(&["lint", "--all", "--root", CLEAN, "--deny", "warnings"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
}

#[test]
fn findings_tree_reports_every_rule_once_per_site() {
    let out = dlgen(&["lint", "--all", "--root", FINDINGS]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "dlgen lint: 3 errors, 11 warnings, 1 info in 4 stacks; 2 fixable with --fix\n"
    );
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn warnings_alone_exit_0_unless_denied() {
    let dir = format!("{FINDINGS}/stacks/freshrss");
    let out = dlgen(&["lint", &dir]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(rules_in(&stdout(&out)), vec!["block-storage-backup"]);
    assert!(stdout(&out).contains(": warning[block-storage-backup]: "));

    let out = dlgen(&["lint", &dir, "--deny", "warnings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(": error[block-storage-backup]: "));
}

#[test]
fn errors_exit_1() {
    let out = dlgen(&["lint", &format!("{FINDINGS}/stacks/drone-logbook-broken")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[auth-comment]"));
}

#[test]
fn a_path_that_is_not_a_directory_exits_2_before_linting_anything() {
    let file = format!("{CLEAN}/stacks/echo/main.tf");
    let out = dlgen(&["lint", &format!("{FINDINGS}/stacks/media"), &file]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), format!("error: {file}: not a directory\n"));

    let out = dlgen(&["lint", "tests/fixtures/lint/no-such-stack"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: tests/fixtures/lint/no-such-stack: "),
        "{}",
        stderr(&out)
    );

    let out = dlgen(&["lint", "--all", "--root", "tests/fixtures"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: tests/fixtures/stacks: not a directory (--all lints every directory under <root>/stacks)\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = dlgen(&["lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: nothing to lint: give one or more STACK_DIR, or --all\n"
    );

    let out = dlgen(&["lint", "--all", "--root", CLEAN, "--rule", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: unknown rule `no-such-rule`; known rules: auth-comment, ")
    );

    let out = dlgen(&["lint", "--all", "--root", CLEAN, "--deny", "infos"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_lists_every_rule_with_id_level_and_summary() {
    let out = dlgen(&["lint", "--rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), RULES.len());
    for (line, rule) in lines.iter().zip(RULES) {
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some(rule.id));
        assert_eq!(words.next(), Some(rule.level.to_string().as_str()));
        assert!(line.ends_with(rule.summary), "{line}");
    }
    for id in [
        "auth-comment",
        "kyverno-dns-config",
        "keel-ignores",
        "pvc-wait-until-bound",
        "pvc-autoresize-annotations",
        "pvc-ignore-requests",
        "block-storage-backup",
        "rwo-recreate",
        "cpu-limit",
        "memory-request-limit",
        "invalid-suppression",
        "unused-suppression",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{id} "))),
            "{id}"
        );
    }
    assert!(text.starts_with("auth-comment                 error    "));
}

#[test]
fn rule_runs_only_the_named_rules() {
    let dir = format!("{FINDINGS}/stacks/drone-logbook-broken");
    let out = dlgen(&[
        "lint",
        &dir,
        "--rule",
        "cpu-limit",
        "--rule",
        "auth-comment",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(rules_in(&stdout(&out)), vec!["cpu-limit", "auth-comment"]);

    let out = dlgen(&["lint", &dir, "--rule", "cpu-limit"]);
    assert_eq!(out.status.code(), Some(0), "warnings only");
    assert_eq!(rules_in(&stdout(&out)), vec!["cpu-limit"]);
}

#[test]
fn suppressions_with_and_without_reason() {
    let out = dlgen(&[
        "lint",
        &format!("{FINDINGS}/stacks/media"),
        "--rule",
        "cpu-limit",
        "--rule",
        "invalid-suppression",
    ]);
    let text = stdout(&out);
    // The transcoder's limit is suppressed with a reason; the exporter's suppression
    // has none, so it is reported and its finding stays.
    assert_eq!(rules_in(&text), vec!["invalid-suppression", "cpu-limit"]);
    assert!(text.contains(
        "main.tf:83:17: error[invalid-suppression]: `dlgen:allow cpu-limit` gives no reason"
    ));
    assert!(text.contains("main.tf:84:15: warning[cpu-limit]: container \"exporter\""));
    assert!(!text.contains("container \"jellyfin\""));
}

/// A temp stack with one file.
fn temp_stack(text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("stacks").join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.tf"), text).expect("write");
    (tmp, dir)
}

#[test]
fn trailing_comment_on_the_auth_line_is_caught() {
    let (_tmp, dir) = temp_stack(
        "module \"ingress\" {\n  source = \"../../modules/kubernetes/ingress_factory\"\n  auth   = \"app\" # auth = \"app\": has its own login\n}\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .arg("lint")
        .arg(&dir)
        .output()
        .expect("run dlgen");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!(
            "{}:3:3: error[auth-comment]: `auth = \"app\"` explains itself in a trailing comment; the reason must be on a comment line directly above it; fix: move the reason to the line `# auth = \"app\": has its own login` directly above it (`dlgen lint --fix` does)\n",
            dir.join("main.tf").display()
        )
    );
}

/// The semantics of the script `dlgen lint` replaces: a line counts only when, stripped,
/// it is exactly `auth = "app"` or `auth = "none"`; it passes when the contiguous `#`
/// lines directly above it include one containing `auth = "<tier>":`.
fn whole_line_checker(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut violations = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let tier = match line.trim() {
            "auth = \"app\"" => "app",
            "auth = \"none\"" => "none",
            _ => continue,
        };
        let marker = format!("auth = \"{tier}\":");
        let ok = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with('#'))
            .any(|l| l.contains(&marker));
        if !ok {
            violations.push(i + 1);
        }
    }
    violations
}

#[test]
fn auth_rule_agrees_with_the_whole_line_checker_where_it_judged_and_sees_what_it_missed() {
    let cases = [
        // Judged by the old checker: same verdicts.
        "module \"i\" {\n  # auth = \"app\": own login\n  auth = \"app\"\n}\n",
        "module \"i\" {\n  auth = \"app\"\n}\n",
        "module \"i\" {\n  # Why it is public.\n  # auth = \"none\": webhook receiver, signed payloads\n  auth = \"none\"\n}\n",
        "module \"i\" {\n  # auth = \"none\": public\n\n  auth = \"none\"\n}\n",
        "module \"i\" {\n  # auth = \"none\": public\n  auth = \"app\"\n}\n",
        "module \"i\" {\n  # auth = \"app\": own login\n  name = \"x\"\n  auth = \"app\"\n}\n",
        "module \"i\" {\n  auth = \"required\"\n  auth = \"public\"\n}\n",
        "x = <<EOT\nauth = \"none\"\nEOT\n",
        // Missed by the old checker: dlgen flags them.
        "module \"i\" {\n  auth = \"app\" # Fever API\n}\n",
        "module \"i\" {\n  auth=\"none\"\n}\n",
        "module \"i\" {\n  auth     = \"app\"\n}\n",
        "module \"i\" {\n  auth = \"app\" # auth = \"app\": own login\n}\n",
    ];
    let cfg = LintConfig::only(&["auth-comment"]).expect("known");
    for case in cases {
        let old = whole_line_checker(case);
        let new: Vec<usize> = lint::lint_files(&[SourceFile::new("main.tf", case)], &cfg)
            .iter()
            .map(|f| f.line)
            .collect();
        let judged_by_old: Vec<usize> = case
            .lines()
            .enumerate()
            .filter(|(_, l)| matches!(l.trim(), "auth = \"app\"" | "auth = \"none\""))
            .map(|(i, _)| i + 1)
            .collect();
        let new_on_judged: Vec<usize> = new
            .iter()
            .copied()
            .filter(|l| judged_by_old.contains(l))
            .collect();
        assert_eq!(
            new_on_judged, old,
            "same verdict where the old checker looked: {case:?}"
        );
        if judged_by_old.is_empty() && case.contains("auth") && !case.contains("required") {
            assert!(
                !new.is_empty(),
                "dlgen must flag what the old checker missed: {case:?}"
            );
        }
    }
}

#[test]
fn parallel_walk_agrees_with_the_in_memory_api_on_a_repo_shaped_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let shape = synth::Shape {
        stacks: 40,
        files: 96,
        bytes: 600_000,
        seed: 1,
    };
    let tree = synth::generate(tmp.path(), &shape).expect("generate");
    assert_eq!((tree.stacks, tree.files), (40, 96));

    let cfg = LintConfig::all();
    let dirs = lint::stack_dirs(tmp.path()).expect("dirs");
    let expected: Vec<Finding> = dirs
        .iter()
        .flat_map(|d| lint::lint_files(&lint::read_stack(d).expect("read"), &cfg))
        .collect();
    let expected_text: String = expected.iter().map(|f| format!("{f}\n")).collect();

    let root = tmp.path().to_str().expect("utf-8 temp path");
    let first = dlgen(&["lint", "--all", "--root", root]);
    let second = dlgen(&["lint", "--all", "--root", root]);
    assert_eq!(stdout(&first), expected_text);
    assert_eq!(stdout(&second), expected_text);
    assert_eq!(
        first.status.code(),
        Some(i32::from(lint::outcome(&expected) != dlgen::Outcome::Clean))
    );

    // The generated tree gives every convention rule something to find, so the
    // benchmark times real work.
    for rule in [
        "auth-comment",
        "kyverno-dns-config",
        "keel-ignores",
        "pvc-wait-until-bound",
        "pvc-autoresize-annotations",
        "pvc-ignore-requests",
        "block-storage-backup",
        "rwo-recreate",
        "cpu-limit",
        "memory-request-limit",
    ] {
        assert!(
            expected.iter().any(|f| f.rule == rule),
            "{rule} never fires"
        );
    }
    assert!(
        expected.iter().all(|f| f.rule != "parse-error"),
        "the generator writes valid HCL"
    );
}

#[test]
fn docs_describe_every_rule_and_the_tg_hook() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lint.md"))
        .expect("docs/lint.md");
    for rule in RULES {
        assert!(
            docs.contains(&format!("`{}`", rule.id)),
            "docs/lint.md lacks {}",
            rule.id
        );
    }
    assert!(docs.contains("dlgen lint \"$stack_dir\""));
    assert!(docs.contains("check-ingress-auth-comments.py"));
}

#[test]
fn the_lint_stage_does_not_depend_on_the_command_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lint");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("src/lint") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for forbidden in ["crate::cli", "crate::commands", "crate::report", "clap::"] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: lint takes LintSettings and returns plain results",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 10);
}

#[test]
fn a_stack_file_with_a_byte_order_mark_is_linted_as_without() {
    // Terraform reads a `.tf` file that starts with a UTF-8 byte order mark; so does lint,
    // with the same findings at the same lines.
    let tmp = tempfile::tempdir().expect("tmp");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FINDINGS)
        .join("stacks");
    let stack = std::fs::read_dir(&src)
        .expect("stacks")
        .map(|e| e.expect("entry").path())
        .find(|p| p.join("main.tf").is_file())
        .expect("a stack with main.tf");
    let plain = tmp.path().join("plain");
    let marked = tmp.path().join("marked");
    for dir in [&plain, &marked] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let text = std::fs::read_to_string(stack.join("main.tf")).expect("main.tf");
    std::fs::write(plain.join("main.tf"), &text).expect("write");
    std::fs::write(marked.join("main.tf"), format!("\u{feff}{text}")).expect("write");
    let cfg = LintConfig::default();
    let findings = |dir: &Path| -> Vec<(usize, String)> {
        lint::lint_dirs(&[dir.to_path_buf()], &cfg)
            .expect("lint")
            .into_iter()
            .map(|f| (f.line, f.rule.to_owned()))
            .collect()
    };
    let expected = findings(&plain);
    assert!(!expected.is_empty(), "the fixture stack has findings");
    assert_eq!(findings(&marked), expected);
}
