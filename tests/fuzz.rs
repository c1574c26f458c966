//! A fuzz harness over spec text → render, run by `cargo test` with a bounded number of
//! cases and longer on demand:
//!
//! ```sh
//! cargo test --test fuzz                                        # 512 cases (the default)
//! DLGEN_FUZZ_CASES=200000 cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! Inputs are the bundled specs and the adversarial corpus, mutated (values replaced by
//! hostile text, lines deleted, duplicated, re-indented, pieces of YAML and HCL syntax
//! inserted anywhere) and spec-shaped YAML trees built from the spec's own field names.
//! For every input:
//!
//! - nothing panics (proptest catches a panic and shrinks the input that caused it);
//! - a spec that is refused gets a message naming the file;
//! - a spec that is accepted renders, and every rendered file parses with hcl-rs; the lint
//!   gate runs over it.
//!
//! The last line printed says how many inputs ran and how they ended.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use dlgen::generate;
use dlgen::render::Renderer;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

mod common;

/// Text pieces that stress every layer: YAML syntax, HCL syntax, template sequences,
/// control and invisible characters, numbers at the edges, and words the spec knows.
const PIECES: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "  ",
    "    ",
    ":",
    ": ",
    "- ",
    "-",
    "?",
    "#",
    "# c",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    "!tag ",
    "|",
    ">",
    "|-",
    ">+",
    "---",
    "...",
    "%YAML 1.2",
    "~",
    "null",
    "true",
    "false",
    "yes",
    "0",
    "-1",
    "65535",
    "65536",
    "0x1F",
    "0o17",
    "1e400",
    ".inf",
    ".nan",
    "-.inf",
    "99999999999999999999",
    "1.5",
    "${",
    "%{",
    "$${",
    "}",
    "<<-EOT",
    "EOT",
    "\nEOT\n",
    "//",
    "/*",
    "*/",
    "=",
    "resource \"x\" \"y\" {",
    "dlgen:allow cpu-limit x",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{202E}",
    "\u{2028}",
    "\u{FEFF}",
    "é",
    "😀",
    "\u{0301}",
    "../",
    "/etc/passwd",
    "..",
    "/",
    "a/b",
    "UPPER",
    "x-",
    "-x",
    "a_b",
    "25m",
    "512Mi",
    "2Gi",
    "0Gi",
    "10Ki",
    "1.5Gi",
    "30 1 * * *",
    "* * * * * *",
    "@daily",
    "@often",
    "60 * * * *",
    "ghcr.io/o/a:latest",
    "Ghcr.io/A",
    "a:",
    "app",
    "none",
    "required",
    "public",
    "proxied",
    "non-proxied",
    "internal",
    "proxmox-lvm",
    "proxmox-lvm-encrypted",
    "nfs",
    "Recreate",
    "RollingUpdate",
    "core",
    "aux",
    "SECRET_TOKEN",
    "PASSWORD",
    "API_KEY",
    // pods and workloads
    "none",
    "run",
    "Memory",
    "\"0755\"",
    "{preferred: 100}",
    "IfNotPresent",
    "OnFailure",
    "Never",
    "Forbid",
    "{tcp: true}",
    "[sh, -c, x]",
    "{template: [a, {var: x}]}",
    "metadata[0].labels[\"tier\"]",
    "kubernetes_job.db_init",
];

/// Every key a spec knows, at any level.
const KEYS: &[&str] = &[
    "name",
    "comment",
    "tier",
    "dependency",
    "keel",
    "namespace",
    "secrets",
    "vault_key",
    "containers",
    "image",
    "port",
    "env",
    "value",
    "secret",
    "resources",
    "cpu",
    "memory",
    "strategy",
    "strategy_why",
    "volumes",
    "storage",
    "size",
    "max_size",
    "path",
    "mount",
    "read_only",
    "service",
    "backup",
    "schedule",
    "retention_days",
    "starting_deadline_seconds",
    "successful_jobs_history",
    "ingress",
    "auth",
    "auth_why",
    "dns_type",
    "homepage",
    "description",
    "icon",
    "group",
    "widget",
    "keel_why",
    "keel_policy",
    "deployment",
    "annotations",
    "pod_annotations",
    "cluster_service_label",
    "dns_options",
    "labels",
    "address",
    "port_name",
    "command",
    "args",
    "liveness_probe",
    "readiness_probe",
    "startup_probe",
    "initial_delay_seconds",
    "plain_why",
    "wait_until_bound",
    "wait_until_bound_why",
    "protocol",
    "target_port",
    "enabled",
    "why",
    "kind",
    "database",
    "extra_files",
    "target_address",
    "nfs_server",
    "integrity_check",
    "scale_to_zero",
    "adopt",
    "from_module",
    "moved",
    "from",
    "to",
    "raw",
    "var",
    "vault",
    "eso",
    "scale_to_zero",
    "imge",
    "nmae",
    // pods and workloads
    "init_containers",
    "jobs",
    "keel_owns",
    "keel_seeds",
    "rolling_update",
    "ports",
    "env_from",
    "mounts",
    "sub_path",
    "security_context",
    "lifecycle",
    "post_start",
    "tcp",
    "exec",
    "memory_limit",
    "cpu_limit",
    "empty_dir",
    "config_map",
    "host_path",
    "claim",
    "field_ref",
    "secret_name",
    "optional",
    "replicas",
    "gpu",
    "tolerations",
    "anti_affinity",
    "node_affinity",
    "topology_spread",
    "image_pull_secrets",
    "service_account_name",
    "depends_on",
    "ignore_changes",
    "drop",
    "add",
    "drop_why",
    "suspend",
    "suspend_unless",
    "created_if",
    "timeouts",
    "app_container",
    "label_key",
    "wait_for",
];

