//! Inputs that fight back: one test per case of the adversarial corpus
//! (`tests/fixtures/adversarial/`, described in its README) and per hostile situation on
//! disk. Each runs the `dlgen` binary in a project that already holds a good render and a
//! hand-written stack, and asserts the exit code, what the message says, and — for every
//! refusal — that not one file, directory, symlink or mtime changed.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{Project, ROOT, Run};

const CORPUS: &str = "tests/fixtures/adversarial";

/// Everything under a directory: path → (kind, contents or link target, mtime).
type Tree = BTreeMap<PathBuf, (&'static str, Vec<u8>, Option<SystemTime>)>;

fn tree(root: &Path) -> Tree {
    let mut out = Tree::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walk the project");
        let path = entry.path().strip_prefix(root).unwrap().to_path_buf();
        let meta = fs::symlink_metadata(entry.path()).unwrap();
        let mtime = meta.modified().ok();
        let value = if meta.file_type().is_symlink() {
            let target = fs::read_link(entry.path()).unwrap();
            (
                "symlink",
                target.to_string_lossy().as_bytes().to_vec(),
                None,
            )
        } else if meta.is_dir() {
            ("dir", Vec::new(), None)
        } else if meta.is_file() {
            // Unreadable files (a case below) are compared by metadata only.
            let bytes = fs::read(entry.path()).unwrap_or_default();
            ("file", bytes, mtime)
        } else {
            ("other", Vec::new(), mtime)
        };
        out.insert(path, value);
    }
    out
}

/// A project with `specs/drone-logbook.yaml` rendered into `stacks/` (the earlier good
/// render that must survive) and a hand-written stack.
fn project() -> Project {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.dlgen(&["render", "specs/drone-logbook.yaml"]).success();
    p.write(
        "stacks/hand-written/main.tf",
        "# written by a person\nresource \"x\" \"y\" {}\n",
    );
    p
}

/// Runs `dlgen args` in `p` and asserts that the project is exactly as before.
fn run_changing_nothing(p: &Project, args: &[&str]) -> Run {
    let root = p.path("");
    let before = tree(&root);
    let run = p.dlgen(args);
    let after = tree(&root);
    if before != after {
        let changed: Vec<_> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        panic!("the run changed {changed:?}\n{run}");
    }
    run
}

#[track_caller]
fn assert_says(run: &Run, code: i32, needles: &[&str]) {
    assert_eq!(run.code, code, "{run}");
    for needle in needles {
        assert!(run.stderr.contains(needle), "missing {needle:?}\n{run}");
    }
    // A spec's text never reaches the terminal raw.
    assert!(
        !run.stderr.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in the message\n{run}"
    );
}

fn corpus(name: &str) -> Vec<u8> {
    fs::read(Path::new(ROOT).join(CORPUS).join(name)).expect("corpus file")
}

/// Copies the corpus file into `specs/`, renders it, and asserts a refusal that changes
/// nothing and says every `needle` (`{}` stands for `specs/<file>`).
#[track_caller]
fn refused(file: &str, needles: &[&str]) -> Run {
    let p = project();
    let spec = format!("specs/{file}");
    fs::write(p.path(&spec), corpus(file)).unwrap();
    let needles: Vec<String> = needles.iter().map(|n| n.replace("{}", &spec)).collect();
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    let run = run_changing_nothing(&p, &["render", &spec]);
    assert_says(&run, 2, &needles);
    // The same spec next to the good one: still all-or-nothing.
    let both = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml", &spec]);
    assert_eq!(both.code, 2, "{both}");
    run
}

/// Number of `error:` headlines.
fn errors(run: &Run) -> usize {
    run.stderr.matches(": error: ").count()
}

// --- malformed YAML ---------------------------------------------------------------------

#[test]
fn malformed_yaml() {
    refused(
        "malformed-yaml.yaml",
        &["{}:4:9: error: invalid YAML", "4 |     port: 80"],
    );
}

#[test]
fn tab_indentation() {
    refused(
        "tab-indentation.yaml",
        &["{}:3:2: error: invalid YAML", "help: indent with spaces"],
    );
}

