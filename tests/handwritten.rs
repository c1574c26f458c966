//! The hand-written-style corpus of `tests/fixtures/handwritten/`, each stack reproduced
//! from its spec alone. Each spec of `tests/fixtures/specs/<name>.yaml` is rendered in
//! memory (files beside the spec included) and compared with the hand-written stack
//! plan-semantically (`dlgen::planeq`: parsed values, references and `moved` blocks, not
//! text). A test passes when the two would plan alike: its list of remaining differences
//! is empty, or holds exactly the differences that remain for a stated reason, each with a
//! comment saying why. The specs use no raw HCL where a spec field can say it, and state
//! only what differs from the conventions.
//!
//! The last test asks `terraform validate` (when it is on `PATH`) whether every fixture
//! stack is structurally valid Terraform.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::ROOT;
use dlgen::planeq::{Stack, compare};
use dlgen::render::Renderer;

/// The differences between the stack rendered from `tests/fixtures/specs/<name>.yaml` and
/// `tests/fixtures/handwritten/<name>/`, one `address: path: rendered ≠ hand-written` line
/// each, in address order.
fn differences(name: &str) -> Vec<String> {
    let spec = Path::new(ROOT).join(format!("tests/fixtures/specs/{name}.yaml"));
    let text = fs::read_to_string(&spec).expect("the spec reads");
    let renderer = Renderer::new().expect("templates compile");
    let (stack, files) = dlgen::generate::render_text(
        &renderer,
        &spec.display().to_string(),
        &text,
        &format!("specs/{name}.yaml"),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        stack, name,
        "the stack is named after its fixture directory"
    );
    let rendered = Stack::from_memory(
        &format!("rendered {name}"),
        None,
        files
            .into_iter()
            .map(|f| (PathBuf::from(f.name), f.contents)),
    )
    .expect("the rendered stack reads");
    let hand = Stack::read(&Path::new(ROOT).join(format!("tests/fixtures/handwritten/{name}")))
        .expect("the hand-written stack reads");
    compare(&rendered, &hand).lines()
}

/// Asserts that the differences of `name` are exactly `expected` (empty: plan-equivalent).
#[track_caller]
fn assert_differences(name: &str, expected: &[&str]) {
    let found = differences(name);
    assert_eq!(
        found,
        expected,
        "{name}: differences found (left) and expected (right):\n{}",
        found.join("\n")
    );
}

#[test]
fn ledger_sync() {
    assert_differences("ledger-sync", &[]);
}

#[test]
fn agent_runner() {
    assert_differences("agent-runner", &[]);
}

#[test]
fn speech_gpu() {
    assert_differences("speech-gpu", &[]);
}

#[test]
fn feed_digest() {
    assert_differences("feed-digest", &[]);
}

#[test]
fn kiosk_gallery() {
    assert_differences("kiosk-gallery", &[]);
}

#[test]
fn short_links() {
    assert_differences("short-links", &[]);
}

#[test]
fn frame_grabber() {
    assert_differences("frame-grabber", &[]);
}

#[test]
fn recipe_box() {
    assert_differences("recipe-box", &[]);
}

#[test]
fn link_archive() {
    assert_differences("link-archive", &[]);
}

#[test]
fn status_page() {
    assert_differences("status-page", &[]);
}

#[test]
fn music_stream() {
    assert_differences("music-stream", &[]);
}

#[test]
fn mqtt_broker() {
    assert_differences("mqtt-broker", &[]);
}

/// `terraform validate` (without providers or modules installed) finds no structural error
/// in the stacks of the fixture specs, files beside the spec included. Runs when
/// `terraform` is on `PATH`, and says that it skipped otherwise.
#[test]
fn terraform_finds_no_structural_error_in_the_fixture_stacks() {
    let present = std::process::Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("skipped: terraform is not on PATH");
        return;
    }
    let renderer = Renderer::new().expect("templates compile");
    let mut checked = 0;
    let dir = Path::new(ROOT).join("tests/fixtures/specs");
    let mut specs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("the fixture specs")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    for spec in specs {
        let text = fs::read_to_string(&spec).expect("the spec reads");
        let (_, files) = dlgen::generate::render_text(
            &renderer,
            &spec.display().to_string(),
            &text,
            "specs/x.yaml",
        )
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        let tmp = tempfile::tempdir().expect("a temporary directory");
        for f in &files {
            if f.name != "terragrunt.hcl" {
                fs::write(tmp.path().join(&f.name), &f.contents).expect("written");
            }
        }
        let out = std::process::Command::new("terraform")
            .args(["validate", "-no-color"])
            .current_dir(tmp.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .expect("terraform validate runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let structural: Vec<&str> = said
            .lines()
            .filter_map(|l| l.trim_start_matches(['│', ' ']).strip_prefix("Error: "))
            .filter(|e| {
                !e.starts_with("Module not installed")
                    && !e.starts_with("Missing required provider")
            })
            .collect();
        assert!(structural.is_empty(), "{}: {said}", spec.display());
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixture stacks checked");
}
