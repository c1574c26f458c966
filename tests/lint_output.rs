//! `dlgen lint --fix`, `--format json|sarif` and `dlgen check --format json` / `--color`,
//! end to end: exit codes, the shape of the documents (parsed with serde_json), and what
//! `--fix` writes (only the fixed files, the same configuration, idempotent).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{Project, ROOT, dlgen};
use serde_json::Value;

const CASES: &str = "tests/fixtures/lint/cases";
const FINDINGS: &str = "tests/fixtures/lint/findings";

/// A copy of a fixture tree in a temporary directory (`<tmp>/stacks/...`).
fn copy_tree(rel: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = Path::new(ROOT).join(rel);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.expect("walk");
        let to = tmp
            .path()
            .join(entry.path().strip_prefix(&from).expect("under"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).expect("mkdir");
        } else {
            fs::copy(entry.path(), &to).expect("copy");
        }
    }
    tmp
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().expect("meta");
            let bytes = fs::read(e.path()).expect("read");
            (
                e.path().to_path_buf(),
                (bytes, meta.modified().expect("mtime")),
            )
        })
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn fix_moves_comments_only_reports_each_fix_and_is_idempotent() {
    let tmp = copy_tree(CASES);
    let root = tmp.path().to_str().expect("utf-8");
    let before = snapshot(tmp.path());
    std::thread::sleep(std::time::Duration::from_millis(20));

    let run = dlgen(tmp.path(), &["lint", "--all", "--root", root, "--fix"]);
    // The one error (a trailing auth reason) is fixed; warnings remain: exit 0.
    assert_eq!(run.code, 0, "{run}");
    let blog = tmp.path().join("stacks/blog/main.tf");
    let hermes = tmp.path().join("stacks/hermes-agent/main.tf");
    assert!(
        run.stdout.contains(&format!(
            "{}:24:3: fixed[auth-comment]: moved the trailing reason to a `# auth = \"none\": …` line above\n",
            blog.display()
        )),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!(
            "{}:90:7: fixed[keel-image-marker]: appended `# KEEL_IGNORE_IMAGE — Keel manages tag updates`\n",
            hermes.display()
        )),
        "{run}"
    );
    assert!(!run.stdout.contains("error[auth-comment]"), "{run}");
    assert!(run.stdout.contains("warning[keel-ignores]"), "{run}");
    assert!(run.stderr.contains("(2 fixed)"), "{run}");

    // Only the two fixed files changed; each plans the same (hcl-rs drops comments).
    let after = snapshot(tmp.path());
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(path, now)| before.get(*path) != Some(now))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(changed, vec![&blog, &hermes]);
    assert_eq!(
        after.len(),
        before.len(),
        "no file added (no temporary file left)"
    );
    for path in changed {
        let old = String::from_utf8(before[path].0.clone()).expect("utf-8");
        let new = String::from_utf8(after[path].0.clone()).expect("utf-8");
        let old_body: hcl::Body = hcl::from_str(&old).expect("parses before");
        let new_body: hcl::Body = hcl::from_str(&new).expect("parses after");
        assert_eq!(old_body, new_body, "{}", path.display());
        assert_ne!(old, new);
    }
    let blog_text = fs::read_to_string(&blog).expect("read");
    assert!(blog_text.contains(
        "  # auth = \"none\": Anubis-fronted; the PoW challenge is the gate\n  auth            = \"none\"\n"
    ));

    // A second run has nothing to fix and touches nothing.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = dlgen(tmp.path(), &["lint", "--all", "--root", root, "--fix"]);
    assert_eq!(again.code, 0, "{again}");
    assert!(!again.stdout.contains("fixed["), "{again}");
    assert_eq!(snapshot(tmp.path()), after);
    let plain = dlgen(tmp.path(), &["lint", "--all", "--root", root]);
    assert_eq!(plain.stdout, again.stdout);
}