#[test]
fn two_documents() {
    refused(
        "two-documents.yaml",
        &["{}:2:1: error: a spec file must hold exactly one YAML document"],
    );
}

#[test]
fn duplicate_keys() {
    refused(
        "duplicate-keys.yaml",
        &["{}:2:1: error: duplicate key `name` at the top level: first defined at line 1"],
    );
}

#[test]
fn alias_bomb() {
    refused(
        "alias-bomb.yaml",
        &["{}:2:4: error: anchors (`&name`) are not supported in specs"],
    );
}

#[test]
fn deep_nesting() {
    refused(
        "deep-nesting.yaml",
        &[
            "{}:2:",
            "error: the spec is nested too deeply (more than 64 levels)",
        ],
    );
}

#[test]
fn empty_file() {
    refused("empty.yaml", &["{}: error: spec is empty"]);
}

#[test]
fn comments_only() {
    refused("comments-only.yaml", &["{}: error: spec is empty"]);
}

#[test]
fn not_utf8() {
    refused(
        "not-utf8.yaml",
        &["{}:2:13: error: the spec is not valid UTF-8 text"],
    );
}

// --- wrong types, unknown fields, misspelt values ---------------------------------------

#[test]
fn wrong_types() {
    let run = refused(
        "wrong-types.yaml",
        &[
            "{}:2:7: error: expected a boolean (`true` or `false`), found string `maybe` at `keel`",
            "{}:5:11: error: expected an integer from 0 to 65535, found string `eighty` at `containers[0].port`",
            "{}:6:10: error: expected a list, found a mapping at `containers[0].env`",
            "{}:8:10: error: expected a list, found string `data` at `volumes`",
        ],
    );
    assert_eq!(errors(&run), 4, "{run}");
}

#[test]
fn unknown_fields() {
    refused(
        "unknown-fields.yaml",
        &[
            "{}:1:1: error: unknown field `nmae` at the top level of the spec",
            "did you mean `name`?",
            "{}:3:5: error: unknown field `imge` in `containers[0]`",
            "valid fields are `name`, `comment`, `image`, `port`, `port_name`, `command`, `args`, `env`, `resources`, `resources_why`, `liveness_probe`, `readiness_probe`, `startup_probe`, `raw`, `image_pull_policy`, `working_dir`, `stdin`, `tty`, `ports`, `env_from`, `mounts`, `security_context`, `lifecycle`, `keel`, `keel_why`, `keel_comment`; did you mean `image`?",
        ],
    );
}

#[test]
fn misspelt_enum_values() {
    refused(
        "misspelt-enums.yaml",
        &[
            "{}:2:7: error: unknown value `auxx` at `tier`",
            "did you mean `aux`?",
            "{}:9:14: error: unknown value `proxmox-lvm-encryted` at `volumes[0].storage`",
            "did you mean `proxmox-lvm-encrypted`?",
            "{}:12:9: error: unknown value `requierd` at `ingress.auth`",
            "valid values are `required`, `app`, `public`, `none`; did you mean `required`?",
            "{}:13:13: error: unknown value `non_proxied` at `ingress.dns_type`",
            "did you mean `non-proxied`?",
        ],
    );
}

#[test]
fn huge_values() {
    refused(
        "huge-values.yaml",
        &[
            "{}:4:11: error: expected an integer from 0 to 65535, found integer `99999`",
            "{}:8:19: error: expected an integer from 0 to 4294967295, found integer `123456789012345678901234567890`",
            "{}:9:30: error: expected an integer from 0 to 4294967295, found integer `-5`",
            "{}:14:15: error: autoresize ceiling `1Ki` is below the requested size",
        ],
    );
}

#[test]
fn a_spec_over_the_size_limit() {
    let p = project();
    let mut text = String::from("name: app\ncomment: |\n");
    while text.len() <= 1024 * 1024 {
        text.push_str("  padding padding padding padding padding padding padding padding\n");
    }
    p.write("specs/huge.yaml", &text);
    let run = run_changing_nothing(&p, &["render", "specs/huge.yaml"]);
    assert_says(
        &run,
        2,
        &[
            "specs/huge.yaml: is ",
            "bytes; a spec is at most 1048576 bytes",
        ],
    );
}

