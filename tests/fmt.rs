//! `dlgen fmt`: byte for byte what `terraform fmt` prints, on edge cases (checked always)
//! and, when `terraform` is on `PATH`, against terraform itself as the oracle over the
//! formatter fixtures, every file under `stacks/`, the lint fixtures and a tree of
//! hand-written-style stacks; then the command line: exit codes, output, what is written.

mod common;

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Project, ROOT};

/// `(name, input, as terraform fmt leaves the file, as terraform fmt - prints it)`, as
/// Terraform v1.11 formats them.
const EDGE_CASES: &[(&str, &str, &str, &str)] = &[
    ("no final newline", "a=1", "a = 1", "a = 1\n"),
    ("empty", "", "", "\n"),
    (
        "blanks before the end",
        "a = 1   ",
        "a = 1   ",
        "a = 1   \n",
    ),
    (
        "blank last line",
        "a = 1\n   ",
        "a = 1\n   ",
        "a = 1\n   \n",
    ),
    ("tabs before the end", "a = 1\t\t", "a = 1  ", "a = 1  \n"),
    (
        "blanks after a brace",
        "x {\n}   ",
        "x {\n}   ",
        "x {\n}   \n",
    ),
    ("indented first line", "   a = 1", "a = 1", "a = 1\n"),
    ("only blank lines", "\n\n", "\n\n", "\n\n"),
    (
        "blank lines kept",
        "\n\n\na = 1\n\n\n\nb = 2\n\n\n",
        "\n\n\na = 1\n\n\n\nb = 2\n\n\n",
        "\n\n\na = 1\n\n\n\nb = 2\n\n\n",
    ),
    (
        "crlf",
        "a=1\r\n\r\nbb = 2 # c  \r\nx {\r\n  y = \"${a}\"\r\n}\r\n",
        "a = 1\r\n\r\nbb = 2 # c  \r\nx {\r\n  y = a\r\n}\r\n",
        "a = 1\r\n\r\nbb = 2 # c  \r\nx {\r\n  y = a\r\n}\r\n",
    ),
    (
        "crlf heredoc",
        "a = <<EOT\r\nx\r\nEOT\r\n",
        "a = <<EOT\r\nx\r\nEOT\r\n",
        "a = <<EOT\r\nx\r\nEOT\r\n",
    ),
    (
        "comment at the end",
        "a = 1 # c\t ",
        "a = 1 # c\t ",
        "a = 1 # c\t \n",
    ),
    (
        "trailing blanks in comments",
        "a = 1  # c   \n/* a  \n b  */\nb = 2 // d \t\n",
        "a = 1 # c   \n/* a  \n b  */\nb = 2 // d \t\n",
        "a = 1 # c   \n/* a  \n b  */\nb = 2 // d \t\n",
    ),
    (
        "heredoc marker blanks",
        "a = <<EOT\nx  \nEOT   \nb = 1\n",
        "a = <<EOT\nx  \nEOT   \nb = 1\n",
        "a = <<EOT\nx  \nEOT   \nb = 1\n",
    ),
    (
        "flush heredoc as written",
        "x {\n  a = <<-EOT\n      hi\n    EOT\n}\n",
        "x {\n  a = <<-EOT\n      hi\n    EOT\n}\n",
        "x {\n  a = <<-EOT\n      hi\n    EOT\n}\n",
    ),
    (
        "nested interpolation",
        "a = \"${\"${x}\"}\"\n",
        "a = \"${x}\"\n",
        "a = \"${x}\"\n",
    ),
    (
        "legacy types",
        "variable \"x\" {\n  type = \"string\"\n}\n",
        "variable \"x\" {\n  type = string\n}\n",
        "variable \"x\" {\n  type = string\n}\n",
    ),
    (
        "messy block",
        "resource aws_instance  web{\nami=\"x\"\n    tags = {\n  Name=\"y\"\n    long_name = 1}\n}\n",
        "resource \"aws_instance\" \"web\" {\n  ami = \"x\"\n  tags = {\n    Name = \"y\"\n  long_name = 1 }\n}\n",
        "resource \"aws_instance\" \"web\" {\n  ami = \"x\"\n  tags = {\n    Name = \"y\"\n  long_name = 1 }\n}\n",
    ),
];