#[test]
fn fixed_files_stay_terraform_fmt_clean() {
    if std::process::Command::new("terraform")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("skipped: terraform is not on PATH");
        return;
    }
    let tmp = copy_tree(CASES);
    let fmt_check = |dir: &Path| {
        std::process::Command::new("terraform")
            .args(["fmt", "-check", "-recursive"])
            .arg(dir)
            .output()
            .expect("terraform runs")
    };
    let before = fmt_check(tmp.path());
    assert!(
        before.status.success(),
        "the cases are fmt-clean: {}",
        String::from_utf8_lossy(&before.stdout)
    );
    let root = tmp.path().to_str().expect("utf-8");
    dlgen(tmp.path(), &["lint", "--all", "--root", root, "--fix"]);
    let after = fmt_check(tmp.path());
    assert!(
        after.status.success(),
        "terraform fmt would change: {}",
        String::from_utf8_lossy(&after.stdout)
    );
}

#[test]
fn fix_leaves_generated_stacks_alone() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    let main = p.read("stacks/drone-logbook/main.tf");
    let broken = main.replace(
        "spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1",
        "spec[0].template[0].spec[0].dns_config,",
    );
    assert_ne!(broken, main);
    p.write("stacks/drone-logbook/main.tf", &broken);
    let run = p.dlgen(&["lint", "--all", "--fix"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("not fixed[kyverno-dns-config]: the file is generated by dlgen"),
        "{run}"
    );
    assert_eq!(p.read("stacks/drone-logbook/main.tf"), broken);
}

#[test]
fn lint_json_is_one_document_with_the_documented_shape_and_the_same_exit_code() {
    let text = dlgen(Path::new(ROOT), &["lint", "--all", "--root", FINDINGS]);
    let run = dlgen(
        Path::new(ROOT),
        &["lint", "--all", "--root", FINDINGS, "--format", "json"],
    );
    assert_eq!(run.code, text.code);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    let doc = json(&run.stdout);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"], "dlgen");
    assert_eq!(doc["command"], "lint");
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), text.stdout.lines().count());
    for (f, line) in findings.iter().zip(text.stdout.lines()) {
        let mut keys: Vec<&str> = f
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "column", "diff", "file", "fix", "fixable", "level", "line", "message", "rule"
            ]
        );
        let located = format!(
            "{}:{}:{}: {}[{}]: {}; fix: {}",
            f["file"].as_str().expect("file"),
            f["line"],
            f["column"],
            f["level"].as_str().expect("level"),
            f["rule"].as_str().expect("rule"),
            f["message"].as_str().expect("message"),
            f["fix"].as_str().expect("fix"),
        );
        assert_eq!(located, line, "the JSON says what the text says");
        assert!(f["diff"].is_null());
    }
    let fixable: Vec<&str> = findings
        .iter()
        .filter(|f| f["fixable"] == true)
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(fixable, ["kyverno-dns-config", "auth-comment"]);
    let summary = &doc["summary"];
    assert_eq!(summary["stacks"], 4);
    assert_eq!(summary["errors"], 3);
    assert_eq!(summary["warnings"], 11);
    assert_eq!(summary["infos"], 1);
    let rules = summary["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), dlgen::lint::RULES.len());
    let total: u64 = rules
        .iter()
        .map(|r| r["findings"].as_u64().expect("n"))
        .sum();
    assert_eq!(total, findings.len() as u64);
    let suppressed: u64 = rules
        .iter()
        .map(|r| r["suppressed"].as_u64().expect("n"))
        .sum();
    assert_eq!(suppressed, 1, "media's cpu-limit suppression with a reason");
    assert_eq!(doc["fixed"], Value::Array(vec![]));

    // Clean: an empty list, exit 0.
    let clean = dlgen(
        Path::new(ROOT),
        &["lint", "--all", "--format", "json", "--deny", "warnings"],
    );
    assert_eq!(clean.code, 0, "{clean}");
    assert_eq!(json(&clean.stdout)["findings"], Value::Array(vec![]));
}