// --- names that would leave the stacks directory or smuggle syntax ----------------------

#[test]
fn traversal_name() {
    refused(
        "traversal-name.yaml",
        &[
            "{}:1:7: error: invalid stack name `../../etc` at `name`",
            "(a DNS-1123 label)",
        ],
    );
}

#[test]
fn absolute_name() {
    refused(
        "absolute-name.yaml",
        &["{}:1:7: error: invalid stack name `/etc/cron.d` at `name`"],
    );
}

#[test]
fn slash_name() {
    refused(
        "slash-name.yaml",
        &["{}:1:7: error: invalid stack name `stacks/app` at `name`"],
    );
}

#[test]
fn injection_in_names() {
    let run = refused(
        "injection-in-names.yaml",
        &[
            "{}:1:7: error: invalid stack name `x\" { }`",
            "{}:2:19: error: invalid namespace `a\\nresource`",
            "{}:4:12: error: invalid image `ghcr.io/o/a:latest\" }`",
            "{}:7:15: error: invalid environment variable `A = \"b\"`",
            "{}:9:22: error: invalid cpu `25m\"`",
            "{}:11:11: error: invalid volume name `${var.x}`",
            "{}:13:11: error: invalid NFS path `/srv/nfs/a/../../../etc`",
        ],
    );
    assert_eq!(errors(&run), 7, "{run}");
}

#[test]
fn raw_value_injection() {
    // `{hcl: ...}` is one expression on one line: nothing can close the block it sits in,
    // add a block, swallow the line, or read what a value of the stack may not.
    let run = refused(
        "raw-value-injection.yaml",
        &[
            "{}:8:32: error: invalid HCL expression `var.x\\n}\\nresource",
            "is not one expression on one line",
            "{}:9:32: error: invalid HCL expression `var.x } resource",
            "does not parse as one HCL expression",
            "{}:10:32: error: invalid HCL expression `<<EOT",
            "{}:11:32: error: invalid HCL expression `var.x # swallows",
            "{}:12:32: error: invalid HCL expression `\"${each.key}\"`",
            "names `each.`",
            "{}:13:32:",
            "names `terraform.`",
            "{}:14:32: error: invalid HCL expression `` at `containers[0].env[6].value.hcl`",
            "is empty",
        ],
    );
    assert_eq!(errors(&run), 7, "{run}");
}

// --- validation: every problem at once, with what is valid ------------------------------

#[test]
fn many_problems_are_reported_together() {
    let run = refused(
        "many-problems.yaml",
        &[
            "{}:1:7: error: invalid stack name `App_1`",
            "{}:3:12: error: invalid image `Ghcr.io/Owner/App`",
            "{}:4:11: error: port 0 is not a valid container port",
            "{}:8:15: error: duplicate environment variable `A` at `containers[0].env[1].name`",
            "{}:10:15: error: invalid environment variable `1BAD`",
            "{}:12:22: error: invalid cpu `25 m`",
            "{}:12:36: error: invalid memory `512MB`",
            "e.g. `25m`, `512Mi`, `2Gi`",
            "{}:17:15: error: autoresize ceiling `2Gi` is below the requested size `10Gi`",
            "{}:18:12: error: invalid mount path `data`",
            "must be an absolute path (starting with `/`)",
            "{}:19:11: error: duplicate volume name `data` at `volumes[1].name`",
            "{}:21:12: error: mount path `data` is used by two volumes",
            "{}:23:13: error: invalid schedule `0 0 */8 * * *`",
            "has 6 fields; a CronJob schedule has 5",
        ],
    );
    assert_eq!(errors(&run), 13, "{run}");
}

#[test]
fn plaintext_secrets() {
    refused(
        "plaintext-secret.yaml",
        &[
            "{}:7:16: error: `DB_PASSWORD` looks like a secret but has a plaintext value",
            "{}:9:16: error: `API_TOKEN` looks like a secret but has a plaintext value",
            "store it in Vault at secret/app and write `secret: <key>` instead of `value:`",
        ],
    );
}

#[test]
fn auth_without_reason() {
    refused(
        "auth-without-reason.yaml",
        &[
            "error: `auth: none` needs a written reason at `ingress.auth_why`",
            "add `auth_why:`",
        ],
    );
}

