//! The `dlgen` binary end to end: render, check, the exit-code contract and the promise
//! that a failed run writes nothing.

mod common;

use std::fs;
use std::path::Path;

use common::{Project, ROOT, dlgen};

#[test]
fn render_reproduces_the_committed_stack_byte_for_byte() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml"]);
    run.success();
    assert!(
        run.stdout.contains("wrote stacks/drone-logbook/main.tf"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("linked stacks/drone-logbook/secrets -> ../../secrets"),
        "{run}"
    );
    for file in ["main.tf", "terragrunt.hcl"] {
        let committed =
            fs::read_to_string(Path::new(ROOT).join("stacks/drone-logbook").join(file)).unwrap();
        let rendered = p.read(&format!("stacks/drone-logbook/{file}"));
        assert!(
            committed == rendered,
            "{file} differs from the committed stack"
        );
    }
    assert_eq!(
        fs::read_link(p.path("stacks/drone-logbook/secrets")).unwrap(),
        Path::new("../../secrets")
    );
}

#[test]
fn rerender_rewrites_nothing_and_says_so() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    let before = p.mtime("stacks/drone-logbook/main.tf");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml"]);
    run.success();
    assert!(
        run.stdout
            .contains("unchanged stacks/drone-logbook/main.tf"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("nothing to do: 1 stack already up to date"),
        "{run}"
    );
    assert_eq!(p.mtime("stacks/drone-logbook/main.tf"), before);
}

#[test]
fn the_project_specs_and_stacks_are_in_sync() {
    let run = dlgen(Path::new(ROOT), &["check"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("in sync"), "{run}");
}

#[test]
fn check_fails_with_a_readable_diff_after_a_hand_edit_and_passes_after_rerender() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    p.dlgen(&["check"]).success();

    let main = p.read("stacks/drone-logbook/main.tf");
    p.write(
        "stacks/drone-logbook/main.tf",
        &main.replace("cpu    = \"25m\"", "cpu    = \"50m\""),
    );
    let run = p.dlgen(&["check"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("--- stacks/drone-logbook/main.tf (committed)"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("+++ stacks/drone-logbook/main.tf (rendered)"),
        "{run}"
    );
    assert!(
        run.stdout.contains("-              cpu    = \"50m\""),
        "{run}"
    );
    assert!(
        run.stdout.contains("+              cpu    = \"25m\""),
        "{run}"
    );
    assert!(run.stdout.contains("@@"), "{run}");
    assert!(run.stderr.contains("1 finding"), "{run}");

    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    p.dlgen(&["check"]).success();
}

#[test]
fn check_names_missing_and_orphaned_files() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    fs::remove_file(p.path("stacks/drone-logbook/terragrunt.hcl")).unwrap();
    fs::create_dir_all(p.path("stacks/gone")).unwrap();
    let orphan = p.read("stacks/drone-logbook/main.tf");
    p.write("stacks/gone/main.tf", &orphan);
    p.write("stacks/hand-written/main.tf", "# hand-written, not ours\n");

    let run = p.dlgen(&["check"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("missing: stacks/drone-logbook/terragrunt.hcl"),
        "{run}"
    );
    assert!(
        run.stdout.contains("orphaned: stacks/gone/main.tf"),
        "{run}"
    );
    assert!(!run.stdout.contains("hand-written"), "{run}");
}

#[test]
fn check_of_a_bad_spec_is_an_error_not_drift() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.write("specs/broken.yaml", "name: [unclosed\n");
    let run = p.dlgen(&["check"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("specs/broken.yaml:"), "{run}");
}

#[test]
fn check_without_a_specs_directory_is_an_error() {
    let p = Project::empty();
    let run = p.dlgen(&["check"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("specs"), "{run}");
}

#[test]
fn malformed_yaml_names_file_line_and_column_and_writes_nothing() {
    let p = Project::empty();
    p.write("specs/bad.yaml", "name: app\ncontainers:\n  - image: [x\n");
    let run = p.dlgen(&["render", "specs/bad.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("specs/bad.yaml:"), "{run}");
    assert!(run.stderr.contains("error"), "{run}");
    assert!(!p.path("stacks").exists(), "a failed render created files");
}

#[test]
fn an_unknown_field_names_line_column_and_field() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    let spec = p
        .read("specs/drone-logbook.yaml")
        .replace("    port: 80\n", "    port: 80\n    prot: 81\n");
    p.write("specs/drone-logbook.yaml", &spec);
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    let line = spec.lines().position(|l| l.contains("prot: 81")).unwrap() + 1;
    assert!(
        run.stderr.contains(&format!(
            "specs/drone-logbook.yaml:{line}:5: error: unknown field `prot` in `containers[0]`"
        )),
        "{run}"
    );
    assert!(run.stderr.contains("did you mean `port`?"), "{run}");
    assert!(!p.path("stacks").exists(), "a failed render created files");
}

#[test]
fn a_missing_required_field_names_line_and_field() {
    let p = Project::empty();
    p.write(
        "specs/app.yaml",
        "name: app\ncontainers:\n  - port: 80\n    resources: {cpu: 10m, memory: 64Mi}\n",
    );
    let run = p.dlgen(&["render", "specs/app.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains(
            "specs/app.yaml:3:5: error: missing required field `image` at `containers[0].image`"
        ),
        "{run}"
    );
    assert!(!p.path("stacks").exists(), "a failed render created files");
}

#[test]
fn one_bad_spec_stops_every_write() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.write("specs/bad.yaml", "name: bad\nunknown: 1\n");
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml", "specs/bad.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        !p.path("stacks").exists(),
        "the good spec was written although the run failed"
    );
}

#[test]
fn a_hand_written_file_is_never_overwritten() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.write("stacks/drone-logbook/main.tf", "# hand-written\n");
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("refusing to overwrite a file dlgen did not generate"),
        "{run}"
    );
    assert_eq!(p.read("stacks/drone-logbook/main.tf"), "# hand-written\n");
    assert!(!p.path("stacks/drone-logbook/terragrunt.hcl").exists());

    p.dlgen(&["render", "specs/drone-logbook.yaml", "--force"])
        .success();
    assert!(
        p.read("stacks/drone-logbook/main.tf")
            .starts_with("# Generated by dlgen from specs/drone-logbook.yaml")
    );
}

