//! `terraform validate` as an oracle for dlgen's structural checks: what dlgen refuses in
//! raw HCL, Terraform refuses too (before it needs a provider or module), and what dlgen
//! writes for the bundled specs has none of those errors. Runs when `terraform` is on
//! `PATH`, and says that it skipped otherwise.

use std::path::Path;
use std::process::Command;

use dlgen::render::Renderer;

fn terraform_present() -> bool {
    Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The `Error: …` headlines of `terraform validate` on a directory holding `main_tf`.
fn validate(main_tf: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
    let out = Command::new("terraform")
        .args(["validate", "-no-color"])
        .current_dir(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .expect("run terraform validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter_map(|l| l.trim_start_matches(['│', ' ']).strip_prefix("Error: "))
        .map(str::to_owned)
        .collect()
}

/// Structural errors, as opposed to what `validate` says because nothing is installed.
fn structural(errors: &[String]) -> Vec<&String> {
    errors
        .iter()
        .filter(|e| {
            !e.starts_with("Module not installed") && !e.starts_with("Missing required provider")
        })
        .collect()
}

#[test]
fn terraform_refuses_what_dlgen_refuses() {
    if !terraform_present() {
        eprintln!("skipped: terraform is not on PATH");
        return;
    }
    let renderer = Renderer::new().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adversarial");
    for (file, terraform_says) in [
        (
            "raw-lifecycle-beside-generated.yaml",
            "Duplicate lifecycle block",
        ),
        (
            "raw-variable-beside-generated.yaml",
            "Duplicate variable declaration",
        ),
        (
            "raw-attribute-repeats-generated.yaml",
            "Attribute redefined",
        ),
        (
            "raw-block-redeclares-address.yaml",
            "Duplicate resource \"kubernetes_service\" configuration",
        ),
        (
            "raw-local-redeclared.yaml",
            "Duplicate local value definition",
        ),
    ] {
        let text = std::fs::read_to_string(corpus.join(file)).unwrap();
        // dlgen refuses it …
        let refused = dlgen::generate::render_text(&renderer, file, &text, file);
        let message = match refused {
            Ok(_) => panic!("{file}: dlgen accepted it"),
            Err(e) => e.to_string(),
        };
        assert!(message.contains(&format!("{file}:")), "{file}: {message}");
        // … and so does Terraform, given what dlgen would have written.
        let stack = dlgen::generate::resolve(file, &text).unwrap();
        let files = renderer.render_unchecked(&stack, file).unwrap();
        let main_tf = &files.iter().find(|(n, _)| *n == "main.tf").unwrap().1;
        let errors = validate(main_tf);
        assert!(
            errors.iter().any(|e| e.starts_with(terraform_says)),
            "{file}: terraform validate said {errors:?}, expected {terraform_says:?}"
        );
    }
}

#[test]
fn terraform_finds_no_structural_error_in_what_dlgen_writes() {
    if !terraform_present() {
        eprintln!("skipped: terraform is not on PATH");
        return;
    }
    let stacks = Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks");
    let mut checked = 0;
    for entry in std::fs::read_dir(&stacks).unwrap() {
        let main_tf = entry.unwrap().path().join("main.tf");
        let Ok(text) = std::fs::read_to_string(&main_tf) else {
            continue;
        };
        let errors = validate(&text);
        assert!(
            structural(&errors).is_empty(),
            "{}: {errors:?}",
            main_tf.display()
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} stacks checked");
}