#[test]
fn lint_sarif_is_a_sarif_2_1_0_log() {
    let run = dlgen(
        Path::new(ROOT),
        &["lint", "--all", "--root", FINDINGS, "--format", "sarif"],
    );
    assert_eq!(run.code, 1, "{run}");
    let doc = json(&run.stdout);
    assert_eq!(doc["version"], "2.1.0");
    assert!(
        doc["$schema"]
            .as_str()
            .expect("schema")
            .contains("sarif-2.1.0")
    );
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "dlgen");
    let rules = driver["rules"].as_array().expect("rules");
    let results = runs[0]["results"].as_array().expect("results");
    let json_run = dlgen(
        Path::new(ROOT),
        &["lint", "--all", "--root", FINDINGS, "--format", "json"],
    );
    let findings = json(&json_run.stdout)["findings"].clone();
    let findings = findings.as_array().expect("findings");
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        let index = r["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], f["rule"]);
        let level = match f["level"].as_str().expect("level") {
            "info" => "note",
            other => other,
        };
        assert_eq!(r["level"], level);
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], f["file"]);
        assert_eq!(location["region"]["startLine"], f["line"]);
        assert_eq!(location["region"]["startColumn"], f["column"]);
        assert!(
            r["message"]["text"]
                .as_str()
                .expect("text")
                .contains("Fix: ")
        );
    }
}

#[test]
fn check_json_names_each_drifted_missing_and_orphaned_file_with_its_own_rule() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    let clean = p.dlgen(&["check", "--format", "json"]);
    assert_eq!(clean.code, 0, "{clean}");
    let doc = json(&clean.stdout);
    assert_eq!(doc["command"], "check");
    assert_eq!(doc["findings"], Value::Array(vec![]));
    assert_eq!(doc["summary"]["specs"], 1);

    let main = p.read("stacks/drone-logbook/main.tf");
    let line = main
        .lines()
        .position(|l| l.contains("cpu    = \"25m\""))
        .expect("cpu line")
        + 1;
    p.write(
        "stacks/drone-logbook/main.tf",
        &main.replace("cpu    = \"25m\"", "cpu    = \"50m\""),
    );
    fs::remove_file(p.path("stacks/drone-logbook/terragrunt.hcl")).expect("rm");
    p.write("stacks/gone/main.tf", &main);

    let run = p.dlgen(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.stderr, "");
    let doc = json(&run.stdout);
    let findings = doc["findings"].as_array().expect("findings");
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules, ["drift", "missing-file", "orphaned-file"]);
    let drift = &findings[0];
    assert_eq!(drift["file"], "stacks/drone-logbook/main.tf");
    assert_eq!(drift["line"], line as u64);
    assert_eq!(drift["level"], "error");
    let diff = drift["diff"].as_str().expect("a diff");
    assert!(diff.contains("-              cpu    = \"50m\""), "{diff}");
    assert!(diff.contains("+              cpu    = \"25m\""), "{diff}");
    assert_eq!(findings[1]["file"], "stacks/drone-logbook/terragrunt.hcl");
    assert!(findings[1]["diff"].is_null());
    assert_eq!(findings[2]["file"], "stacks/gone/main.tf");
    assert_eq!(doc["summary"]["findings"], 3);
}

#[test]
fn check_colours_diffs_when_asked_and_never_when_not() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    let main = p.read("stacks/drone-logbook/main.tf");
    p.write(
        "stacks/drone-logbook/main.tf",
        &main.replace("cpu    = \"25m\"", "cpu    = \"50m\""),
    );
    let always = p.dlgen(&["check", "--color", "always"]);
    assert_eq!(always.code, 1);
    assert!(
        always
            .stdout
            .contains("\x1b[31m-              cpu    = \"50m\"\x1b[0m"),
        "{always}"
    );
    assert!(always.stdout.contains("\x1b[32m+"), "{always}");
    assert!(always.stdout.contains("\x1b[36m@@"), "{always}");
    // Not a terminal (a pipe, as here): auto is plain, as is never.
    for args in [
        &["check"][..],
        &["check", "--color", "never"],
        &["check", "--color", "auto"],
    ] {
        let run = p.dlgen(args);
        assert_eq!(run.code, 1);
        assert!(!run.stdout.contains('\x1b'), "{args:?}: {run}");
        assert!(run.stdout.contains("-              cpu    = \"50m\""));
    }
    // An explicit `always` wins over NO_COLOR; the value is checked in report's tests.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .args(["check", "--color", "always"])
        .env("NO_COLOR", "1")
        .current_dir(p.path(""))
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains('\x1b'));
    let bad = p.dlgen(&["check", "--color", "sometimes"]);
    assert_eq!(bad.code, 2);
    let bad = p.dlgen(&["check", "--format", "sarif"]);
    assert_eq!(bad.code, 2, "SARIF is for lint findings");
}