#[test]
fn edge_cases_format_as_terraform_formats_them() {
    for &(name, input, as_file, on_stdin) in EDGE_CASES {
        let file = dlgen::reformat::format_bytes(input.as_bytes(), false)
            .unwrap_or_else(|e| panic!("{name}: {}", e.report(Path::new("f.tf"))));
        assert_eq!(file, as_file, "{name} (.tf)");
        let hcl = dlgen::reformat::format_bytes(input.as_bytes(), true)
            .unwrap_or_else(|e| panic!("{name}: {}", e.report(Path::new("f.hcl"))));
        assert_eq!(hcl, on_stdin, "{name} (.hcl)");
        // terraform fmt's output is its own fixed point, except that a nested
        // interpolation loses one more level per run; so is ours.
        let again = dlgen::reformat::format_bytes(as_file.as_bytes(), false).unwrap();
        if name == "nested interpolation" {
            assert_eq!(again, "a = x\n", "{name}: second run");
        } else {
            assert_eq!(again, as_file, "{name}: second run");
        }
    }
}

#[test]
fn generated_files_are_fixed_points_of_fmt() {
    // What render writes needs no `dlgen fmt`: the generated-file policies are fixed points
    // of terraform fmt.
    for entry in walk(&Path::new(ROOT).join("stacks")) {
        let bytes = fs::read(&entry).unwrap();
        let hcl = entry.extension().is_some_and(|e| e == "hcl");
        let formatted = dlgen::reformat::format_bytes(&bytes, hcl)
            .unwrap_or_else(|e| panic!("{}", e.report(&entry)));
        assert!(
            formatted.as_bytes() == bytes.as_slice(),
            "{} changes under dlgen fmt",
            entry.display()
        );
    }
}

// ---------------------------------------------------------------------------------------
// The terraform oracle.

fn terraform_available() -> bool {
    let found = Command::new("terraform")
        .arg("version")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!(
            "skipped: `terraform` is not on PATH, so dlgen fmt was not compared with terraform fmt"
        );
    }
    found
}

fn terraform(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("terraform")
        .args(args)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .current_dir(dir)
        .output()
        .expect("terraform runs")
}

/// What `terraform fmt -` prints for `input`.
fn terraform_stdin(input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("terraform")
        .args(["fmt", "-no-color", "-"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("terraform runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("terraform runs");
    writer.join().expect("writer").expect("stdin written");
    assert!(
        out.status.success(),
        "terraform fmt - failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every regular file under `dir` (not following symlinks), sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let t = entry.file_type().unwrap();
            if t.is_dir() {
                todo.push(entry.path());
            } else if t.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let rel = file.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&file, &dest).unwrap();
    }
}

/// The oracle's input: the formatter fixtures, the committed stacks, the lint fixtures,
/// hand-written-style stacks and the edge cases, as `.tf` and `.hcl` files.
fn oracle_tree(root: &Path) -> usize {
    let repo = Path::new(ROOT);
    for (from, to) in [
        ("tests/fixtures/format", "fixtures"),
        ("stacks", "stacks"),
        ("tests/fixtures/lint", "lint"),
    ] {
        copy_tree(&repo.join(from), &root.join(to));
    }
    let synth_root = root.join("synth");
    fs::create_dir_all(&synth_root).unwrap();
    let shape = synth::Shape {
        stacks: 24,
        files: 60,
        bytes: 400_000,
        seed: 3,
    };
    synth::generate(&synth_root, &shape).expect("synthetic stacks");
    for (i, &(_, input, _, _)) in EDGE_CASES.iter().enumerate() {
        fs::create_dir_all(root.join("edge")).unwrap();
        fs::write(root.join(format!("edge/case-{i:02}.tf")), input).unwrap();
        fs::write(root.join(format!("edge/case-{i:02}.hcl")), input).unwrap();
        fs::write(root.join(format!("edge/case-{i:02}.tfvars")), input).unwrap();
    }
    walk(root)
        .iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "tf" || e == "hcl" || e == "tfvars")
        })
        .count()
}