#[test]
fn the_header_names_the_spec_whatever_the_working_directory() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    fs::create_dir_all(p.path("sub")).unwrap();
    dlgen(
        &p.path("sub"),
        &[
            "render",
            "../specs/drone-logbook.yaml",
            "--stacks-dir",
            "../stacks",
        ],
    )
    .success();
    let main = p.read("stacks/drone-logbook/main.tf");
    assert!(
        main.starts_with(
            "# Generated by dlgen from specs/drone-logbook.yaml. DO NOT EDIT BY HAND:\n"
        ),
        "{main}"
    );
    p.dlgen(&["check"]).success();
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let p = Project::empty();
    assert_eq!(p.dlgen(&["render"]).code, 2);
    assert_eq!(p.dlgen(&["frobnicate"]).code, 2);
    let help = p.dlgen(&["--help"]);
    assert_eq!(help.code, 0, "{help}");
    assert!(help.stdout.contains("render"), "{help}");
}

#[test]
fn every_bundled_spec_renders_warning_free() {
    let names: Vec<String> = fs::read_dir(Path::new(ROOT).join("specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    assert!(!names.is_empty());
    let p = Project::with_specs(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let mut args = vec!["render".to_owned()];
    args.extend(names.iter().map(|n| format!("specs/{n}")));
    let run = p.dlgen(&args.iter().map(String::as_str).collect::<Vec<_>>());
    run.success();
    assert!(!run.stderr.contains("warning["), "{run}");
    let lint = p.dlgen(&["lint", "--all", "--deny", "warnings"]);
    assert_eq!(lint.code, 0, "{lint}");
    assert_eq!(lint.stdout, "", "{lint}");
}

#[test]
fn lint_all_on_the_project_stacks_is_clean() {
    let run = dlgen(Path::new(ROOT), &["lint", "--all", "--deny", "warnings"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "", "{run}");
}