// --- injection strings in free text: accepted, inert ------------------------------------

#[test]
fn injection_in_free_text_is_written_inert() {
    let p = project();
    fs::write(p.path("specs/app.yaml"), corpus("injection-in-text.yaml")).unwrap();
    let run = p.dlgen(&["render", "specs/app.yaml"]);
    run.success();
    let main = p.read("stacks/app/main.tf");
    let body = hcl::parse(&main).expect("the stack parses");
    // Exactly the blocks dlgen writes: nothing smuggled in.
    let blocks: Vec<String> = body
        .blocks()
        .map(|b| {
            let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
            format!("{} {}", b.identifier(), labels.join(" "))
        })
        .collect();
    assert_eq!(
        blocks,
        [
            "variable tls_secret_name",
            "resource kubernetes_namespace app",
            "module tls_secret",
            "resource kubernetes_deployment app",
            "resource kubernetes_service app",
            "module ingress"
        ]
    );
    assert!(
        main.contains(r#"value = "$${file(\"/etc/passwd\")}""#),
        "{main}"
    );
    assert!(
        main.contains(r#"value = "\"\n  evil = true\n  x = \"\\""#),
        "{main}"
    );
    assert!(
        main.contains("\"gethomepage.dev/name\"         = \"\\u202eevil\""),
        "{main}"
    );
    assert!(main.contains("# dlgen: allow cpu-limit sneaky"), "{main}");
    assert!(!main.contains("dlgen:allow"), "{main}");
    assert!(
        main.contains("# }\n# resource \"evil\" \"x\" {\n#   y = 1\n"),
        "{main}"
    );
    assert!(
        main.contains("auth            = \"required\" # ok auth = \"none\"\n"),
        "{main}"
    );
    // The formatter, the parser and lint agree: the rendered stack is clean.
    let lint = p.dlgen(&["lint", "stacks/app", "--deny", "warnings"]);
    assert_eq!(lint.code, 0, "{lint}");
}

// --- hostile situations on disk ----------------------------------------------------------

#[test]
fn a_spec_that_does_not_exist() {
    let p = project();
    let run = run_changing_nothing(&p, &["render", "specs/nope.yaml"]);
    assert_says(
        &run,
        2,
        &["error: specs/nope.yaml: No such file or directory"],
    );
}

#[test]
fn a_directory_where_the_spec_should_be() {
    let p = project();
    fs::create_dir_all(p.path("specs/dir.yaml")).unwrap();
    let run = run_changing_nothing(&p, &["render", "specs/dir.yaml"]);
    assert_says(
        &run,
        2,
        &["error: specs/dir.yaml: is a directory; expected a YAML spec file"],
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_spec() {
    use std::os::unix::fs::PermissionsExt as _;
    let p = project();
    p.write("specs/secret.yaml", "name: app\n");
    let path = p.path("specs/secret.yaml");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        eprintln!("skipped: running as a user who reads a file with mode 000 (root)");
        return;
    }
    let run = run_changing_nothing(&p, &["render", "specs/secret.yaml"]);
    assert_says(&run, 2, &["error: specs/secret.yaml: Permission denied"]);
}

#[cfg(unix)]
#[test]
fn a_spec_that_is_a_symlink_loop() {
    let p = project();
    std::os::unix::fs::symlink("loop.yaml", p.path("specs/loop.yaml")).unwrap();
    let run = run_changing_nothing(&p, &["render", "specs/loop.yaml"]);
    assert_says(
        &run,
        2,
        &["error: specs/loop.yaml: Too many levels of symbolic links"],
    );
}

#[cfg(unix)]
#[test]
fn a_spec_that_is_a_pipe_or_a_device() {
    let p = project();
    let run = run_changing_nothing(&p, &["render", "/dev/zero"]);
    assert_says(
        &run,
        2,
        &["error: /dev/zero: is not a regular file (a pipe, socket or device)"],
    );
    let fifo = p.path("specs/fifo.yaml");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let run = run_changing_nothing(&p, &["render", "specs/fifo.yaml"]);
        assert_says(&run, 2, &["specs/fifo.yaml: is not a regular file"]);
    } else {
        eprintln!("skipped the pipe: mkfifo is not available");
    }
}

#[cfg(unix)]
#[test]
fn a_spec_path_with_a_line_break() {
    let p = project();
    let spec = fs::read(Path::new(ROOT).join("specs/drone-logbook.yaml")).unwrap();
    fs::write(p.path("specs/a\nb.yaml"), spec).unwrap();
    let run = run_changing_nothing(&p, &["render", "specs/a\nb.yaml"]);
    assert_says(
        &run,
        2,
        &["the spec's path holds characters a generated header cannot show"],
    );
}

#[test]
fn a_directory_where_a_generated_file_goes() {
    let p = project();
    fs::remove_file(p.path("stacks/drone-logbook/terragrunt.hcl")).unwrap();
    fs::create_dir_all(p.path("stacks/drone-logbook/terragrunt.hcl")).unwrap();
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_says(
        &run,
        2,
        &["stacks/drone-logbook/terragrunt.hcl: is a directory where dlgen writes a file"],
    );
}

#[test]
fn a_hand_written_file_is_refused_and_replaced_only_with_force() {
    let p = project();
    p.write("stacks/drone-logbook/main.tf", "# mine\n");
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_says(
        &run,
        2,
        &[
            "stacks/drone-logbook/main.tf: refusing to overwrite a file dlgen did not generate",
            "pass --force to replace it",
        ],
    );
    p.dlgen(&["render", "specs/drone-logbook.yaml", "--force"])
        .success();
    assert!(
        p.read("stacks/drone-logbook/main.tf")
            .starts_with("# Generated by dlgen")
    );
}

#[test]
fn a_spec_named_like_a_hand_written_stack_is_refused() {
    let p = project();
    let spec = fs::read_to_string(Path::new(ROOT).join("specs/drone-logbook.yaml"))
        .unwrap()
        .replace("name: drone-logbook\n", "name: hand-written\n");
    p.write("specs/clash.yaml", &spec);
    let run = run_changing_nothing(&p, &["render", "specs/clash.yaml"]);
    assert_says(
        &run,
        2,
        &["stacks/hand-written/main.tf: refusing to overwrite a file dlgen did not generate"],
    );
}

#[cfg(unix)]
#[test]
fn a_stack_directory_that_leads_outside() {
    let p = project();
    let outside = tempfile::tempdir().unwrap();
    fs::remove_dir_all(p.path("stacks/drone-logbook")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("stacks/drone-logbook")).unwrap();
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_says(
        &run,
        2,
        &[
            "stacks/drone-logbook: is not a directory inside stacks; dlgen will not write through it",
        ],
    );
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn a_secrets_entry_that_is_not_the_symlink() {
    let p = project();
    fs::remove_file(p.path("stacks/drone-logbook/secrets")).unwrap();
    p.write("stacks/drone-logbook/secrets", "not a link\n");
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_says(
        &run,
        2,
        &["stacks/drone-logbook/secrets: exists but is not the symlink `secrets -> ../../secrets`"],
    );
}

#[test]
fn a_stacks_directory_that_is_a_file() {
    let p = Project::with_specs(&["drone-logbook.yaml"]);
    p.write("stacks", "a file\n");
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_says(
        &run,
        2,
        &["error: stacks: the stacks directory is not a directory"],
    );
}

#[test]
fn two_specs_for_one_stack() {
    let p = project();
    let spec = fs::read_to_string(Path::new(ROOT).join("specs/drone-logbook.yaml")).unwrap();
    p.write("specs/copy.yaml", &spec);
    let run = run_changing_nothing(
        &p,
        &["render", "specs/drone-logbook.yaml", "specs/copy.yaml"],
    );
    assert_says(
        &run,
        2,
        &["both render the stack `drone-logbook`; give one of them another `name`"],
    );
}

// --- --prune and re-runs ------------------------------------------------------------------

#[test]
fn rerunning_rewrites_nothing_and_says_so() {
    let p = project();
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    run.success();
    assert!(
        run.stdout
            .contains("nothing to do: 1 stack already up to date"),
        "{run}"
    );
}

#[test]
fn stale_files_are_named_and_removed_only_with_prune() {
    let p = project();
    // The spec is renamed: its old stack is orphaned. Without --prune a render looks only
    // at the stack directories it renders (it costs its own stacks, not the whole root):
    // `check` names the orphan, --prune removes it.
    let spec = p
        .read("specs/drone-logbook.yaml")
        .replace("name: drone-logbook\n", "name: dronelog\n");
    p.write("specs/drone-logbook.yaml", &spec);
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml"]);
    run.success();
    assert!(!run.stderr.contains("stale:"), "{run}");
    assert!(p.path("stacks/drone-logbook/main.tf").exists());
    let check = p.dlgen(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(
        check
            .stdout
            .contains("orphaned: stacks/drone-logbook/main.tf"),
        "{check}"
    );

    let run = p.dlgen(&["render", "specs/drone-logbook.yaml", "--prune"]);
    run.success();
    for line in [
        "removed stacks/drone-logbook/main.tf",
        "removed stacks/drone-logbook/terragrunt.hcl",
        "removed stacks/drone-logbook/secrets",
        "removed stacks/drone-logbook/",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{run}");
    }
    assert!(!p.path("stacks/drone-logbook").exists());
    assert_eq!(
        p.read("stacks/hand-written/main.tf"),
        "# written by a person\nresource \"x\" \"y\" {}\n"
    );
    p.dlgen(&["check"]).success();
}

#[test]
fn prune_keeps_a_directory_that_holds_other_files() {
    let p = project();
    p.write(
        "stacks/drone-logbook/.terraform.lock.hcl",
        "# terraform's\n",
    );
    fs::remove_file(p.path("specs/drone-logbook.yaml")).unwrap();
    p.write(
        "specs/other.yaml",
        "name: other\ncontainers:\n  - image: ghcr.io/o/a:latest\n    resources: {cpu: 25m, memory: 64Mi}\n",
    );
    let run = p.dlgen(&["render", "specs/other.yaml", "--prune"]);
    run.success();
    assert!(
        run.stdout.contains("removed stacks/drone-logbook/main.tf"),
        "{run}"
    );
    assert!(
        run.stderr.contains(
            "kept stacks/drone-logbook: it holds files dlgen did not generate (.terraform.lock.hcl)"
        ),
        "{run}"
    );
    assert!(p.path("stacks/drone-logbook/.terraform.lock.hcl").exists());
    assert!(fs::symlink_metadata(p.path("stacks/drone-logbook/secrets")).is_ok());
}

#[test]
fn prune_leaves_the_stacks_of_specs_not_rendered() {
    let p = project();
    p.write(
        "specs/other.yaml",
        "name: other\ncontainers:\n  - image: ghcr.io/o/a:latest\n    resources: {cpu: 25m, memory: 64Mi}\n",
    );
    let run = p.dlgen(&["render", "specs/other.yaml", "--prune"]);
    run.success();
    assert!(!run.stdout.contains("removed"), "{run}");
    assert!(p.path("stacks/drone-logbook/main.tf").exists());
}

#[test]
fn a_stale_file_that_cannot_be_read_stops_prune_but_not_render() {
    let p = project();
    // One stale file in the stack being rendered, one in another stack directory.
    for (path, spec) in [
        ("stacks/drone-logbook/old.tf", "specs/drone-logbook.yaml"),
        ("stacks/gone/main.tf", "specs/gone.yaml"),
    ] {
        p.write(
            path,
            &format!("# Generated by dlgen from {spec}. DO NOT EDIT BY HAND:\n"),
        );
        // Over the 16 MiB dlgen reads of a file it may remove (sparse, so cheap).
        fs::OpenOptions::new()
            .write(true)
            .open(p.path(path))
            .unwrap()
            .set_len(17 * 1024 * 1024)
            .unwrap();
    }
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml", "--prune"]);
    assert_says(
        &run,
        2,
        &[
            "stacks/drone-logbook/old.tf: is 17825792 bytes; dlgen replaces or removes no file larger than",
        ],
    );
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("warning: could not look for stale generated files"),
        "{run}"
    );
    // The other stack directory is not looked at without --prune.
    fs::remove_file(p.path("stacks/drone-logbook/old.tf")).unwrap();
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("stacks/gone"), "{run}");
    let run = run_changing_nothing(&p, &["render", "specs/drone-logbook.yaml", "--prune"]);
    assert_says(
        &run,
        2,
        &["stacks/gone/main.tf: is 17825792 bytes; dlgen replaces or removes no file larger than"],
    );
}

#[test]
fn a_stale_file_in_the_rendered_stack_is_named_and_pruned() {
    let p = project();
    // A file this spec once generated beside main.tf, which it no longer produces.
    p.write(
        "stacks/drone-logbook/old.tf",
        "# Generated by dlgen from specs/drone-logbook.yaml. DO NOT EDIT BY HAND:\n",
    );
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml"]);
    run.success();
    assert!(
        run.stderr.contains("stale: stacks/drone-logbook/old.tf was generated by dlgen but no spec produces it any more (render with --prune to remove it)"),
        "{run}"
    );
    assert!(p.path("stacks/drone-logbook/old.tf").exists());
    let run = p.dlgen(&["render", "specs/drone-logbook.yaml", "--prune"]);
    run.success();
    assert!(
        run.stdout.contains("removed stacks/drone-logbook/old.tf"),
        "{run}"
    );
    assert!(!p.path("stacks/drone-logbook/old.tf").exists());
    assert!(p.path("stacks/drone-logbook/main.tf").exists());
    p.dlgen(&["check"]).success();
}

// --- cases first found as gaps ------------------------------------------------------------

/// `.inf` and `.nan` are not numbers a stack can hold; as env values they are the text
/// written (and never reach the renderer as a float that prints as a bare `inf`).
#[test]
fn non_finite_env_values_are_kept_as_the_text_written() {
    let p = project();
    fs::write(
        p.path("specs/app.yaml"),
        corpus("non-finite-env-value.yaml"),
    )
    .unwrap();
    p.dlgen(&["render", "specs/app.yaml"]).success();
    let main = p.read("stacks/app/main.tf");
    for value in ["\".inf\"", "\".nan\""] {
        assert!(
            main.contains(&format!("value = {value}")),
            "{value}\n{main}"
        );
    }
}

#[test]
fn names_that_start_with_a_digit_are_refused_with_a_location() {
    let run = refused("digit-leading-names.yaml", &["{}:1:7: error:", "`name`"]);
    assert!(!run.stderr.contains("a bug in dlgen"), "{run}");
}

#[test]
fn env_values_reach_the_container_as_written() {
    let p = project();
    fs::write(
        p.path("specs/app.yaml"),
        corpus("env-values-as-written.yaml"),
    )
    .unwrap();
    p.dlgen(&["render", "specs/app.yaml"]).success();
    let main = p.read("stacks/app/main.tf");
    for value in ["\"022\"", "\"1.10\"", "\"0x1F\"", "\"1e3\""] {
        assert!(
            main.contains(&format!("value = {value}")),
            "{value}\n{main}"
        );
    }
}

#[test]
fn opting_out_of_keel_needs_a_reason() {
    refused("keel-off-without-reason.yaml", &["{}:2:7: error:", "keel"]);
}

#[test]
fn block_storage_without_a_backup_points_at_the_volume() {
    let run = refused("block-storage-without-backup.yaml", &["backup:"]);
    assert!(!run.stderr.contains(":1:1:"), "{run}");
    assert!(run.stderr.contains("volumes[0]"), "{run}");
}

// --- the corpus and its README agree -------------------------------------------------------

#[test]
fn every_corpus_file_has_a_test_and_a_readme_row() {
    let dir = Path::new(ROOT).join(CORPUS);
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let tests = include_str!("adversarial.rs");
    let mut files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    for file in &files {
        assert!(
            readme.contains(&format!("`{file}`")),
            "{file} is missing from the README"
        );
        assert!(tests.contains(&format!("\"{file}\"")), "{file} has no test");
    }
}

// --- raw HCL that would break Terraform --------------------------------------------------
//
// Each is what `terraform validate` refuses before it needs a provider; dlgen refuses it at
// the raw snippet's own line in the spec, naming what it generates there and the spec field
// that controls it, and writes nothing.

#[test]
fn raw_lifecycle_beside_the_generated_one() {
    refused(
        "raw-lifecycle-beside-generated.yaml",
        &[
            "{}:9:5: error: `lifecycle` is generated by dlgen here (in `kubernetes_deployment.app`); a second block is not valid Terraform at `raw.deployment`",
            "set `keel`, `keel_policy` or `scale_to_zero` instead",
        ],
    );
}

#[test]
fn raw_variable_beside_the_generated_declaration() {
    refused(
        "raw-variable-beside-generated.yaml",
        &[
            "{}:13:5: error: raw HCL declares `var.nfs_server`, which the stack already generates at `raw.stack`",
            "use the variable dlgen declares as it is",
        ],
    );
}

#[test]
fn raw_attribute_repeating_a_generated_one() {
    let run = refused(
        "raw-attribute-repeats-generated.yaml",
        &[
            "{}:9:7: error: `image` is generated by dlgen here (in `kubernetes_deployment.app > spec > template > spec > container`); a second attribute is not valid Terraform at `containers[0].raw`",
            "set the container's `image` instead",
        ],
    );
    assert!(!run.stderr.contains("a bug in dlgen"), "{run}");
}

#[test]
fn raw_block_redeclaring_a_generated_address() {
    refused(
        "raw-block-redeclares-address.yaml",
        &[
            "{}:9:5: error: raw HCL declares `kubernetes_service.app`, which the stack already generates at `raw.stack`",
        ],
    );
}

#[test]
fn raw_local_redeclaring_a_generated_local() {
    refused(
        "raw-local-redeclared.yaml",
        &[
            "{}:13:7: error: raw HCL declares `local.creds`, which the stack already generates at `raw.stack`",
            "can read the generated local as it is",
        ],
    );
}

#[test]
fn raw_singleton_block_in_the_pod() {
    refused(
        "raw-singleton-in-pod.yaml",
        &[
            "{}:12:5: error: `dns_config` is generated by dlgen here (in `kubernetes_deployment.app > spec > template > spec`); a second block is not valid Terraform at `raw.pod`",
            "set `deployment.dns_options` instead",
        ],
    );
}

#[test]
fn raw_terragrunt_dependency_repeating_the_generated_one() {
    refused(
        "raw-terragrunt-dependency.yaml",
        &[
            "{}:9:5: error: raw HCL declares `dependency \"platform\"`, which the stack already generates at `raw.terragrunt`",
            "set the spec's `dependency` instead",
        ],
    );
}

#[test]
fn raw_moved_block_repeating_a_generated_one() {
    refused(
        "raw-moved-twice.yaml",
        &[
            "{}:11:5: error: raw HCL moves `module.app.kubernetes_namespace.app` again: dlgen writes a `moved` block from it already at `raw.stack`",
            "set `adopt.moved` or `adopt.from_module` instead",
        ],
    );
}

/// `check` does not parse again a rendered file that equals the committed one (the render
/// that wrote it proved it), except when the file holds raw HCL: raw HCL is always checked,
/// so `check` refuses what `render` refuses even when the committed stack matches.
#[cfg(unix)]
#[test]
fn check_proves_raw_hcl_even_when_the_committed_file_matches() {
    let p = project();
    let spec = String::from_utf8(corpus("raw-block-redeclares-address.yaml")).unwrap();
    p.write("specs/app.yaml", &spec);
    // What a render without the structural checks would have written, committed by hand.
    let stack = dlgen::generate::resolve("specs/app.yaml", &spec).unwrap();
    let renderer = dlgen::render::Renderer::new().unwrap();
    for (name, text) in renderer.render_unchecked(&stack, "specs/app.yaml").unwrap() {
        let formatted = dlgen::format::format_unchecked(&text).unwrap();
        p.write(&format!("stacks/{}/{name}", stack.name), &formatted);
    }
    std::os::unix::fs::symlink(
        "../../secrets",
        p.path(&format!("stacks/{}/secrets", stack.name)),
    )
    .unwrap();
    let run = run_changing_nothing(&p, &["check"]);
    assert_says(
        &run,
        2,
        &[
            "specs/app.yaml:9:5: error: raw HCL declares `kubernetes_service.app`, which the stack already generates at `raw.stack`",
        ],
    );
}