#[test]
fn fmt_formats_every_file_as_terraform_does() {
    if !terraform_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let theirs = tmp.path().join("theirs");
    let ours = tmp.path().join("ours");
    let files = oracle_tree(&theirs);
    assert!(files > 150, "only {files} files in the oracle tree");
    copy_tree(&theirs, &ours);

    // terraform: `.tf` files in place; each `.hcl` file (which terraform fmt skips in a
    // directory) through `terraform fmt -`.
    let run = terraform(&["fmt", "-recursive", "-no-color", "."], &theirs);
    assert!(
        run.status.success(),
        "terraform fmt failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    for hcl in walk(&theirs)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "hcl"))
    {
        let formatted = terraform_stdin(&fs::read(&hcl).unwrap());
        fs::write(&hcl, formatted).unwrap();
    }

    let run = common::dlgen(&ours, &["fmt"]);
    run.success();
    let mut differ = Vec::new();
    for file in walk(&theirs) {
        let rel = file.strip_prefix(&theirs).unwrap();
        if fs::read(&file).unwrap() != fs::read(ours.join(rel)).unwrap() {
            differ.push(rel.display().to_string());
        }
    }
    assert!(
        differ.is_empty(),
        "dlgen fmt and terraform fmt disagree on {} of {files} files: {differ:?}",
        differ.len()
    );
    // And both agree on what is still not formatted after one run: only the nested
    // interpolation, which loses a level per run (terraform fmt -check skips `.hcl`).
    let ours_check = common::dlgen(&ours, &["fmt", "--check"]);
    assert_eq!(ours_check.code, 1, "{ours_check}");
    let theirs_check = terraform(&["fmt", "-check", "-recursive", "-no-color", "."], &ours);
    let theirs_list = String::from_utf8_lossy(&theirs_check.stdout).into_owned();
    let ours_list: String = ours_check
        .stdout
        .lines()
        .filter(|l| !l.ends_with(".hcl"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(ours_list, theirs_list);
    let nested = EDGE_CASES
        .iter()
        .position(|c| c.0 == "nested interpolation")
        .unwrap();
    assert_eq!(
        ours_list,
        format!("edge/case-{nested:02}.tf\nedge/case-{nested:02}.tfvars\n")
    );
}

// ---------------------------------------------------------------------------------------
// The command line.

const UNFORMATTED: &str = "resource \"x\" \"y\" {\nname=\"a\"\n  count  =  1\n}\n";
const FORMATTED: &str = "resource \"x\" \"y\" {\n  name  = \"a\"\n  count = 1\n}\n";

fn project() -> Project {
    let p = Project::empty();
    p.write("stacks/a/main.tf", UNFORMATTED);
    p.write(
        "stacks/a/terragrunt.hcl",
        "include \"root\" {\npath=find_in_parent_folders()\n}",
    );
    p.write("stacks/b/main.tf", FORMATTED);
    p.write(
        "stacks/b/prod.tfvars",
        "replicas=1\nimage_tag  =  \"1.2\"\n",
    );
    p.write("stacks/b/README.md", "name=\"a\"\n");
    p.write("stacks/a/.terraform/modules/m/main.tf", UNFORMATTED);
    p.write("stacks/.hidden.tf", UNFORMATTED);
    p
}

#[test]
fn check_lists_unformatted_files_exits_1_and_writes_nothing() {
    let p = project();
    let before = p.mtime("stacks/a/main.tf");
    let run = p.dlgen(&["fmt", "--check", "stacks"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(
        run.stdout, "stacks/a/main.tf\nstacks/a/terragrunt.hcl\nstacks/b/prod.tfvars\n",
        "{run}"
    );
    assert!(run.stderr.contains("3 of 4 files not formatted"), "{run}");
    assert_eq!(p.read("stacks/a/main.tf"), UNFORMATTED);
    assert_eq!(p.mtime("stacks/a/main.tf"), before);
}

#[test]
fn diff_prints_unified_diffs() {
    let p = project();
    let run = p.dlgen(&["fmt", "--check", "--diff", "stacks/a/main.tf"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .starts_with("--- stacks/a/main.tf (original)\n+++ stacks/a/main.tf (formatted)\n@@"),
        "{run}"
    );
    assert!(run.stdout.contains("-name=\"a\"\n"), "{run}");
    assert!(run.stdout.contains("+  name  = \"a\"\n"), "{run}");
    assert_eq!(p.read("stacks/a/main.tf"), UNFORMATTED);
}

#[test]
fn fmt_writes_only_what_changes_and_skips_hidden_and_other_files() {
    let p = project();
    let untouched = p.mtime("stacks/b/main.tf");
    let run = p.dlgen(&["fmt"]);
    run.success();
    assert_eq!(
        run.stdout, "stacks/a/main.tf\nstacks/a/terragrunt.hcl\nstacks/b/prod.tfvars\n",
        "{run}"
    );
    assert_eq!(p.read("stacks/a/main.tf"), FORMATTED);
    assert_eq!(
        p.read("stacks/b/prod.tfvars"),
        "replicas  = 1\nimage_tag = \"1.2\"\n"
    );
    // A `.hcl` file is formatted as on terraform's stdin: it gains its final line break.
    assert_eq!(
        p.read("stacks/a/terragrunt.hcl"),
        "include \"root\" {\n  path = find_in_parent_folders()\n}\n"
    );
    assert_eq!(p.mtime("stacks/b/main.tf"), untouched);
    assert_eq!(p.read("stacks/a/.terraform/modules/m/main.tf"), UNFORMATTED);
    assert_eq!(p.read("stacks/.hidden.tf"), UNFORMATTED);
    assert_eq!(p.read("stacks/b/README.md"), "name=\"a\"\n");
    // No temporary file is left behind.
    let leftovers: Vec<String> = fs::read_dir(p.path("stacks/a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".dlgen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let again = p.dlgen(&["fmt"]);
    again.success();
    assert_eq!(again.stdout, "", "{again}");
    p.dlgen(&["fmt", "--check"]).success();
}

#[test]
fn a_file_that_does_not_parse_is_named_with_its_position_and_nothing_is_written() {
    let p = project();
    p.write("stacks/c/main.tf", "a = 1\nb = = 2\n");
    let run = p.dlgen(&["fmt", "stacks"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("stacks/c/main.tf:2:5: error: not valid HCL"),
        "{run}"
    );
    assert!(run.stderr.contains("nothing written"), "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert_eq!(p.read("stacks/a/main.tf"), UNFORMATTED);

    // With --check the unformatted files are still listed; the exit code is 2.
    let run = p.dlgen(&["fmt", "--check", "stacks"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.contains("stacks/a/main.tf"), "{run}");

    p.write("stacks/c/main.tf", "x {\n  a = 1\n");
    let run = p.dlgen(&["fmt", "stacks/c/main.tf"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("stacks/c/main.tf:1:3: error: unbalanced brackets: `{` is never closed"),
        "{run}"
    );
}

#[test]
fn bad_paths_are_errors() {
    let p = project();
    let run = p.dlgen(&["fmt", "stacks/b/README.md"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("not a Terraform or HCL file"), "{run}");
    let run = p.dlgen(&["fmt", "nowhere"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("nowhere"), "{run}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_formatted_through_the_link_which_stays() {
    let p = Project::empty();
    p.write("shared/providers.tf", UNFORMATTED);
    fs::create_dir_all(p.path("stacks/a")).unwrap();
    std::os::unix::fs::symlink("../../shared/providers.tf", p.path("stacks/a/providers.tf"))
        .unwrap();
    // A symlinked directory is not followed.
    std::os::unix::fs::symlink("../shared", p.path("stacks/linked")).unwrap();
    let run = p.dlgen(&["fmt", "stacks"]);
    run.success();
    assert_eq!(run.stdout, "stacks/a/providers.tf\n", "{run}");
    assert!(
        fs::symlink_metadata(p.path("stacks/a/providers.tf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(p.read("shared/providers.tf"), FORMATTED);
}

/// Runs `dlgen args...` with `input` on stdin.
fn dlgen_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlgen"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dlgen runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("dlgen runs");
    writer.join().expect("writer").expect("stdin written");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_dash_formats_stdin_to_stdout_like_terraform_fmt_dash() {
    for &(name, input, _, on_stdin) in EDGE_CASES {
        let (code, stdout, stderr) = dlgen_stdin(&["fmt", "-"], input);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(stdout, on_stdin, "{name}");
    }
    let (code, stdout, _) = dlgen_stdin(&["fmt", "--check", "-"], UNFORMATTED);
    assert_eq!((code, stdout.as_str()), (1, ""));
    let (code, _, _) = dlgen_stdin(&["fmt", "--check", "-"], FORMATTED);
    assert_eq!(code, 0);
    let (code, stdout, _) = dlgen_stdin(&["fmt", "--diff", "-"], UNFORMATTED);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("--- <stdin> (original)\n"), "{stdout}");
    let (code, stdout, stderr) = dlgen_stdin(&["fmt", "-"], "a = = 1\n");
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("<stdin>:1:5: error: not valid HCL"),
        "{stderr}"
    );
}