fn seeds() -> Vec<String> {
    let mut seeds = Vec::new();
    for dir in [
        "specs",
        "tests/fixtures/specs",
        "tests/fixtures/adversarial",
    ] {
        let Ok(entries) = std::fs::read_dir(Path::new(common::ROOT).join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let small = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() < 64 * 1024);
            if small
                && path.extension().is_some_and(|e| e == "yaml")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                seeds.push(text);
            }
        }
    }
    seeds
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        1 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..6).prop_map(|p| p.concat())
}

/// One edit of a spec text. Positions are fractions of the text or of its lines, so the
/// same edit applies to any seed.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value after the `: ` of a line.
    Value(f64, String),
    Insert(f64, String),
    DeleteLine(f64),
    DuplicateLine(f64),
    Indent(f64, usize),
    Dedent(f64),
    Truncate(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        6 => (at.clone(), text()).prop_map(|(a, t)| Edit::Value(a, t)),
        3 => (at.clone(), text()).prop_map(|(a, t)| Edit::Insert(a, t)),
        1 => at.clone().prop_map(Edit::DeleteLine),
        1 => at.clone().prop_map(Edit::DuplicateLine),
        1 => (at.clone(), 1..5usize).prop_map(|(a, n)| Edit::Indent(a, n)),
        1 => at.clone().prop_map(Edit::Dedent),
        1 => at.prop_map(Edit::Truncate),
    ]
}

fn floor_char(s: &str, at: f64) -> usize {
    let mut i = ((s.len() as f64) * at) as usize;
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = |at: f64, n: usize| ((n as f64) * at) as usize;
    match edit {
        Edit::Value(at, value) => {
            let n = lines.len();
            if let Some(l) = lines.get_mut(line(*at, n)) {
                match l.find(": ") {
                    Some(i) => l.replace_range(i + 2.., value),
                    None => l.push_str(value),
                }
            }
        }
        Edit::Insert(at, piece) => {
            let mut t = text.to_owned();
            t.insert_str(floor_char(text, *at), piece);
            return t;
        }
        Edit::DeleteLine(at) => {
            let i = line(*at, lines.len());
            if i < lines.len() {
                lines.remove(i);
            }
        }
        Edit::DuplicateLine(at) => {
            let i = line(*at, lines.len());
            if let Some(l) = lines.get(i).cloned() {
                lines.insert(i, l);
            }
        }
        Edit::Indent(at, n) => {
            let i = line(*at, lines.len());
            if let Some(l) = lines.get_mut(i) {
                l.insert_str(0, &" ".repeat(*n));
            }
        }
        Edit::Dedent(at) => {
            let i = line(*at, lines.len());
            if let Some(l) = lines.get_mut(i) {
                *l = l.trim_start().to_owned();
            }
        }
        Edit::Truncate(at) => return text[..floor_char(text, *at)].to_owned(),
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A YAML tree shaped like a spec: known keys (and a few misspelt ones), hostile scalars.
#[derive(Debug, Clone)]
enum Tree {
    Scalar(String),
    List(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = text().prop_map(Tree::Scalar);
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Tree::List),
            proptest::collection::vec(
                (
                    proptest::sample::select(KEYS).prop_map(str::to_owned),
                    inner
                ),
                0..6
            )
            .prop_map(Tree::Map),
        ]
    })
}

fn yaml(tree: &Tree, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match tree {
        Tree::Scalar(s) => {
            out.push(' ');
            out.push_str(s);
            out.push('\n');
        }
        Tree::List(items) if items.is_empty() => out.push_str(" []\n"),
        Tree::Map(items) if items.is_empty() => out.push_str(" {}\n"),
        Tree::List(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&pad);
                out.push('-');
                yaml(item, indent + 2, out);
            }
        }
        Tree::Map(items) => {
            out.push('\n');
            for (k, v) in items {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                yaml(v, indent + 2, out);
            }
        }
    }
}

fn spec_text(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let mutated = (
        proptest::sample::select(seeds),
        proptest::collection::vec(edit(), 1..5),
    )
        .prop_map(|(seed, edits)| edits.iter().fold(seed, |t, e| apply(&t, e)));
    let built = proptest::collection::vec(
        (
            proptest::sample::select(KEYS).prop_map(str::to_owned),
            tree(),
        ),
        0..8,
    )
    .prop_map(|items| {
        let mut out = String::new();
        yaml(&Tree::Map(items), 0, &mut out);
        out.trim_start_matches('\n').to_owned()
    });
    prop_oneof![3 => mutated, 1 => built, 1 => text()]
}

fn cases() -> u32 {
    std::env::var("DLGEN_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

#[test]
fn spec_text_to_render_never_panics_and_always_parses() {
    let seeds = seeds();
    assert!(seeds.len() >= 2, "the seeds are found");
    let renderer = Renderer::new().expect("templates compile");
    let (rendered, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let cases = cases();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&spec_text(seeds), |text| {
        // `render_text` is what `render` and `check` do to a spec's text: a spec is
        // accepted only when it also renders, and a raw snippet that would make the
        // stack invalid Terraform is refused at its spec line, like any other problem.
        match generate::render_text(&renderer, "fuzz.yaml", &text, "specs/fuzz.yaml") {
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(
                    !msg.contains("a bug in dlgen"),
                    "accepted but not rendered: {msg}"
                );
                prop_assert!(msg.contains("fuzz.yaml"), "no file in the message: {msg}");
                refused.fetch_add(1, Ordering::Relaxed);
            }
            Ok((stack_name, files)) => {
                for file in &files {
                    if let Err(e) = hcl::parse(&file.contents) {
                        return Err(TestCaseError::fail(format!(
                            "{} does not parse: {e}\n{}",
                            file.name, file.contents
                        )));
                    }
                }
                let g = generate::Generated {
                    stack: stack_name,
                    spec_label: "specs/fuzz.yaml".to_owned(),
                    files,
                };
                dlgen::commands::lint_generated(&[g], Path::new("stacks"));
                rendered.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    });
    let (r, f) = (rendered.into_inner(), refused.into_inner());
    eprintln!(
        "fuzz: {} executions ({cases} cases asked for): {r} rendered, {f} refused",
        r + f
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(r > 0, "no input was accepted: the mutations are too coarse");
}

/// The `.tf` files the lint and format fuzzing starts from: the committed stack, the
/// lint fixtures and the hand-written-style corpus (hand-written stacks are user input to
/// `dlgen lint` and `dlgen compare`).
fn tf_seeds() -> Vec<String> {
    let mut seeds = Vec::new();
    for dir in [
        "stacks",
        "tests/fixtures/lint",
        "tests/fixtures/handwritten",
    ] {
        for entry in walkdir::WalkDir::new(Path::new(common::ROOT).join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "tf")
                && let Ok(text) = std::fs::read_to_string(entry.path())
            {
                seeds.push(text);
            }
        }
    }
    seeds
}

/// HCL syntax pieces for mutating stacks.
const HCL_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "\\",
    "\n",
    "#",
    "//",
    "/*",
    "*/",
    "<<EOT\n",
    "<<-EOT\n",
    "EOT\n",
    "${",
    "%{",
    "}",
    "=",
    ",",
    "auth = \"app\"",
    "# dlgen:allow cpu-limit x\n",
    "# dlgen:allow\n",
    "resource \"a\" \"b\" {",
    "lifecycle {",
    "ignore_changes = [",
    "\u{0}",
    "é",
    "😀",
    "\r\n",
    "\t",
    " ",
    "limits = { cpu = \"1\" }",
    "strategy {",
    "type = \"Recreate\"",
];

#[test]
fn lint_and_format_never_panic_on_mutated_stacks() {
    let seeds = tf_seeds();
    assert!(!seeds.is_empty(), "the .tf seeds are found");
    let piece = prop_oneof![
        3 => proptest::sample::select(HCL_PIECES).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    let edits = proptest::collection::vec((0.0..1.0f64, 0..3u8, piece), 1..6);
    let strategy = (proptest::sample::select(seeds), edits).prop_map(|(seed, edits)| {
        edits.iter().fold(seed, |mut t, (at, op, piece)| {
            let i = floor_char(&t, *at);
            match op {
                0 => t.insert_str(i, piece),
                1 => {
                    let end = floor_char(&t, (*at + 0.01).min(1.0)).max(i);
                    t.replace_range(i..end, piece);
                }
                _ => t.truncate(i),
            }
            t
        })
    });
    let cases = cases();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let cfg = dlgen::lint::LintConfig::all();
    let result = runner.run(&strategy, |text| {
        let file = dlgen::lint::SourceFile::new("stacks/x/main.tf", text.clone());
        let _ = dlgen::lint::lint_files(&[file], &cfg);
        if let Ok(formatted) = dlgen::format::format_hcl(&text) {
            prop_assert!(
                hcl::parse(&formatted).is_ok(),
                "format_hcl returned text that does not parse"
            );
        }
        // The plan-semantic reader: no panic, and a stack always plans like itself.
        if let Ok(stack) = dlgen::planeq::Stack::from_memory(
            "stacks/x",
            None,
            [(std::path::PathBuf::from("main.tf"), text.clone())],
        ) {
            let result = dlgen::planeq::compare(&stack, &stack);
            prop_assert!(result.is_equal(), "a stack differs from itself:\n{result}");
        }
        Ok(())
    });
    eprintln!("fuzz: {cases} mutated stacks through lint, format and compare");
    if let Err(e) = result {
        panic!("{e}");
    }
}
