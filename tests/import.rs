//! `dlgen import`: every bundled spec survives render → import → render unchanged, the
//! hand-written-style stacks import losslessly where the spec language reaches (and say
//! what stops them where it does not), and the command refuses rather than writes.

mod common;

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::fs;
use std::path::{Path, PathBuf};

use common::{ROOT, dlgen};
use dlgen::generate::render_text;
use dlgen::import::{Failure, Imported, import};
use dlgen::planeq::{Stack, compare};
use dlgen::render::{RenderedFile, Renderer};

fn renderer() -> Renderer {
    Renderer::new().expect("templates load")
}

fn root(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

/// Every `*.yaml` of the bundled spec directories.
fn bundled_specs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["specs", "tests/fixtures/specs"] {
        for entry in fs::read_dir(root(dir)).expect("spec directory") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Writes rendered files into `<stacks>/<name>/` (a file of a subdirectory too).
fn write_stack(stacks: &Path, name: &str, files: &[RenderedFile]) -> PathBuf {
    let dir = stacks.join(name);
    for f in files {
        let path = dir.join(&f.name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, f.bytes()).expect("write");
    }
    dir
}

fn render(r: &Renderer, label: &str, text: &str) -> (String, Vec<RenderedFile>) {
    render_text(r, label, text, "specs/spec.yaml").unwrap_or_else(|e| panic!("{label}: {e}"))
}

/// Renders an imported spec with the files it reads beside it (written into a temporary
/// directory named after the spec).
fn render_imported(r: &Renderer, got: &Imported) -> Vec<RenderedFile> {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join(format!("{}.yaml", got.name));
    let beside = dlgen::generate::spec_files_dir(&spec);
    for (file, text) in &got.files {
        let path = beside.join(file);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    render(r, &spec.display().to_string(), &got.yaml).1
}

fn imported(dir: &Path, r: &Renderer) -> Imported {
    match import(dir, r) {
        Ok(i) => i,
        Err(Failure::Error(e)) => panic!("{}: {e}", dir.display()),
        Err(Failure::NotReproducible { lines, .. }) => {
            panic!("{}: not reproducible:\n{}", dir.display(), lines.join("\n"))
        }
    }
}

/// Renders spec `text` as `label`, writes the stack under `stacks` and imports it: the
/// imported spec holds no raw HCL and every line of `wants`. The stack's directory and
/// what was imported.
fn import_without_raw(
    r: &Renderer,
    stacks: &Path,
    label: &str,
    text: &str,
    wants: &[&str],
) -> (PathBuf, Imported) {
    let (name, files) = render(r, label, text);
    let dir = write_stack(stacks, &name, &files);
    let got = imported(&dir, r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in wants {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    (dir, got)
}

/// The resolved model of spec text, as the model snapshots show it.
fn model_of(text: &str) -> String {
    let stack = dlgen::generate::resolve("spec.yaml", text).expect("resolves");
    format!("{stack:#?}")
}

/// Bundled specs whose round trip does not hold yet, with what the inversion does not
/// read yet. The inversion grows, and this list shrinks with it; a spec listed here must
/// still import losslessly or be refused, never be imported wrong.
const ROUND_TRIP_PENDING: &[(&str, &str)] = &[];

/// render → import → render: the same stack byte for byte, the same model, no raw HCL
/// unless the spec had some, and no longer than the original. The first difference.
fn round_trip(r: &Renderer, tmp: &Path, spec: &Path) -> Result<(), String> {
    let text = fs::read_to_string(spec).expect("spec reads");
    let shown = spec.display().to_string();
    let (name, files) = render(r, &shown, &text);
    let dir = write_stack(&tmp.join("stacks"), &name, &files);
    let got = match import(&dir, r) {
        Ok(i) => i,
        Err(Failure::Error(e)) => panic!("{shown}: {e}"),
        Err(Failure::NotReproducible { lines, .. }) => {
            return Err(format!("not reproducible: {}", lines.join("; ")));
        }
    };
    assert_eq!(got.name, name);
    // The files beside the spec come back beside the imported spec: the same names, the
    // same text.
    let beside = dlgen::generate::spec_files_dir(spec);
    let mut want: Vec<(String, Vec<u8>)> = Vec::new();
    if beside.is_dir() {
        for entry in fs::read_dir(&beside).expect("read_dir") {
            let path = entry.expect("entry").path();
            let file = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            want.push((file, fs::read(&path).expect("read")));
        }
    }
    want.sort();
    let mut got_files = got.files.clone();
    got_files.sort();
    if got_files != want {
        return Err(format!(
            "files beside the spec {:?} ≠ {:?}",
            got_files.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            want.iter().map(|(n, _)| n).collect::<Vec<_>>()
        ));
    }
    let imported_spec = tmp.join(format!("imported-{name}.yaml"));
    let imported_dir = dlgen::generate::spec_files_dir(&imported_spec);
    for (file, text) in &got.files {
        fs::create_dir_all(&imported_dir).expect("mkdir");
        fs::write(imported_dir.join(file), text).expect("write");
    }
    // Whatever else holds, what import accepts plans like the stack.
    let (_, again) = render(r, &imported_spec.display().to_string(), &got.yaml);
    let rendered = Stack::from_memory(
        "rendered",
        Some(&dir),
        again
            .iter()
            .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
    )
    .expect("reads");
    let result = compare(&rendered, &Stack::read(&dir).expect("reads"));
    assert!(result.is_equal(), "{shown}:\n{result}\n{}", got.yaml);
    // The same stack, byte for byte (the header names the same spec path here).
    let names = |fs: &[RenderedFile]| fs.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    if names(&again) != names(&files) {
        return Err(format!("files {:?} ≠ {:?}", names(&again), names(&files)));
    }
    for (a, b) in again.iter().zip(&files) {
        if a.contents != b.contents {
            return Err(format!("{} differs\n{}", a.name, got.yaml));
        }
    }
    // The same spec in meaning: it resolves to the same model.
    if model_of(&got.yaml) != model_of(&text) {
        return Err(format!("another model\n{}", got.yaml));
    }
    // dlgen generates all of it, so none of it is raw HCL unless the spec had some.
    if !text.contains("raw:") && got.raw_lines != 0 {
        return Err(format!("{} raw lines\n{}", got.raw_lines, got.yaml));
    }
    if got.yaml.lines().count() > text.lines().count() + 2 {
        return Err(format!(
            "the imported spec is longer than the original\n{}",
            got.yaml
        ));
    }
    Ok(())
}

#[test]
fn every_bundled_spec_round_trips_through_import() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let specs = bundled_specs();
    assert!(specs.len() >= 4, "{specs:?}");
    let mut report = Vec::new();
    for spec in specs {
        let stem = spec
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pending = ROUND_TRIP_PENDING.iter().find(|(n, _)| *n == stem);
        match (round_trip(&r, tmp.path(), &spec), pending) {
            (Ok(()), None) => report.push(format!("{stem}: round trip")),
            (Err(e), None) => panic!("{}: {e}", spec.display()),
            (Ok(()), Some((_, why))) => {
                panic!("{stem} round-trips now (listed as pending: {why}); take it off the list")
            }
            (Err(e), Some((_, why))) => {
                report.push(format!("{stem}: pending ({why}): {}", first_line(&e)));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}

/// The bool attributes of the Kubernetes provider that a stack may set: quoted, Terraform
/// converts `"true"` to `true` for them, so the plan is the same.
const PROVIDER_FLAGS: &[&str] = &[
    "allow_privilege_escalation",
    "automount_service_account_token",
    "enable_service_links",
    "force_conflicts",
    "host_network",
    "immutable",
    "optional",
    "privileged",
    "read_only",
    "read_only_root_filesystem",
    "run_as_non_root",
    "share_process_namespace",
    "suspend",
    "wait_for_completion",
    "wait_for_rollout",
    "wait_for_service_account_token",
    "wait_until_bound",
];

/// `text` with every provider flag written as a quoted string (`read_only = "true"`), and
/// how many were quoted.
fn quote_flags(text: &str) -> (String, usize) {
    let mut quoted = 0;
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let key = body
            .trim_start()
            .split(" = ")
            .next()
            .unwrap_or_default()
            .trim_end();
        let value = body.rsplit(" = ").next().unwrap_or_default();
        if PROVIDER_FLAGS.contains(&key)
            && matches!(value, "true" | "false")
            && body.contains(" = ")
        {
            let indent = &body[..body.len() - body.trim_start().len()];
            let pad = &body[indent.len() + key.len()..body.len() - value.len() - 3];
            out.push_str(&format!("{indent}{key}{pad} = \"{value}\"\n"));
            quoted += 1;
        } else {
            out.push_str(line);
        }
    }
    (out, quoted)
}

#[test]
fn quoted_provider_flags_are_read_as_the_flags_they_are() {
    // Hand-written stacks quote a flag now and then (`force_conflicts = "true"`); the
    // provider's bool attribute converts the string, so the plan does not change, and the
    // spec says the flag as it would for `true`: no raw HCL, the same spec.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let mut total = 0;
    for spec in bundled_specs() {
        let text = fs::read_to_string(&spec).expect("spec reads");
        let (name, files) = render(&r, &spec.display().to_string(), &text);
        let dir = write_stack(&tmp.path().join("stacks"), &name, &files);
        let plain = imported(&dir, &r);
        let mut quoted_here = 0;
        for f in files.iter().filter(|f| f.name.ends_with(".tf")) {
            let (quoted, n) = quote_flags(&f.contents);
            quoted_here += n;
            fs::write(dir.join(&f.name), quoted).expect("write");
        }
        if quoted_here == 0 {
            continue;
        }
        total += quoted_here;
        let got = imported(&dir, &r);
        assert_eq!(
            got.yaml,
            plain.yaml,
            "{}: {quoted_here} quoted flags",
            spec.display()
        );
    }
    assert!(total >= 20, "only {total} flags were quoted");
}

/// The stack rendered from `spec`, written the way the repo's 30 wrapper stacks are:
/// every object in `./modules/<name>` (the namespace's tier from the module's
/// `variable "tier"`), and a root `main.tf` that declares the variables and calls it.
/// `module_extra` is appended to the module's `main.tf`. The stack's directory.
fn wrapper_stack(r: &Renderer, stacks: &Path, spec: &Path, module_extra: &str) -> PathBuf {
    let text = fs::read_to_string(spec).expect("spec reads");
    let (name, files) = render(r, &spec.display().to_string(), &text);
    let dir = write_stack(stacks, &name, &files);
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    let body: String = main_tf.lines().skip(2).map(|l| format!("{l}\n")).collect();
    let tier = ["aux", "edge", "cluster", "gpu"]
        .into_iter()
        .map(|t| format!("local.tiers.{t}"))
        .find(|t| body.contains(t.as_str()))
        .expect("a tier");
    let module_tf = format!(
        "variable \"tier\" {{ type = string }}\n\n{}{module_extra}",
        body.replace(&tier, "var.tier")
            .replace("\"../../modules/", "\"../../../../modules/")
    );
    let module_dir = dir.join("modules").join(&name);
    fs::create_dir_all(&module_dir).expect("mkdir");
    fs::write(module_dir.join("main.tf"), module_tf).expect("write");
    // The root declares the variables as the stack did, and passes them on.
    let mut root = String::new();
    let mut variables: Vec<&str> = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        let Some(v) = line
            .strip_prefix("variable \"")
            .and_then(|l| l.split('"').next())
        else {
            continue;
        };
        variables.push(v);
        root.push_str(line);
        root.push('\n');
        if !line.ends_with('}') {
            for more in lines.by_ref() {
                root.push_str(more);
                root.push('\n');
                if more == "}" {
                    break;
                }
            }
        }
        root.push('\n');
    }
    assert!(!variables.is_empty(), "{body}");
    root.push_str(&format!(
        "module \"{name}\" {{\n  source = \"./modules/{name}\"\n  tier   = {tier}\n"
    ));
    for v in &variables {
        root.push_str(&format!("  {v} = var.{v}\n"));
    }
    root.push_str("}\n");
    fs::write(dir.join("main.tf"), root).expect("write");
    dir
}

#[test]
fn a_wrapper_stack_imports_without_raw_hcl() {
    // A wrapper stack keeps its objects in a local module. Its ExternalSecret (its
    // `depends_on` names the module's namespace), its plan-time read of the secret (the
    // homepage widget's credentials in a local of the module), its NFS volumes (claims
    // of module calls inside the module) and the Deployment's `depends_on` were read
    // only at the root: they went into raw HCL, and the plan-time read even failed the
    // proof. Each bundled stack with a Deployment (or, without one, CronJobs: such a
    // module was not flattened at all) that a module can hold as it stands (no `moved`
    // or `import` blocks, no files read from `path.module`: see the next test), wrapped,
    // is its spec plus `adopt.from_module`, with no raw HCL.
    let r = renderer();
    let mut wrapped = Vec::new();
    for spec in bundled_specs() {
        let text = fs::read_to_string(&spec).expect("spec reads");
        let (name, files) = render(&r, &spec.display().to_string(), &text);
        let main_tf = &files
            .iter()
            .find(|f| f.name == "main.tf")
            .expect("main.tf")
            .contents;
        if ["moved {", "import {", "path.module", "raw:"]
            .iter()
            .any(|w| main_tf.contains(w) || text.contains(w))
            || !main_tf.contains("local.tiers.")
            || ![
                "resource \"kubernetes_deployment",
                "resource \"kubernetes_cron_job",
            ]
            .iter()
            .any(|w| main_tf.contains(w))
        {
            continue;
        }
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, "");
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{name}\n{}", got.yaml);
        assert!(
            got.yaml
                .contains(&format!("adopt: {{from_module: {name}}}")),
            "{name}\n{}",
            got.yaml
        );
        wrapped.push(name);
    }
    assert!(wrapped.len() >= 5, "{wrapped:?}");
    assert!(wrapped.iter().any(|n| n == "feed-digest"), "{wrapped:?}");
    eprintln!("wrapped: {wrapped:?}");
}

#[test]
fn the_comments_of_a_flattened_module_are_kept_or_listed() {
    // The module's files go once the stack is rendered: a comment of theirs that the
    // rendered stack does not carry is listed with its file and line.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = root("specs/drone-logbook.yaml");
    let extra = "\n# Last reviewed with the upstream chart 2.3.\n";
    let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, extra);
    let got = imported(&dir, &r);
    assert!(
        got.yaml.contains("adopt: {from_module: drone-logbook}"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("modules/drone-logbook/main.tf:")
            && got
                .yaml
                .contains(": Last reviewed with the upstream chart 2.3."),
        "{}",
        got.yaml
    );
}

#[test]
fn a_comment_on_a_data_source_of_a_flattened_module_is_anchored() {
    // The spec's Vault read comes out of the module with the other objects; the comment
    // above it was only listed in the header (at the root it is anchored to it).
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = root("tests/fixtures/specs/doc-search.yaml");
    let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, "");
    let module_tf = dir.join("modules/doc-search/main.tf");
    let text = fs::read_to_string(&module_tf).expect("module");
    let data = "data \"vault_kv_secret_v2\" \"secrets\" {\n";
    assert!(text.contains(data), "{text}");
    let text = text.replacen(
        data,
        &format!("# Agent tokens: a JSON list under secret/doc-search.\n{data}"),
        1,
    );
    fs::write(&module_tf, text).expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml.contains("adopt: {from_module: doc-search}"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains(
            "  - at: data.vault_kv_secret_v2.secrets\n    text: 'Agent tokens: a JSON list under secret/doc-search.'"
        ),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
}

#[test]
fn a_module_call_with_meta_arguments_is_not_flattened() {
    // `depends_on`, `count`, `for_each` or a `providers` that passes another provider say
    // something of every object in the module that the objects at the root would not:
    // flattened, the dependency (or the provider) was dropped without a word. The call
    // stays raw HCL with its module; `providers = { kubernetes = kubernetes }` says
    // nothing more and still flattens.
    let r = renderer();
    let spec = root("specs/drone-logbook.yaml");
    for (arguments, flattened) in [
        ("  depends_on = [terraform_data.first]\n", false),
        (
            "  providers = {\n    kubernetes = kubernetes.other\n  }\n",
            false,
        ),
        ("  providers = {\n    kubernetes = kubernetes\n  }\n", true),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, "");
        let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
        let edited = main_tf.replacen(
            "  source = \"./modules/drone-logbook\"\n",
            &format!("  source = \"./modules/drone-logbook\"\n{arguments}"),
            1,
        ) + "\nresource \"terraform_data\" \"first\" {}\n\nprovider \"kubernetes\" {\n  alias = \"other\"\n}\n";
        fs::write(dir.join("main.tf"), edited).expect("write");
        let got = imported(&dir, &r);
        assert_eq!(
            got.yaml.contains("adopt: {from_module: drone-logbook}"),
            flattened,
            "{arguments}\n{}",
            got.yaml
        );
        if !flattened {
            assert!(
                got.yaml.contains("module \"drone-logbook\" {"),
                "{arguments}\n{}",
                got.yaml
            );
        }
    }
}

#[test]
fn the_history_of_a_wrapping_is_undone_by_flattening() {
    // A wrapped stack often keeps the `moved` blocks of its wrapping at the root. The
    // one that moved an object into the module where the flattened stack takes it back
    // from would make a cycle: it is left out and named in the header. One that moved
    // another address into the module still chains to the object's new place, and
    // stays. Before, any root text naming the module kept the module call raw.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = root("specs/drone-logbook.yaml");
    let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, "");
    let history = "\nmoved {\n  from = kubernetes_deployment.drone_logbook\n  to   = module.drone-logbook.kubernetes_deployment.drone_logbook\n}\n\nmoved {\n  from = kubernetes_service.logbook\n  to   = module.drone-logbook.kubernetes_service.drone_logbook\n}\n";
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    fs::write(dir.join("main.tf"), main_tf + history).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("from_module: drone-logbook"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains(
            "left out: kubernetes_deployment.drone_logbook → module.drone-logbook.kubernetes_deployment.drone_logbook."
        ),
        "{}",
        got.yaml
    );
    assert!(
        !got.yaml
            .contains("from = kubernetes_deployment.drone_logbook"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains(
            "{from: kubernetes_service.logbook, to: module.drone-logbook.kubernetes_service.drone_logbook}"
        ),
        "{}",
        got.yaml
    );
}

#[test]
fn a_null_passed_to_a_non_nullable_module_variable_flattens_to_its_default() {
    // Terraform gives a `nullable = false` variable its default when the call passes
    // `null`. Flattening wrote the `null` where the module read the variable (a
    // Deployment without its replicas, a container without its CPU request), and the
    // proof, which read the module the same way, called it lossless.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = root("specs/drone-logbook.yaml");
    let extra = "\nvariable \"replicas\" {\n  type     = number\n  default  = 1\n  nullable = false\n}\n\nvariable \"cpu_request\" {\n  type     = string\n  default  = \"25m\"\n  nullable = false\n}\n";
    let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, extra);
    let module_tf = dir.join("modules/drone-logbook/main.tf");
    let text = fs::read_to_string(&module_tf).expect("module");
    let text = text
        .replacen("    replicas = 1\n", "    replicas = var.replicas\n", 1)
        .replacen("cpu    = \"25m\"", "cpu    = var.cpu_request", 1);
    assert!(text.contains("var.replicas") && text.contains("var.cpu_request"));
    fs::write(&module_tf, text).expect("write");
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    let main_tf = main_tf.replacen(
        "  source = \"./modules/drone-logbook\"\n",
        "  source = \"./modules/drone-logbook\"\n  replicas    = null\n  cpu_request = null\n",
        1,
    );
    fs::write(dir.join("main.tf"), main_tf).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("adopt: {from_module: drone-logbook}"),
        "{}",
        got.yaml
    );
    // As the flat stack imports.
    assert!(
        got.yaml.contains("resources: {cpu: 25m, memory: 512Mi}"),
        "{}",
        got.yaml
    );
    for unsaid in ["replicas", "null"] {
        assert!(!got.yaml.contains(unsaid), "{unsaid}\n{}", got.yaml);
    }
}

#[test]
fn a_wrapping_modules_variable_declarations_go_with_its_objects() {
    // The module's files go once the stack is rendered flat. A module variable declared
    // `sensitive = true` that the root passes on from a variable of its own declared
    // without it lost its sensitivity (the value then shows in plan output), and its
    // description went with the module's files.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = root("specs/drone-logbook.yaml");
    // A variable the root passes to one the module never reads is used by nothing: it
    // was said to be "written out where the stack used it".
    let extra = "\nvariable \"log_level\" {\n  type        = string\n  description = \"How much the app logs.\"\n  sensitive   = true\n}\n\nvariable \"kube_config_path\" {\n  type = string\n}\n";
    let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, extra);
    let module_tf = dir.join("modules/drone-logbook/main.tf");
    let text = fs::read_to_string(&module_tf).expect("module");
    let at = text.find("\"RUST_LOG\"").expect("RUST_LOG");
    let value = at + text[at..].find("\"info\"").expect("its value");
    let text = format!("{}var.log_level{}", &text[..value], &text[value + 6..]);
    fs::write(&module_tf, text).expect("write");
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    let main_tf = main_tf.replacen(
        "  source = \"./modules/drone-logbook\"\n",
        "  source = \"./modules/drone-logbook\"\n  log_level = var.log_level\n  kube_config_path = var.kube_config_path\n",
        1,
    ) + "\nvariable \"log_level\" { type = string }\n\nvariable \"kube_config_path\" { type = string }\n";
    fs::write(dir.join("main.tf"), main_tf).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("adopt: {from_module: drone-logbook}"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains(
            "variables: {log_level: {description: How much the app logs., sensitive: true}}"
        ),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains(
            "Declarations of the stack that nothing uses, left out (no plan changes): variable kube_config_path."
        ),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("Written out where"), "{}", got.yaml);
}

#[test]
fn a_moved_block_inside_a_wrapping_module_chains_on() {
    // The module's own history (`moved` inside it) kept the module call raw. It is
    // said as `adopt.moved` into the module, which `from_module` chains on.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = root("specs/drone-logbook.yaml");
    let moved = "\nmoved {\n  from = kubernetes_namespace.dronelog\n  to   = kubernetes_namespace.drone_logbook\n}\n";
    let dir = wrapper_stack(&r, &tmp.path().join("stacks"), &spec, moved);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("from_module: drone-logbook"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains(
            "- from: module.drone-logbook.kubernetes_namespace.dronelog\n      to: module.drone-logbook.kubernetes_namespace.drone_logbook"
        ),
        "{}",
        got.yaml
    );
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

#[test]
fn an_imported_spec_restates_no_default() {
    // Removing any field of the imported spec changes what it renders (or makes it
    // invalid): every field says something the conventions do not.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = fs::read_to_string(root("specs/drone-logbook.yaml")).expect("spec");
    let (name, files) = render(&r, "drone-logbook.yaml", &text);
    let dir = write_stack(&tmp.path().join("stacks"), &name, &files);
    let got = imported(&dir, &r);
    for default in [
        "tier:",
        "dns_type:",
        "auth: required",
        "strategy: Recreate",
        "keel:",
    ] {
        assert!(
            !got.yaml.contains(default),
            "`{default}` restates a default:\n{}",
            got.yaml
        );
    }
    let lines: Vec<&str> = got.yaml.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        // Each single-line `key: value` entry of a mapping, taken out.
        let t = line.trim_start();
        if t.starts_with('#') || t.starts_with("- ") || !t.contains(": ") || t.ends_with('|') {
            continue;
        }
        if t.ends_with("|-") || t.starts_with("name:") && !line.starts_with(' ') {
            continue;
        }
        let without: String = lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let same = render_text(&r, "x.yaml", &without, "specs/spec.yaml")
            .is_ok_and(|(_, f)| f.iter().zip(&files).all(|(a, b)| a.contents == b.contents));
        assert!(!same, "`{}` renders the same without it:\n{}", t, got.yaml);
    }
}

/// What import does with each hand-written-style stack today: lossless (`None`), or not
/// reproducible because of the spec language (what it lacks). The spec language grows,
/// and this list with it.
const HANDWRITTEN: &[(&str, Option<&str>)] = &[
    ("agent-runner", None),
    ("browser-pool", None),
    ("doc-search", None),
    ("family-portal", None),
    ("feed-digest", None),
    ("frame-grabber", None),
    ("kiosk-gallery", None),
    ("ledger-sync", None),
    ("link-archive", None),
    ("mqtt-broker", None),
    ("music-stream", None),
    ("recipe-box", None),
    ("short-links", None),
    ("speech-gpu", None),
    ("status-page", None),
    ("web-shell", None),
    ("webhook-relay", None),
    ("song-shelf", None),
];

/// Of those, the stacks whose imported spec holds no raw HCL at all: a stack leaves this
/// list only when the spec language loses something it could say.
const HANDWRITTEN_WITHOUT_RAW: &[&str] = &[
    "agent-runner",
    "browser-pool",
    "doc-search",
    "family-portal",
    "feed-digest",
    "frame-grabber",
    "kiosk-gallery",
    "ledger-sync",
    "link-archive",
    "mqtt-broker",
    "music-stream",
    "recipe-box",
    "short-links",
    "speech-gpu",
    "status-page",
    "web-shell",
    "webhook-relay",
    "song-shelf",
];

#[test]
fn hand_written_stacks_import_losslessly_where_the_spec_language_reaches() {
    let r = renderer();
    let mut report = Vec::new();
    for (name, expected) in HANDWRITTEN {
        let dir = root(&format!("tests/fixtures/handwritten/{name}"));
        match (import(&dir, &r), expected) {
            (Ok(got), None) => {
                // Proved again here, independently: the spec, rendered, plans like the stack.
                let files = render_imported(&r, &got);
                let rendered = Stack::from_memory(
                    "rendered",
                    Some(&dir),
                    files
                        .iter()
                        .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
                )
                .expect("reads");
                let original = Stack::read(&dir).expect("reads");
                let result = compare(&rendered, &original);
                assert!(result.is_equal(), "{name}:\n{result}\n{}", got.yaml);
                if HANDWRITTEN_WITHOUT_RAW.contains(name) {
                    assert_eq!(got.raw_lines, 0, "{name}: raw HCL again:\n{}", got.yaml);
                }
                report.push(format!(
                    "{name}: lossless, {} raw lines of {} spec lines ({}%), stack {} lines",
                    got.raw_lines,
                    got.spec_lines,
                    got.raw_lines * 100 / got.spec_lines.max(1),
                    got.stack_lines
                ));
            }
            (Err(Failure::NotReproducible { lines, .. }), Some(why)) => {
                assert!(
                    lines.iter().any(|l| l.contains(why)),
                    "{name}: expected `{why}` among:\n{}",
                    lines.join("\n")
                );
                report.push(format!("{name}: not reproducible: {}", lines[0]));
            }
            (Ok(got), Some(why)) => panic!(
                "{name} imports losslessly now (expected: not because of `{why}`); update the list:\n{}",
                got.yaml
            ),
            (Err(Failure::NotReproducible { lines, .. }), None) => {
                panic!("{name}: not reproducible:\n{}", lines.join("\n"))
            }
            (Err(Failure::Error(e)), _) => panic!("{name}: {e}"),
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn an_imported_spec_keeps_the_reasons_and_comments_of_the_stack() {
    let r = renderer();
    let got = imported(&root("tests/fixtures/handwritten/music-stream"), &r);
    // `# auth = "app": …` above `auth` is the ingress's `auth_why`.
    assert!(
        got.yaml.contains("auth_why: Subsonic clients (phones, the car) log in to Navidrome itself; forward-auth would break every one of them."),
        "{}",
        got.yaml
    );
    // A comment above the PVC is the volume's comment.
    assert!(
        got.yaml.contains("comment: 'The SQLite database of the library index and play counts: block storage, never NFS.'"),
        "{}",
        got.yaml
    );
    // A comment no other spec field holds is anchored where it was: trailing an
    // attribute, above a key of a mapping, above a lifecycle's `ignore_changes` (the
    // operator's explanation, not dlgen's).
    for anchored in [
        "  - at: module.nfs_library.nfs_server\n    text: Synology NAS\n    place: trailing\n",
        "  - at: kubernetes_namespace.music.metadata.labels[\"keel.sh/enrolled\"]\n    text: Keel watches this ns for :latest digest rolls\n",
        "  - at: kubernetes_persistent_volume_claim.data_encrypted.lifecycle.ignore_changes\n    text: |-\n      pvc-autoresizer expands this PVC up to storage_limit; ignore drift on\n",
    ] {
        assert!(got.yaml.contains(anchored), "{anchored}\n{}", got.yaml);
    }
    assert!(!got.yaml.contains("no spec field holds"), "{}", got.yaml);
    // Markers are conventions: not comments, not notes.
    assert!(!got.yaml.contains("KYVERNO_LIFECYCLE"), "{}", got.yaml);
    assert!(!got.yaml.contains("KEEL_IGNORE_IMAGE"), "{}", got.yaml);
}

#[test]
fn a_comment_with_no_place_to_go_is_listed_for_the_reviewer() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("music-stream");
    copy_dir(&root("tests/fixtures/handwritten/music-stream"), &dir);
    let main = dir.join("main.tf");
    let text = fs::read_to_string(&main).expect("main.tf");
    // Inside a list, and one with a blank line below it: no block, attribute or key
    // of a mapping to anchor to.
    let old = "  nfs_path     = \"/volume1/music\"\n";
    assert!(text.contains(old));
    let text = text.replacen(
        old,
        "  nfs_path     = \"/volume1/music\"\n  # the export moves in the spring\n\n",
        1,
    );
    let old = "access_modes = [\"ReadWriteMany\"]";
    assert!(text.contains(old));
    let text = text.replacen(
        old,
        "access_modes = [\n    \"ReadWriteMany\", # the NAS allows no other\n  ]",
        1,
    );
    fs::write(&main, text).expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("# Comments of the stack that no spec field holds:\n"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml
            .contains("(module.nfs_library): the export moves in the spring\n"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml
            .contains("(module.nfs_library): the NAS allows no other\n"),
        "{}",
        got.yaml
    );
    assert!(got.yaml.contains("text: Synology NAS"), "{}", got.yaml);
}

/// A spec built from drone-logbook's with `extra` appended and the app container's
/// image line replaced by `image_line` (empty: none).
fn drone_logbook_with(image_line: &str, extra: &str) -> String {
    let text = fs::read_to_string(root("specs/drone-logbook.yaml")).expect("spec");
    let old = "  - image: ghcr.io/arpanghosh8453/open-dronelog:latest\n    port: 80\n";
    assert!(text.contains(old));
    let new = if image_line.is_empty() {
        "  - port: 80\n".to_owned()
    } else {
        format!("  - image: {image_line}\n    port: 80\n")
    };
    format!("{}{extra}", text.replace(old, &new))
}

#[test]
fn the_stacks_own_image_is_the_specs_image_field() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    for (i, own) in [
        // The conventions' tag and description: the repository alone.
        "image:\n  repository: ghcr.io/viktorbarzin/drone-logbook\n",
        // A tag and a description of the stack's own.
        "image:\n  repository: ghcr.io/viktorbarzin/drone-logbook\n  tag: 1a2b3c4d\n  description: The logbook's tag, set by CI.\n",
        // Another tag variable (the stack's images read `var.tag`), declared without a
        // description.
        "image:\n  repository: ghcr.io/viktorbarzin/drone-logbook\n  description: ''\n  variable: tag\n",
    ]
    .into_iter()
    .enumerate()
    {
        let text = drone_logbook_with("", &format!("{own}init_containers:\n  - name: migrate\n    command: [migrate]\n"));
        let (name, files) = render(&r, "own.yaml", &text);
        let dir = write_stack(&tmp.path().join(format!("s{i}")), &name, &files);
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{}", got.yaml);
        for line in own.lines().skip(1) {
            let (key, value) = line.trim().split_once(": ").expect("a field");
            let flow = format!("{key}: {value}");
            assert!(
                got.yaml.contains(line) || got.yaml.contains(&flow) || got.yaml.contains(&format!("{key}: '{value}'")),
                "{line}\n{}",
                got.yaml
            );
        }
        // Neither container restates the image: both run the stack's own.
        assert!(!got.yaml.contains("image: ghcr"), "{}", got.yaml);
        assert_eq!(model_of(&got.yaml), model_of(&text));
    }
    // A container that names an image of its own keeps it beside the stack's image.
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        "image:\n  repository: ghcr.io/viktorbarzin/drone-logbook\ninit_containers:\n  - name: migrate\n    command: [migrate]\n",
    );
    let (name, files) = render(&r, "own.yaml", &text);
    let dir = write_stack(&tmp.path().join("mixed"), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("  - image: ghcr.io/arpanghosh8453/open-dronelog:latest"),
        "{}",
        got.yaml
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn the_prometheus_preset_is_read_back_from_the_pod_annotations() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    for (i, preset) in ["{port: 9100}", "{port: 9100, path: /m}"]
        .into_iter()
        .enumerate()
    {
        let text = drone_logbook_with(
            "ghcr.io/arpanghosh8453/open-dronelog:latest",
            &format!("deployment:\n  prometheus: {preset}\n"),
        );
        let (name, files) = render(&r, "prom.yaml", &text);
        let dir = write_stack(&tmp.path().join(format!("p{i}")), &name, &files);
        let got = imported(&dir, &r);
        assert!(
            got.yaml.contains(&format!("prometheus: {preset}")),
            "{}",
            got.yaml
        );
        assert!(!got.yaml.contains("pod_annotations"), "{}", got.yaml);
        assert_eq!(model_of(&got.yaml), model_of(&text));
    }
}

#[test]
fn a_deployment_tier_label_other_than_the_namespaces_is_read_back() {
    // Many of the repo's Deployments carry `local.tiers.aux` whatever their namespace's
    // tier: the spec says so with `deployment.tier`, the namespace's tier with `tier`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let edge = |deployment_tier: &str| {
        let text = drone_logbook_with(
            "ghcr.io/arpanghosh8453/open-dronelog:latest",
            &format!("deployment:\n  tier: {deployment_tier}\n"),
        );
        assert!(text.contains("\ntier: aux"));
        text.replacen("\ntier: aux", "\ntier: edge", 1)
    };
    let text = edge("aux");
    let (name, files) = render(&r, "tier.yaml", &text);
    let dir = write_stack(&tmp.path().join("tier"), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(got.yaml.contains("\ntier: edge\n"), "{}", got.yaml);
    assert!(
        got.yaml.contains("\ndeployment: {tier: aux}\n"),
        "{}",
        got.yaml
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
    // The same tier as the namespace's is the default, not restated.
    let text = edge("edge");
    let (name, files) = render(&r, "tier.yaml", &text);
    let dir = write_stack(&tmp.path().join("same"), &name, &files);
    let got = imported(&dir, &r);
    assert!(!got.yaml.contains("deployment:"), "{}", got.yaml);
}

/// drone-logbook with an app CronJob reading the stack's secret and a one-shot Job.
const JOBS: &str = "jobs:
  - name: drone-logbook-prune
    address: prune
    comment: Drops flights older than a year.
    schedule: \"0 4 * * *\"
    timezone: Europe/London
    concurrency_policy: Replace
    suspend: true
    suspend_why: paused while the import is rewritten
    failed_jobs_history_limit: null
    ttl_seconds_after_finished: 600
    job_labels: {team: drones}
    pod_annotations: {diun.enable: \"false\"}
    containers:
      - image: docker.io/library/alpine:3.20
        command: [/bin/sh, -c, prune]
        env:
          - {name: PASS, secret: profile_creation_pass}
        resources: {cpu: 5m, memory: 16Mi}
    volumes:
      - {name: data, claim: drone-logbook-data-encrypted, mount: /data, read_only: true}
  - name: drone-logbook-migrate
    containers:
      - name: migrate
        image: docker.io/library/alpine:3.20
        args: [migrate]
    timeouts: {create: 5m}
    ignore_changes:
      add: [{path: 'metadata[0].labels', why: the operator labels it}]
";

#[test]
fn app_cron_jobs_and_jobs_are_read_back_as_jobs() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", JOBS);
    let (name, files) = render(&r, "jobs.yaml", &text);
    let dir = write_stack(&tmp.path().join("jobs"), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for line in [
        "suspend_why: paused while the import is rewritten",
        "failed_jobs_history_limit: null",
        "comment: Drops flights older than a year.",
        "timeouts: {create: 5m}",
        "why: the operator labels it",
    ] {
        assert!(got.yaml.contains(line), "{line}\n{}", got.yaml);
    }
    assert_eq!(model_of(&got.yaml), model_of(&text));

    // A pod setting no job field says is raw HCL in that job's pod (`pod_raw`): both stay
    // jobs.
    let main = dir.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    let odd = tf.replacen(
        "            restart_policy = \"OnFailure\"\n",
        "            restart_policy = \"OnFailure\"\n            host_network   = true\n",
        1,
    );
    assert_ne!(odd, tf, "the CronJob's pod is where the test expects it");
    fs::write(&main, odd).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 1, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("    pod_raw: |\n      host_network = true\n")
            || got
                .yaml
                .contains("    pod_raw: |\n      host_network   = true\n"),
        "{}",
        got.yaml
    );
    assert!(
        !got.yaml.contains("resource \"kubernetes_cron_job_v1\""),
        "{}",
        got.yaml
    );
    for job in [
        "  - name: drone-logbook-prune\n",
        "  - name: drone-logbook-migrate\n",
    ] {
        assert!(got.yaml.contains(job), "{job}\n{}", got.yaml);
    }
}

const SCHEDULING: &str = "deployment:
  node_affinity:
    required:
      - {key: kubernetes.io/hostname, operator: In, values: [k8s-node3, k8s-node4]}
    preferred:
      - weight: 50
        expressions: [{key: disktype, operator: Exists}]
  pod_affinity: {preferred: 30}
  anti_affinity: required
  topology_spread:
    - {}
    - {max_skew: 2, topology_key: topology.kubernetes.io/zone, when_unsatisfiable: ScheduleAnyway}
jobs:
  - name: drone-logbook-prune
    schedule: \"0 4 * * *\"
    node_affinity:
      preferred: [{weight: 10, expressions: [{key: disktype, operator: NotIn, values: [hdd]}]}]
    pod_affinity: required
    topology_spread: [{}]
    containers:
      - image: docker.io/library/alpine:3.20
        command: [/bin/sh, -c, prune]
        resources: {cpu: 5m, memory: 16Mi}
";

#[test]
fn affinity_and_topology_spread_are_read_back_on_the_deployment_and_on_jobs() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", SCHEDULING);
    let (name, files) = render(&r, "scheduling.yaml", &text);
    let dir = write_stack(&tmp.path().join("scheduling"), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for line in [
        "anti_affinity: required",
        "pod_affinity: {preferred: 30}",
        "topology.kubernetes.io/zone",
        "values: [k8s-node3, k8s-node4]",
        "operator: NotIn",
    ] {
        assert!(got.yaml.contains(line), "{line}\n{}", got.yaml);
    }
    assert_eq!(model_of(&got.yaml), model_of(&text));

    // An anti-affinity to other pods than the app's is not the spec's: the affinity block
    // stays raw HCL in the pod, whole, and the spread constraints are still read.
    let main = dir.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    let selector = "pod_anti_affinity {\n            required_during_scheduling_ignored_during_execution {\n              label_selector {\n                match_labels = {\n                  app = \"drone-logbook\"";
    assert!(
        tf.contains(selector),
        "the anti-affinity is where the test expects it:\n{tf}"
    );
    fs::write(
        &main,
        tf.replacen(
            selector,
            &selector.replace("\"drone-logbook\"", "\"other\""),
            1,
        ),
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("      pod_anti_affinity {"),
        "{}",
        got.yaml
    );
    assert!(
        !got.yaml.contains("anti_affinity: required"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("topology.kubernetes.io/zone"),
        "{}",
        got.yaml
    );
}

#[test]
fn a_stack_of_jobs_only_is_a_spec_of_jobs_only() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = "name: nightly\njobs:\n  - schedule: \"0 2 * * *\"\n    containers:\n      - image: docker.io/library/alpine:3.20\n        command: [date]\n";
    let (name, files) = render(&r, "nightly.yaml", text);
    let dir = write_stack(&tmp.path().join("nightly"), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(!got.yaml.contains("containers:\n  -"), "{}", got.yaml);
    assert!(!got.yaml.contains("keel"), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(text));
}

#[test]
fn block_storage_without_recreate_is_a_deviation_stated_with_its_reason() {
    // The rule asks a Deployment with block storage to use `Recreate`; a stack that does
    // not says why, and the spec keeps the reason.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    for (i, strategy) in ["none", "RollingUpdate"].into_iter().enumerate() {
        let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "").replacen(
            "\nstrategy: Recreate\n",
            &format!("\nstrategy: {strategy}\n"),
            1,
        );
        assert!(text.contains(&format!("\nstrategy: {strategy}\n")));
        let (name, files) = render(&r, "rolls.yaml", &text);
        let dir = write_stack(&tmp.path().join(format!("r{i}")), &name, &files);
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{}", got.yaml);
        assert!(
            got.yaml.contains(&format!("strategy: {strategy}")),
            "{}",
            got.yaml
        );
        assert!(got.yaml.contains("strategy_why: DuckDB is"), "{}", got.yaml);
        assert!(got.reasons.is_empty() || !got.reasons.contains(&"strategy_why".to_owned()));
        assert_eq!(model_of(&got.yaml), model_of(&text));
    }
}

#[test]
fn a_metallb_load_balancer_is_read_back_as_the_services_preset() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    for (i, (service, expect)) in [
        // The shared address, its key and policy: the type alone says it.
        ("service:\n  type: LoadBalancer\n", "type: LoadBalancer"),
        (
            "service:\n  load_balancer: {ip: 10.0.20.9}\n",
            "load_balancer: {ip: 10.0.20.9}",
        ),
        (
            "service:\n  load_balancer: {ip: 10.0.20.9, shared: lb-key, external_traffic_policy: Cluster, legacy_annotations: true}\n",
            // `Cluster` is the default on a shared address: not restated.
            "load_balancer: {ip: 10.0.20.9, shared: lb-key, legacy_annotations: true}",
        ),
        (
            "service:\n  load_balancer: {shared: null}\n",
            "load_balancer: {shared: null}",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", service);
        let (name, files) = render(&r, "lb.yaml", &text);
        let dir = write_stack(&tmp.path().join(format!("lb{i}")), &name, &files);
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{}", got.yaml);
        assert!(got.yaml.contains(expect), "{expect}\n{}", got.yaml);
        assert!(!got.yaml.contains("metallb"), "{}", got.yaml);
        assert_eq!(model_of(&got.yaml), model_of(&text));
    }
}

#[test]
fn a_one_port_service_is_the_short_form_whatever_form_the_container_ports_take() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // The container lists its ports; the app's Service targets the first (the short
    // form's default target), the other Service one of its own.
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "").replace(
        "    port: 80\n",
        "    ports: [{port: 80, name: http}, {port: 9100, name: metrics}]\n",
    );
    let text = format!(
        "{text}service:\n  port_name: http\nservices:\n  - {{name: drone-logbook-metrics, port: 9100, port_name: metrics, protocol: TCP, target_port: 9100}}\n"
    );
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "ports.yaml",
        &text,
        &[
            "service: {port_name: http}\n",
            "port: 9100, port_name: metrics, protocol: TCP, target_port: 9100",
        ],
    );
    assert!(!got.yaml.contains("target_port: 80"), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn ingresses_services_and_anubis_are_read_back() {
    // Every secondary ingress shape, the Services beside the app's and Anubis in front of
    // an ingress: rendered, imported, the same model, no raw HCL, said with the sugar.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let main = "ingress:\n  name: dronelog\n  auth: required\n  auth_why: Authentik forward-auth — GPS traces of home/travel stay behind SSO\n";
    let anubis_main = "ingress:\n  name: dronelog\n";
    for (i, (ingress, extra, expect)) in [
        (
            main,
            "ingresses:\n  - purpose: api\n    carve_out: true\n    paths: [/api/, /feed.xml]\n    auth_why: the phone app posts flights with its own token\n",
            vec!["carve_out: true", "purpose: api"],
        ),
        (
            main,
            "ingresses:\n  - purpose: api\n    carve_out: true\n    paths: [/api/]\n    homepage_enabled: false\n    auth_why: the phone app posts flights with its own token\n",
            vec!["carve_out: true", "homepage_enabled: false"],
        ),
        (
            main,
            "ingresses:\n  - lan: true\n",
            vec!["lan: true"],
        ),
        (
            main,
            "ingresses:\n  - purpose: lan\n    lan: true\n    host: dronelog\n    homepage: {description: Drone logs (LAN)}\n",
            vec!["lan: true", "host: dronelog", "description: Drone logs (LAN)"],
        ),
        (
            main,
            "ingresses:\n  - purpose: metrics\n    full_host: dronelog-metrics.viktorbarzin.me\n    paths: [/metrics]\n    dns_type: non-proxied\n    external_monitor: false\n    homepage_enabled: false\n  - name: flights\n    auth: app\n    auth_why: the viewer has its own login\n    extra_annotations: {traefik.ingress.kubernetes.io/service.serversscheme: h2c}\n",
            vec!["purpose: metrics", "name: flights", "serversscheme: h2c"],
        ),
        (
            main,
            "services:\n  - name: drone-logbook-gps\n    address: gps\n    type: NodePort\n    comment: The controllers push telemetry over UDP.\n    ports: [{name: gps, port: 5055, target_port: 5055, protocol: UDP, node_port: 30555}]\n",
            vec!["name: drone-logbook-gps", "node_port: 30555", "comment: The controllers push telemetry over UDP."],
        ),
        (
            main,
            "scale_to_zero: true\ningresses:\n  - purpose: sync\n    paths: [/sync]\n    sablier: {strategy: blocking}\n",
            vec!["strategy: blocking", "purpose: sync"],
        ),
        (
            // An ingress that wakes another Deployment's group, with the reason written
            // above its `sablier` argument; the Deployment is not enrolled.
            main,
            "ingresses:\n  - purpose: admin\n    paths: [/admin]\n    sablier: {group: pgadmin, why: Wakes the pgadmin Deployment of the dbaas stack.}\n",
            vec!["group: pgadmin", "why: Wakes the pgadmin Deployment of the dbaas stack."],
        ),
        (
            anubis_main,
            "  anubis: {redis_db: 7}\n",
            vec!["redis_db: 7"],
        ),
        (
            anubis_main,
            "  anubis:\n    name: drone\n    address: challenge\n    store_url: redis://redis.other:6379/3\n    policy_rules: |\n      - name: api\n        path_regex: ^/api/\n        action: ALLOW\n",
            vec!["name: drone", "address: challenge", "store_url: redis://redis.other:6379/3", "path_regex"],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let base = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "");
        let start = base.find("ingress:\n").expect("an ingress");
        let end = base[start..]
            .find("  dns_type:")
            .map(|e| start + e)
            .expect("dns_type");
        // The main ingress replaced; `extra` follows it (Anubis) or the spec (the others).
        let text = if ingress == anubis_main {
            let rest = &base[end..];
            format!("{}{ingress}{extra}{rest}", &base[..start])
        } else {
            format!("{}{ingress}{}{extra}", &base[..start], &base[end..])
        };
        let (name, files) = render(&r, "exposure.yaml", &text);
        let dir = write_stack(&tmp.path().join(format!("x{i}")), &name, &files);
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{}", got.yaml);
        for e in expect {
            assert!(got.yaml.contains(e), "{e}\n{}", got.yaml);
        }
        assert_eq!(model_of(&got.yaml), model_of(&text), "{}", got.yaml);
        // The same stack, byte for byte.
        let (_, again) = render(&r, "exposure.yaml", &got.yaml);
        for (a, b) in again.iter().zip(&files) {
            assert_eq!(a.contents, b.contents, "{}\n{}", a.name, got.yaml);
        }
    }
}

/// The app container's `resources` block, edited in drone-logbook's stack.
fn drone_logbook_resources(tmp: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = tmp.join("stacks/drone-logbook");
    copy_dir(&root("stacks/drone-logbook"), &dir);
    let main_tf = dir.join("main.tf");
    let text = fs::read_to_string(&main_tf).expect("main.tf");
    let block = "          resources {\n            requests = {\n              cpu    = \"25m\"\n              memory = \"512Mi\"\n            }\n            limits = {\n              memory = \"512Mi\"\n            }\n          }\n";
    assert!(text.contains(block), "{text}");
    fs::write(&main_tf, text.replace(block, &edit(block))).expect("write");
    dir
}

#[test]
fn an_app_containers_resources_the_spec_cannot_read_stay_raw_at_the_container() {
    // `requests` and `limits` written as nested blocks (an older provider's schema): the
    // provider reads them by another schema than `requests = { }`, so they are not the
    // spec's `resources`. The block stays as written in the container's raw HCL, which
    // then says the container's resources.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = drone_logbook_resources(tmp.path(), |b| {
        b.replace("requests = {", "requests {")
            .replace("limits = {", "limits {")
    });
    let got = imported(&dir, &r);
    assert!(
        got.raw_constructs
            .iter()
            .any(|c| c == "kubernetes_deployment > spec > template > spec > container > resources"),
        "{:?}",
        got.raw_constructs
    );
    assert!(got.yaml.contains("requests {"), "{}", got.yaml);
    assert!(!got.yaml.contains("cpu: 25m"), "{}", got.yaml);
    // Everything else is still read: the raw HCL is the resources block alone.
    assert_eq!(got.raw_lines, 9, "{}", got.yaml);
    let files = render_imported(&r, &got);
    let main = files.iter().find(|f| f.name == "main.tf").expect("main.tf");
    assert!(main.contents.contains("requests {"), "{}", main.contents);
}

#[test]
fn an_app_container_without_resources_is_read_with_its_reason() {
    // The fact sheet counts containers without `resources` in 5 stacks: the spec says so
    // with `resources_why`, taken from the comment above the container's name, else the
    // placeholder reason, listed for review. The rendered stack writes no `resources`.
    let r = renderer();
    for (comment, why) in [
        (
            "          # LimitRange defaults suffice: idle most of the day\n",
            "LimitRange defaults suffice: idle most of the day",
        ),
        ("", "imported as it stands"),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = drone_logbook_resources(tmp.path(), |_| String::new());
        let main_tf = dir.join("main.tf");
        let text = fs::read_to_string(&main_tf).expect("main.tf");
        let name = "          name  = \"drone-logbook\"\n";
        assert_eq!(text.matches(name).count(), 1, "{text}");
        fs::write(&main_tf, text.replace(name, &format!("{comment}{name}"))).expect("write");
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{}", got.yaml);
        assert!(!got.yaml.contains("resources:"), "{}", got.yaml);
        let line = got
            .yaml
            .lines()
            .find(|l| l.trim_start().starts_with("resources_why:"))
            .unwrap_or_else(|| panic!("no resources_why:\n{}", got.yaml));
        assert!(line.contains(why), "{line}");
        assert_eq!(
            got.reasons.iter().any(|r| r.contains("resources_why")),
            comment.is_empty(),
            "{:?}",
            got.reasons
        );
        let files = render_imported(&r, &got);
        let main = files.iter().find(|f| f.name == "main.tf").expect("main.tf");
        let written = fs::read_to_string(&main_tf).expect("main.tf");
        assert_eq!(
            main.contents.matches("resources {").count(),
            written.matches("resources {").count(),
            "{}",
            main.contents
        );
    }
}

#[test]
fn a_stack_without_terragrunt_hcl_is_refused_saying_so() {
    // Every spec generates terragrunt.hcl: a stack without the file is not a Terragrunt
    // unit, and writing one would make it one. One whose include is another
    // (`include "other"`) keeps it raw instead, with `root_include: false`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/drone-logbook");
    copy_dir(&root("stacks/drone-logbook"), &dir);
    let tg = dir.join("terragrunt.hcl");
    fs::remove_file(&tg).expect("rm");
    match import(&dir, &r) {
        Err(Failure::NotReproducible { lines, .. }) => {
            let all = lines.join("\n");
            assert!(all.contains("the stack has no terragrunt.hcl"), "{all}");
            assert!(all.contains("every spec generates terragrunt.hcl"), "{all}");
        }
        Ok(got) => panic!("imported:\n{}", got.yaml),
        Err(Failure::Error(e)) => panic!("{e}"),
    }
    copy_dir(&root("stacks/drone-logbook"), &dir);
    let text = fs::read_to_string(&tg).expect("terragrunt.hcl");
    assert!(text.contains("include \"root\""), "{text}");
    fs::write(&tg, text.replace("include \"root\"", "include \"other\"")).expect("write");
    match import(&dir, &r) {
        Ok(got) => {
            assert!(got.yaml.contains("root_include: false"), "{}", got.yaml);
            assert!(got.yaml.contains("include \"other\" {"), "{}", got.yaml);
        }
        Err(Failure::NotReproducible { lines, .. }) => panic!("{}", lines.join("\n")),
        Err(Failure::Error(e)) => panic!("{e}"),
    }
}

#[test]
fn an_ingress_call_the_spec_cannot_say_stays_raw_and_the_others_are_read() {
    // recipe-box with one more call before its carve-out, made with `count` (which no
    // spec field says and which changes its addresses): that call is raw HCL, the
    // carve-out after it is still `ingresses[0]`.
    let r = renderer();
    let tmp = repo(&["recipe-box"]);
    let main_tf = tmp.path().join("stacks/recipe-box/main.tf");
    let text = fs::read_to_string(&main_tf).expect("main.tf");
    let odd = r#"module "ingress_admin" {
  source          = "../../modules/kubernetes/ingress_factory"
  namespace       = kubernetes_namespace.recipes.metadata[0].name
  name            = "recipes-admin"
  service_name    = kubernetes_service.recipe-box.metadata[0].name
  auth            = "required"
  tls_secret_name = var.tls_secret_name
  count           = 1
}

"#;
    let at = text.find("module \"ingress_api\"").expect("the carve-out");
    fs::write(&main_tf, format!("{}{odd}{}", &text[..at], &text[at..])).expect("write");
    let got = imported(&tmp.path().join("stacks/recipe-box"), &r);
    assert!(got.yaml.contains("count           = 1"), "{}", got.yaml);
    assert!(got.yaml.contains("carve_out: true"), "{}", got.yaml);
    assert!(
        got.raw_constructs
            .iter()
            .any(|c| c == "module ingress_factory"),
        "{:?}",
        got.raw_constructs
    );
}

#[test]
fn external_secrets_are_read_back_in_every_form_the_spec_says() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // The stack's own secret as a per-key list from two paths, with the reloader's match;
    // beside it the database store's credentials with a DSN template, and a secret of
    // another Vault path read whole, with its target settings and a comment.
    let extra = r#"secrets:
  data:
    - key: API_TOKEN
    - {key: SLACK_URL, from: shared, property: slack}
  reloader_match: true
external_secrets:
  - database: postgres
    refresh_interval: 1h
    template:
      DATABASE_URL: {template: ["postgresql://app:{{ .password }}@", {var: postgresql_host}, ":5432/app"]}
      DB_PASSWORD: "{{ .password }}"
  - name: mail-creds
    vault_key: mail
    engine_version: v2
    creation_policy: Owner
    comment: SMTP relay credentials.
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "eso.yaml",
        &text,
        &[
            "database: postgres",
            "name: mail-creds",
            "creation_policy: Owner",
            "comment: SMTP relay credentials.",
            "reloader_match: true",
        ],
    );
    // Neither the database store nor its Vault path is restated: `database:` says both.
    assert!(!got.yaml.contains("static-creds"), "{}", got.yaml);
    assert!(!got.yaml.contains("adopt:"), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn random_resources_are_read_back_as_random() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // Each kind, with the character settings a password takes and a comment; a stack's
    // `random_*` with an attribute the spec does not say stays whole in raw HCL.
    let extra = r#"random:
  - name: secret_key
    kind: password
    length: 48
    special: false
    comment: Signs the session cookies.
  - name: api_token
    kind: string
    length: 32
    override_special: "-_"
    min_numeric: 4
  - name: cookie_salt
    kind: id
    byte_length: 16
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "random.yaml",
        &text,
        &[
            "name: secret_key",
            "kind: password",
            "comment: Signs the session cookies.",
            "override_special: '-_'",
            "min_numeric: 4",
            "kind: id",
            "byte_length: 16",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));

    // `keepers` is not a spec field: that resource stays raw, at its address.
    let main = dir.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    let tf = tf.replacen(
        "  byte_length = 16\n",
        "  byte_length = 16\n  keepers = {\n    rotation = \"2026\"\n  }\n",
        1,
    );
    assert!(tf.contains("keepers"), "the stack has the resource: {tf}");
    fs::write(&main, tf).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(got.yaml.contains("random_id"), "{}", got.yaml);
    assert!(got.yaml.contains("name: secret_key"), "{}", got.yaml);
}

#[test]
fn config_maps_and_their_checksums_on_the_pod_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // Text on one line and on several (a heredoc), structured data in `yamlencode` with
    // a reference inside, and the pod's checksums of three keys: the
    // default annotation and hash, another hash, an annotation of the stack's own.
    let extra = r#"config_maps:
  - name: drone-logbook-config
    reloader_match: true
    labels: {app: drone-logbook}
    comment: What the app reads at start.
    data:
      mode: read-only
      app.conf: |
        listen 80
        root /srv
      datasources.yaml:
        yamlencode:
          apiVersion: 1
          datasources: [{name: db, url: {var: postgresql_host}}]
    checksums:
      - {key: app.conf}
      - {key: datasources.yaml, hash: sha1}
      - {key: mode, annotation: example.org/mode-md5, hash: md5}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "cm.yaml",
        &text,
        &[
            "config_maps:",
            "yamlencode:",
            "var: postgresql_host",
            "hash: sha1",
            "annotation: example.org/mode-md5",
            "comment: What the app reads at start.",
        ],
    );
    // The checksums are the config map's, not pod annotations of their own.
    assert!(!got.yaml.contains("pod_annotations"), "{}", got.yaml);
    assert!(!got.yaml.contains("sha256("), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn the_backup_target_of_a_stack_without_a_deployment_is_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // A database stack (fact sheet: dump CronJobs of dbaas, immich): the workload is not
    // dlgen's, and its dump CronJob writes to an NFS volume the stack declares (with no
    // Deployment, no volume is the pod's: `pod: false` is implied).
    let text = r#"name: pg-dumps
volumes:
  - {name: backup, storage: nfs, size: 10Gi}
jobs:
  - name: postgres-backup
    schedule: "30 2 * * *"
    containers:
      - image: docker.io/library/postgres:16.4-bullseye
        command: [/bin/sh, -c, pg_dumpall -h db > /backup/all.sql]
    volumes:
      - {name: backup, claim: pg-dumps-backup, mount: /backup}
"#;
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "pg-dumps.yaml",
        text,
        &["storage: nfs", "claim: pg-dumps-backup"],
    );
    let tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(
        tf.contains("claim_name = module.nfs_backup.claim_name"),
        "{tf}"
    );
    assert_eq!(model_of(&got.yaml), model_of(text));
}

#[test]
fn config_maps_of_the_v1_resource_type_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // One config map of each type; the pod's checksum and volume name the `_v1` one.
    let extra = r#"config_maps:
  - name: drone-logbook-config
    data: {mode: read-only}
  - name: drone-logbook-scripts
    resource_type: kubernetes_config_map_v1
    data:
      run.sh: |
        #!/bin/sh
        exec app
    checksums: [{key: run.sh}]
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra)
        .replacen(
            "volumes:\n",
            "volumes:\n  - name: scripts\n    config_map: {name: drone-logbook-scripts, default_mode: \"0755\"}\n    mount: /scripts\n",
            1,
        );
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "cm-v1.yaml",
        &text,
        &["resource_type: kubernetes_config_map_v1", "key: run.sh"],
    );
    assert_eq!(
        got.yaml.matches("resource_type:").count(),
        1,
        "{}",
        got.yaml
    );
    let tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(
        tf.contains("sha256(kubernetes_config_map_v1.drone_logbook_scripts.data[\"run.sh\"])"),
        "{tf}"
    );
    assert!(
        tf.contains("kubernetes_config_map_v1.drone_logbook_scripts.metadata[0].name"),
        "{tf}"
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));

    // A config map the spec cannot say (`binary_data`), first in address order, stays
    // whole in raw HCL; the others are still read.
    let tf = format!(
        "{tf}\nresource \"kubernetes_config_map\" \"assets\" {{\n  metadata {{\n    name      = \"drone-logbook-assets\"\n    namespace = \"drone-logbook\"\n  }}\n  binary_data = {{\n    \"logo.png\" = \"aGk=\"\n  }}\n}}\n"
    );
    fs::write(dir.join("main.tf"), tf).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("resource \"kubernetes_config_map\" \"assets\""),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("resource_type: kubernetes_config_map_v1"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("  - data: {mode: read-only}"),
        "{}",
        got.yaml
    );
}

#[test]
fn a_namespace_of_the_v1_resource_type_is_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // The `_v1` type, named by every reference to the namespace (the objects' namespace,
    // the ExternalSecret's `depends_on`, module arguments).
    let extra = "namespace:\n  resource_type: kubernetes_namespace_v1\n  labels: {istio-injection: disabled}\n";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "ns-v1.yaml",
        &text,
        &["resource_type: kubernetes_namespace_v1"],
    );
    let tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(tf.contains("kubernetes_namespace_v1.drone_logbook.metadata[0].name"));
    assert!(!tf.contains("kubernetes_namespace."), "{tf}");
    assert!(!got.yaml.contains("create: false"), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn a_deployment_services_and_a_volume_of_the_v1_resource_types_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // Stacks written with the provider's `_v1` types: the app's Deployment, its Service,
    // another Service and a block-storage PVC, each named by its references (the
    // ingress's `service_name`, the pod's and the backup job's `claim_name`).
    let extra = "deployment: {resource_type: kubernetes_deployment_v1}\nservice: {resource_type: kubernetes_service_v1}\nservices:\n  - {name: drone-logbook-metrics, resource_type: kubernetes_service_v1, port: 9100}\n";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra)
        .replace(
            "    size: 2Gi\n",
            "    size: 2Gi\n    resource_type: kubernetes_persistent_volume_claim_v1\n",
        )
        .replace(
            "  auth: required\n",
            "  auth: required\n  service_ref: true\n",
        );
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "v1-types.yaml",
        &text,
        &[
            "deployment: {resource_type: kubernetes_deployment_v1}",
            "resource_type: kubernetes_service_v1",
            "resource_type: kubernetes_persistent_volume_claim_v1",
        ],
    );
    let tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(
        tf.contains("kubernetes_service_v1.drone_logbook.metadata[0].name"),
        "{tf}"
    );
    assert!(
        tf.contains("kubernetes_persistent_volume_claim_v1.data.metadata[0].name"),
        "{tf}"
    );
    assert_eq!(
        got.yaml
            .matches("resource_type: kubernetes_service_v1")
            .count(),
        2,
        "{}",
        got.yaml
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn encoded_data_comes_back_as_the_structured_value_in_the_order_written() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // `jsonencode` / `yamlencode` of literals (the stack's value is their text), one with
    // a reference inside (left symbolic, its argument's keys sorted), and text that only
    // looks like JSON: each comes back as written, keys in the order written.
    let extra = r#"config_maps:
  - name: drone-logbook-config
    data:
      headers.json: {jsonencode: {X-Frame-Options: DENY, Referrer-Policy: same-origin, max_age: -3, on: [b, a], more: {z: 1.5, a: true}}}
      settings.yaml:
        yamlencode:
          zeta: 1
          alpha: {b: x, a: "y"}
          items: [{name: two, value: 2}, {name: one, value: 1}]
      linked.yaml: {yamlencode: {zeta: {var: postgresql_host}, alpha: 1}}
      plain.json: '{"b":1,"a":2}'
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "encoded.yaml",
        &text,
        &[
            "jsonencode:\n          X-Frame-Options: DENY\n          Referrer-Policy: same-origin\n",
            "max_age: -3\n          'on': [b, a]\n          more: {z: 1.5, a: true}\n",
            "zeta: 1\n",
            "alpha: {b: x, a: 'y'}",
            "items: [{name: two, value: 2}, {name: one, value: 1}]",
            "yamlencode: {zeta: {var: postgresql_host}, alpha: 1}",
            "plain.json: '{\"b\":1,\"a\":2}'",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
    // Rendered again, the stack is the same text.
    let again = render_imported(&r, &got);
    let main = again.iter().find(|f| f.name == "main.tf").expect("main.tf");
    assert_eq!(
        main.contents,
        fs::read_to_string(dir.join("main.tf")).expect("main.tf")
    );
}

#[test]
fn terragrunt_inputs_come_back_in_the_order_written_with_their_encodings() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "").replace(
        "tier: aux\n",
        "tier: aux\ninputs:\n  zeta: 1\n  alpha: {b: 2, a: 1}\n  cfg: {jsonencode: {y: 1, x: [b, a]}}\n",
    );
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "inputs.yaml",
        &text,
        &["inputs: {zeta: 1, alpha: {b: 2, a: 1}, cfg: {jsonencode: {'y': 1, x: [b, a]}}}"],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
    let again = render_imported(&r, &got);
    let tg = again
        .iter()
        .find(|f| f.name == "terragrunt.hcl")
        .expect("terragrunt.hcl");
    assert_eq!(
        tg.contents,
        fs::read_to_string(dir.join("terragrunt.hcl")).expect("terragrunt.hcl")
    );
}

// --- the command ----------------------------------------------------------------------

#[test]
fn templatefile_variables_that_are_references_are_read_back() {
    // A template's variables may be references: a shared variable and an attribute of an
    // object of the stack come back as `{var}` and `{ref}`, beside literals.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("specs/tpl.yaml");
    let beside = dlgen::generate::spec_files_dir(&spec);
    fs::create_dir_all(&beside).expect("mkdir");
    fs::write(beside.join("page.tpl"), "${title} at ${host} in ${ns}\n").expect("write");
    let extra = r#"config_maps:
  - name: drone-logbook-page
    data:
      page.html:
        templatefile:
          file: page.tpl
          vars:
            title: Home
            host: {var: postgresql_host}
            ns:
              ref: kubernetes_namespace.drone_logbook.metadata[0].name
            offset: -2
            limits: {zeta: 1, alpha: [a, b]}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (name, files) = render(&r, &spec.display().to_string(), &text);
    let dir = write_stack(&tmp.path().join("stacks"), &name, &files);
    assert!(dir.join("page.tpl").is_file(), "{files:?}");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "file: page.tpl",
        "title: Home",
        "host: {var: postgresql_host}",
        "ref: ",
        "kubernetes_namespace.drone_logbook.metadata[0].name",
        // Literals of any shape: a negative number, an object in the order written.
        "offset: -2",
        "limits: {zeta: 1, alpha: [a, b]}",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn service_accounts_roles_and_bindings_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // Every form the spec says: an existing ClusterRole bound in the namespace and in the
    // cluster, a Role and a ClusterRole of the stack's own with rules, an account alone,
    // names and addresses other than the defaults.
    let extra = r#"service_accounts:
  - role: edit
    comment: Runs kubectl against its own namespace.
  - name: reader
    address: cluster_reader
    role: view
    scope: cluster
    binding_name: reader-view-everywhere
    binding_address: reader_view
  - name: jobs
    rules:
      - {api_groups: [""], resources: [pods, pods/log], verbs: [get, list, watch]}
      - {api_groups: [batch], resources: [jobs], resource_names: [import], verbs: [create, get]}
  - name: nodes
    scope: cluster
    role_name: node-watcher
    role_address: watcher
    rules:
      - {api_groups: [""], resources: [nodes], verbs: [get, list]}
      - {non_resource_urls: [/version, /healthz], verbs: [get]}
  - name: plain
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "accounts.yaml",
        &text,
        &[
            "service_accounts:",
            "comment: Runs kubectl against its own namespace.",
            "binding_name: reader-view-everywhere",
            "role_address: watcher",
            "resource_names:",
            "{non_resource_urls: [/version, /healthz], verbs: [get]}",
            "name: plain",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));

    // A binding with a second subject is not one the spec says: it stays whole in raw HCL,
    // and its account is read alone.
    let main = dir.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    assert!(
        tf.contains("kubernetes_service_account.cluster_reader"),
        "{tf}"
    );
    let tf = tf.replacen(
        "resource \"kubernetes_cluster_role_binding\" \"reader_view\" {\n",
        "resource \"kubernetes_cluster_role_binding\" \"reader_view\" {\n  subject {\n    kind      = \"Group\"\n    name      = \"auditors\"\n    api_group = \"rbac.authorization.k8s.io\"\n  }\n",
        1,
    );
    assert!(tf.contains("auditors"), "{tf}");
    fs::write(&main, tf).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(got.yaml.contains("auditors"), "{}", got.yaml);
    assert!(got.yaml.contains("address: cluster_reader"), "{}", got.yaml);
    assert!(got.yaml.contains("role_address: watcher"), "{}", got.yaml);
}

#[test]
fn a_deployment_that_does_not_wait_for_its_external_secret_is_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // Most of the repo's Deployments list no `depends_on` although their pods read the
    // ExternalSecret's secret: the spec says so, and the secret stays `secrets:`.
    let extra = "deployment:\n  depends_on:\n    drop: [kubernetes_manifest.external_secret]\n    drop_why: the app retries until its secret exists\n";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    assert!(text.contains("drop_why"), "{text}");
    let (name, files) = render(&r, "depends.yaml", &text);
    let main = &files
        .iter()
        .find(|f| f.name == "main.tf")
        .expect("main.tf")
        .contents;
    assert!(
        !main.contains("depends_on = [kubernetes_manifest.external_secret]"),
        "{main}"
    );
    let dir = write_stack(tmp.path(), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("drop: [kubernetes_manifest.external_secret]"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("secret: profile_creation_pass"),
        "{}",
        got.yaml
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn nfs_volumes_outside_the_pod_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    // A target the stack's own job mounts by its claim, and one nothing mounts.
    let extra = r#"  - {name: archive, storage: nfs, size: 50Gi, pod: false}
  - {name: spare, storage: nfs, server: 192.168.1.13, path: /volume1/spare, pod: false}
jobs:
  - name: drone-logbook-export
    schedule: "0 5 * * *"
    containers:
      - {image: docker.io/library/alpine:3.20, command: [/bin/sh, -c, export]}
    volumes:
      - {name: archive, claim: drone-logbook-archive, mount: /archive}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "").replacen(
        "\nbackup:",
        &format!("{extra}\nbackup:"),
        1,
    );
    assert!(text.contains("name: spare"), "{text}");
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "outside.yaml",
        &text,
        &[
            "name: archive",
            "name: spare",
            "pod: false",
            "claim: drone-logbook-archive",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn a_job_mounting_the_apps_claim_by_reference_is_read_back() {
    // The stack names the claim of a PVC the spec declares by reference
    // (`kubernetes_persistent_volume_claim.data.metadata[0].name`): the job's volume is
    // `claim: <the PVC's name>`, which the spec renders as that reference again.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = r#"jobs:
  - name: drone-logbook-export
    schedule: "0 5 * * *"
    containers:
      - {image: docker.io/library/alpine:3.20, command: [/bin/sh, -c, export]}
    volumes:
      - {name: data, claim: drone-logbook-data-encrypted, mount: /data, read_only: true}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (name, files) = render(&r, "claim.yaml", &text);
    let main = &files
        .iter()
        .find(|f| f.name == "main.tf")
        .expect("main.tf")
        .contents;
    let job = &main[main.find("\"drone_logbook_export\"").expect("the job")..];
    assert!(
        job.contains("claim_name = kubernetes_persistent_volume_claim.data.metadata[0].name"),
        "{job}"
    );
    let dir = write_stack(tmp.path(), &name, &files);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("claim: drone-logbook-data-encrypted"),
        "{}",
        got.yaml
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn a_pod_volume_the_spec_cannot_say_leaves_the_jobs_nfs_targets_read() {
    // The pod's block-storage claim is of a class the spec does not know, so it and its
    // PVC stay raw HCL; the NFS target that only the stack's job mounts is still a volume
    // with `pod: false`, and the job that mounts it by the module's claim is still a job.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = r#"  - {name: archive, storage: nfs, size: 50Gi, pod: false}
jobs:
  - name: drone-logbook-export
    schedule: "0 5 * * *"
    containers:
      - {image: docker.io/library/alpine:3.20, command: [/bin/sh, -c, export]}
    volumes:
      - {name: archive, claim: drone-logbook-archive, mount: /archive}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "").replacen(
        "\nbackup:",
        &format!("{extra}\nbackup:"),
        1,
    );
    let (name, files) = render(&r, "outside.yaml", &text);
    let dir = write_stack(tmp.path(), &name, &files);
    let main_tf = dir.join("main.tf");
    let stack = fs::read_to_string(&main_tf).expect("main.tf");
    let class = "storage_class_name = \"proxmox-lvm-encrypted\"";
    assert!(stack.contains(class), "{stack}");
    fs::write(
        &main_tf,
        stack.replace(class, "storage_class_name = \"ceph-rbd\""),
    )
    .expect("write");
    let got = imported(&dir, &r);
    for want in [
        "pod: false",
        "name: drone-logbook-export",
        "claim: drone-logbook-archive",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    // Neither the job nor its target is raw HCL; the pod's claim is.
    for raw in ["module \"nfs_archive\"", "\"drone_logbook_export\""] {
        assert!(!got.yaml.contains(raw), "{raw}\n{}", got.yaml);
    }
    assert!(got.yaml.contains("ceph-rbd"), "{}", got.yaml);
}

#[test]
fn the_namespaces_quota_is_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "namespace:\n  quota:\n    name: tier-quota\n    hard: {requests.cpu: \"2\", requests.memory: 2Gi, limits.memory: 4Gi, pods: \"12\"}\n";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    assert!(text.contains("tier-quota"), "{text}");
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "quota.yaml",
        &text,
        &["quota:", "name: tier-quota", "limits.memory: 4Gi"],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn import_blocks_to_generated_resources_are_read_back_and_others_stay_raw() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "adopt:\n  imports:\n    - to: kubernetes_namespace.drone_logbook\n      id: drone-logbook\n    - to: kubernetes_manifest.external_secret\n      id: \"apiVersion=external-secrets.io/v1,kind=ExternalSecret,namespace=drone-logbook,name=drone-logbook-secrets\"\n";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (name, files) = render(&r, "imports.yaml", &text);
    let main = &files
        .iter()
        .find(|f| f.name == "main.tf")
        .expect("main.tf")
        .contents;
    assert!(
        main.contains(
            "import {\n  to = kubernetes_namespace.drone_logbook\n  id = \"drone-logbook\"\n}"
        ),
        "{main}"
    );
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "imports.yaml",
        &text,
        &[
            "imports:",
            "to: kubernetes_namespace.drone_logbook",
            "id: drone-logbook",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));

    // An import block the spec cannot say (`for_each`, a `to` it does not generate, an
    // `id` that is not a literal) stays whole in raw HCL; the proof counts every one.
    let dir = tmp.path().join(&name);
    let odd = "\nimport {\n  for_each = toset([\"a\"])\n  to       = kubernetes_config_map.x[each.key]\n  id       = each.key\n}\n\nimport {\n  to = kubernetes_namespace.elsewhere\n  id = \"elsewhere\"\n}\n\nimport {\n  to = kubernetes_manifest.external_secret\n  id = join(\"/\", [\"a\", \"b\"])\n}\n";
    let main_path = dir.join("main.tf");
    let without: String = fs::read_to_string(&main_path)
        .expect("main.tf")
        .split("\nimport {")
        .next()
        .expect("text before the import blocks")
        .to_owned();
    fs::write(&main_path, format!("{without}{odd}")).expect("write");
    let got = imported(&dir, &r);
    assert!(!got.yaml.contains("imports:"), "{}", got.yaml);
    for want in ["for_each", "kubernetes_namespace.elsewhere", "join(\"/\""] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_type().expect("type").is_file() {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A repo-shaped directory with copies of hand-written stacks under `stacks/`.
fn repo(stacks: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    for name in stacks {
        copy_dir(
            &root(&format!("tests/fixtures/handwritten/{name}")),
            &tmp.path().join("stacks").join(name),
        );
    }
    tmp
}

#[test]
fn declarations_nothing_uses_and_inlined_locals_are_named_not_dropped_silently() {
    let r = renderer();
    let tmp = repo(&["ledger-sync"]);
    let dir = tmp.path().join("stacks/ledger-sync");
    let main = dir.join("main.tf");
    let text = fs::read_to_string(&main).expect("main.tf");
    fs::write(
        &main,
        format!("{text}\nlocals {{\n  unused_map = {{\n    a = 1\n  }}\n}}\n\nvariable \"never_used\" {{\n  type = string\n}}\n"),
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert_eq!(got.left_out, ["local unused_map", "variable never_used"]);
    assert!(
        got.yaml.contains("# Declarations of the stack that nothing uses, left out (no plan changes): local unused_map, variable never_used."),
        "{}",
        got.yaml
    );
    // The in-house family's locals are used: the spec writes their values in place.
    assert!(
        got.yaml.contains("# Written out where the stack used them (the spec has no such field): local namespace, local labels."),
        "{}",
        got.yaml
    );
}

/// Adds `stacks/odd-unit`: music-stream without its `terragrunt.hcl`, which every spec
/// writes (writing one would make the directory a Terragrunt unit).
fn add_unreproducible(tmp: &Path) {
    let dir = tmp.join("stacks/odd-unit");
    copy_dir(&root("tests/fixtures/handwritten/music-stream"), &dir);
    fs::remove_file(dir.join("terragrunt.hcl")).expect("rm terragrunt.hcl");
}

#[test]
fn import_prints_the_spec_and_a_summary() {
    let tmp = repo(&["music-stream"]);
    let run = dlgen(tmp.path(), &["import", "stacks/music-stream"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.starts_with(
            "# yaml-language-server: $schema=../docs/spec.schema.json\n# music-stream: imported by `dlgen import`"
        ),
        "{run}"
    );
    assert!(run.stdout.contains("\nname: music-stream\n"), "{run}");
    assert!(
        run.stderr
            .contains("stacks/music-stream: lossless, no raw HCL"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("review: the stack gives no reason for backup.why"),
        "{run}"
    );
    // Nothing was written anywhere.
    assert!(!tmp.path().join("specs").exists());
}

#[test]
fn the_adoption_workflow_renders_a_stack_that_plans_like_the_hand_written_one() {
    let tmp = repo(&["music-stream"]);
    let original = tmp.path().join("original");
    copy_dir(&tmp.path().join("stacks/music-stream"), &original);
    fs::create_dir_all(tmp.path().join("specs")).expect("mkdir");
    let run = dlgen(
        tmp.path(),
        &[
            "import",
            "stacks/music-stream",
            "-o",
            "specs/music-stream.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    let run = dlgen(
        tmp.path(),
        &["render", "specs/music-stream.yaml", "--force"],
    );
    assert_eq!(run.code, 0, "{run}");
    let run = dlgen(tmp.path(), &["compare", "stacks/music-stream", "original"]);
    assert_eq!(run.code, 0, "{run}");
    let run = dlgen(tmp.path(), &["check"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn a_wrapping_local_module_is_flattened_with_moved_blocks() {
    // The hand-written vaultwarden keeps its objects in ./modules/vaultwarden: the spec
    // holds them at the root with `adopt.from_module` (its own backup jobs too, and the
    // backup volume's NFS claim), and the objects it leaves to raw
    // HCL (one no spec field says) come out of the module with a `moved` block each.
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(
        &root("tests/fixtures/lint/findings/stacks/vaultwarden"),
        &tmp.path().join("stacks/vaultwarden"),
    );
    let module_tf = tmp
        .path()
        .join("stacks/vaultwarden/modules/vaultwarden/main.tf");
    let text = fs::read_to_string(&module_tf).expect("module main.tf");
    fs::write(
        &module_tf,
        format!(
            "{text}\nresource \"terraform_data\" \"restore_marker\" {{\n  input = \"vaultwarden\"\n}}\n"
        ),
    )
    .expect("write");
    let original = tmp.path().join("original");
    copy_dir(&tmp.path().join("stacks/vaultwarden"), &original);
    let run = dlgen(
        tmp.path(),
        &[
            "import",
            "stacks/vaultwarden",
            "-o",
            "specs/vaultwarden.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("out of its local module (modules/vaultwarden/"),
        "{run}"
    );
    let spec = fs::read_to_string(tmp.path().join("specs/vaultwarden.yaml")).expect("spec");
    assert!(spec.contains("adopt: {from_module: vaultwarden}"), "{spec}");
    assert!(
        spec.contains("from = module.vaultwarden.terraform_data.restore_marker"),
        "{spec}"
    );
    assert!(spec.contains("  - name: vaultwarden-backup\n"), "{spec}");
    // The backup volume, a claim of the NFS module called inside the wrapping module, is
    // the spec's NFS volume.
    assert!(
        spec.contains("    claim_name: vaultwarden-backup-host\n"),
        "{spec}"
    );
    assert!(
        !spec.contains("module.nfs_vaultwarden_backup_host"),
        "{spec}"
    );
    // The module's variables are replaced by what the call passed.
    assert!(!spec.contains("var.tier"), "{spec}");
    let run = dlgen(tmp.path(), &["render", "specs/vaultwarden.yaml", "--force"]);
    assert_eq!(run.code, 0, "{run}");
    fs::remove_dir_all(tmp.path().join("stacks/vaultwarden/modules")).expect("rm");
    let run = dlgen(tmp.path(), &["compare", "stacks/vaultwarden", "original"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn import_refuses_to_overwrite_a_spec_unless_forced() {
    let tmp = repo(&["music-stream"]);
    let spec = tmp.path().join("music.yaml");
    fs::write(&spec, "hand-written\n").expect("write");
    let run = dlgen(
        tmp.path(),
        &["import", "stacks/music-stream", "-o", "music.yaml"],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("music.yaml: exists; nothing written (use --force"),
        "{run}"
    );
    assert_eq!(fs::read_to_string(&spec).expect("read"), "hand-written\n");
    let run = dlgen(
        tmp.path(),
        &[
            "import",
            "stacks/music-stream",
            "-o",
            "music.yaml",
            "--force",
        ],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        fs::read_to_string(&spec)
            .expect("read")
            .contains("name: music-stream")
    );
    // No temporary file is left behind.
    let left: Vec<_> = fs::read_dir(tmp.path())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|n| !n.starts_with('.')), "{left:?}");
}

#[test]
fn a_stack_no_spec_reproduces_is_exit_1_with_what_differs_and_nothing_written() {
    let tmp = repo(&[]);
    add_unreproducible(tmp.path());
    let run = dlgen(tmp.path(), &["import", "stacks/odd-unit", "-o", "odd.yaml"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("no spec reproduces this stack; nothing written"),
        "{run}"
    );
    assert!(
        run.stderr.contains("the stack has no terragrunt.hcl"),
        "{run}"
    );
    assert!(!tmp.path().join("odd.yaml").exists());
    assert!(run.stdout.is_empty(), "{run}");
}

#[test]
fn a_tls_call_in_another_namespace_stays_raw() {
    // Stack-patterns v2 section 2: the TLS call's namespace is a reference in 74 stacks
    // and a literal in 5. One naming another namespace than the stack's is not the
    // spec's TLS module: it stays whole in `raw.stack` (the spec then writes no TLS
    // module of its own), and the rest is read.
    let tmp = tempfile::tempdir().expect("tmp");
    let r = renderer();
    let text = fs::read_to_string(root("specs/freshrss.yaml")).expect("spec");
    let (name, files) = render(&r, "freshrss.yaml", &text);
    let dir = write_stack(&tmp.path().join("stacks"), &name, &files);
    let main = dir.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    let call =
        "  namespace       = kubernetes_namespace.freshrss.metadata[0].name\n  tls_secret_name";
    assert!(tf.contains(call), "{tf}");
    fs::write(
        &main,
        tf.replacen(
            call,
            "  namespace       = \"elsewhere\"\n  tls_secret_name",
            1,
        ),
    )
    .expect("write");
    let run = dlgen(tmp.path(), &["import", "stacks/freshrss"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("module \"tls_secret\" {"), "{run}");
    assert!(
        run.stdout.contains("namespace       = \"elsewhere\""),
        "{run}"
    );
    assert!(run.stdout.contains("containers:"), "{run}");
}

#[test]
fn a_malformed_or_missing_stack_is_exit_2_with_file_and_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/broken");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join("main.tf"), "resource \"a\" \"b\" {\n  x = \n}\n").expect("write");
    let run = dlgen(
        tmp.path(),
        &["import", "stacks/broken", "-o", "broken.yaml"],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("stacks/broken/main.tf:2:"), "{run}");
    assert!(!tmp.path().join("broken.yaml").exists());

    let run = dlgen(tmp.path(), &["import", "stacks/none"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("stacks/none"), "{run}");

    fs::write(dir.join("main.tf"), b"x = \"\xff\"\n").expect("write");
    let run = dlgen(tmp.path(), &["import", "stacks/broken"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("main.tf:1: not valid UTF-8"), "{run}");
}

#[test]
fn import_all_writes_the_specs_of_the_stacks_without_one() {
    let tmp = repo(&["music-stream", "short-links", "link-archive"]);
    add_unreproducible(tmp.path());
    // An object no spec field says, so short-links keeps some raw HCL.
    let main = tmp.path().join("stacks/short-links/main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    // And a value no value form says: raw HCL at the value, counted by what it calls.
    let host = "            value = var.postgresql_host\n";
    assert!(tf.contains(host), "{tf}");
    let tf = tf.replacen(host, "            value = lower(var.postgresql_host)\n", 1);
    fs::write(
        &main,
        format!("{tf}\nresource \"null_resource\" \"marker\" {{}}\n"),
    )
    .expect("write");
    // A stack that has a spec already is left alone.
    fs::create_dir_all(tmp.path().join("specs")).expect("mkdir");
    fs::write(tmp.path().join("specs/links.yaml"), "name: link-archive\n").expect("write");
    let run = dlgen(tmp.path(), &["import", "--all", "--dry-run", "--stats"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("stacks/music-stream: lossless, no raw HCL"),
        "{run}"
    );
    assert!(
        run.stdout.contains("stacks/odd-unit: not reproducible:"),
        "{run}"
    );
    assert!(!run.stdout.contains("stacks/link-archive:"), "{run}");
    assert!(
        run.stdout.contains("3 stacks without a spec: 2 imported losslessly (1 without raw HCL), 1 not reproducible, 0 unreadable"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("1 already with a spec; nothing written (--dry-run)"),
        "{run}"
    );
    // The constructs left raw, counted.
    let stats = run
        .stdout
        .split_once("raw HCL by construct (stacks):\n")
        .map(|(_, rest)| rest);
    assert!(
        stats.is_some_and(|s| s.contains("    1  resource null_resource\n")
            && s.contains("    1  value {hcl}: lower(…)\n")),
        "{run}"
    );
    assert!(!tmp.path().join("specs/music-stream.yaml").exists());

    let run = dlgen(tmp.path(), &["import", "--all"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("→ specs/music-stream.yaml\n"), "{run}");
    let written = fs::read_to_string(tmp.path().join("specs/music-stream.yaml")).expect("written");
    assert!(written.contains("name: music-stream"));
    assert!(!tmp.path().join("specs/odd-unit.yaml").exists());
    // Run again: music-stream has a spec now, and nothing is overwritten.
    let run = dlgen(tmp.path(), &["import", "--all"]);
    assert!(run.stdout.contains("1 stack without a spec"), "{run}");
    assert_eq!(
        fs::read_to_string(tmp.path().join("specs/music-stream.yaml")).expect("read"),
        written
    );
}

// --- the synthetic repo ---------------------------------------------------------------

/// The hand-written-style stacks of the synthetic repo (`benches/synth/`): each imports
/// losslessly (proved again here) or is refused for a named reason; never an error, never
/// a spec that plans otherwise. The raw share of each is printed (`--nocapture`).
/// `DLGEN_SYNTH_DIR` keeps the generated tree there, to import it by hand.
#[test]
fn synthetic_stacks_import_losslessly_or_are_refused() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let root_dir = std::env::var_os("DLGEN_SYNTH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let shape = synth::Shape {
        stacks: 24,
        files: 60,
        bytes: 400_000,
        seed: 3,
    };
    synth::generate(&root_dir, &shape).expect("synthetic stacks");
    let mut dirs: Vec<PathBuf> = fs::read_dir(root_dir.join("stacks"))
        .expect("stacks")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("main.tf").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "{dirs:?}");
    let (mut lossless, mut refused) = (0, 0);
    let mut report = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        match import(dir, &r) {
            Ok(got) => {
                let files = render_imported(&r, &got);
                let rendered = Stack::from_memory(
                    "rendered",
                    Some(dir),
                    files
                        .iter()
                        .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
                )
                .expect("reads");
                let result = compare(&rendered, &Stack::read(dir).expect("reads"));
                assert!(result.is_equal(), "{name}:\n{result}\n{}", got.yaml);
                lossless += 1;
                report.push(format!(
                    "{name}: lossless, {} raw of {} spec lines, {} without raw of {} stack lines",
                    got.raw_lines,
                    got.spec_lines,
                    got.spec_lines - got.raw_lines,
                    got.stack_lines
                ));
            }
            Err(Failure::NotReproducible { lines, .. }) => {
                assert!(!lines.is_empty(), "{name}: refused without a reason");
                refused += 1;
                report.push(format!("{name}: not reproducible: {}", lines[0]));
            }
            Err(Failure::Error(e)) => panic!("{name}: {e}"),
        }
    }
    eprintln!(
        "{}\n{lossless} lossless, {refused} not reproducible",
        report.join("\n")
    );
    assert!(
        lossless >= SYNTH_LOSSLESS,
        "{lossless} synthetic stacks import losslessly, {SYNTH_LOSSLESS} did"
    );
}

/// How many of the synthetic stacks import losslessly at least: the inversion only grows.
const SYNTH_LOSSLESS: usize = 24;

// --- mutated stacks -------------------------------------------------------------------

/// Stack directories whose mutations feed the property below: the generated stacks and
/// the hand-written-style corpus.
fn stack_seeds() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["stacks", "tests/fixtures/handwritten"] {
        for entry in fs::read_dir(root(dir)).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.join("main.tf").is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Whatever import accepts plans like the stack it read, and no stack makes it panic:
/// mutated copies of the seed stacks (values changed, lines dropped or doubled, pieces of
/// HCL inserted), each imported and, when a spec comes out, proved again independently.
#[test]
fn import_of_mutated_stacks_never_panics_and_what_it_accepts_plans_alike() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    const PIECES: &[&str] = &[
        "\n",
        "# a comment\n",
        "replicas = 2\n",
        "read_only = true\n",
        "image_pull_policy = \"Always\"\n",
        "env {\n name = \"X\"\n value = \"1\"\n}\n",
        "annotations = { a = \"b\" }\n",
        "\"",
        "}",
        "{",
        "80",
        "\"x\"",
        "var.nfs_server",
        "local.tiers.edge",
        "# a note\n",
        "timeouts {\n create = \"5m\"\n}\n",
        "wait_for_rollout = false\n",
        "working_dir = \"/app\"\n",
    ];
    let cases: u32 = std::env::var("DLGEN_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
        / 8;
    let seeds = stack_seeds();
    let edits = proptest::collection::vec(
        (0.0..1.0f64, 0..5u8, proptest::sample::select(PIECES)),
        1..4,
    );
    let strategy = (proptest::sample::select(seeds), edits);
    let mut runner = TestRunner::new(Config {
        cases: cases.max(8),
        failure_persistence: None,
        ..Config::default()
    });
    let r = renderer();
    let accepted = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&strategy, |(seed, edits)| {
        let tmp = tempfile::tempdir().expect("tmp");
        let name = seed.file_name().expect("name");
        let dir = tmp.path().join(name);
        copy_dir(&seed, &dir);
        let main = dir.join("main.tf");
        let mut text = fs::read_to_string(&main).expect("main.tf");
        for (at, op, piece) in edits {
            // At a line start, so that most mutations still parse.
            let mut i = ((text.len() as f64) * at) as usize;
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let i = text[..i].rfind('\n').map_or(0, |n| n + 1);
            let line_end = text[i..].find('\n').map_or(text.len(), |n| i + n + 1);
            match op {
                0..=2 => text.insert_str(i, piece),
                3 => text.replace_range(i..line_end, ""),
                _ => {
                    let line = text[i..line_end].to_owned();
                    text.insert_str(i, &line);
                }
            }
        }
        fs::write(&main, &text).expect("write");
        if let Ok(got) = import(&dir, &r) {
            // With the files it reads beside it.
            let spec = tmp.path().join("imported.yaml");
            let beside = dlgen::generate::spec_files_dir(&spec);
            for (file, text) in &got.files {
                fs::create_dir_all(&beside).expect("mkdir");
                fs::write(beside.join(file), text).expect("write");
            }
            let files = render_text(&r, &spec.display().to_string(), &got.yaml, "specs/x.yaml")
                .map_err(|e| {
                    TestCaseError::fail(format!(
                        "the imported spec does not render: {e}\n{}",
                        got.yaml
                    ))
                })?
                .1;
            let rendered = Stack::from_memory(
                "rendered",
                Some(&dir),
                files
                    .iter()
                    .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
            )
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let original = Stack::read(&dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let result = compare(&rendered, &original);
            prop_assert!(
                result.is_equal(),
                "accepted, yet it does not plan alike:\n{result}\n--- stack\n{text}\n--- spec\n{}",
                got.yaml
            );
            accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    let accepted = accepted.into_inner();
    eprintln!(
        "fuzz: {} mutated stacks through import, {accepted} imported and proved again",
        cases.max(8)
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    // The property is not vacuous: mutations that keep a stack reproducible are imported.
    assert!(accepted > 0, "no mutated stack was imported");
}

// --- stacks whose workload is not a Deployment of dlgen's ----------------------------

#[test]
fn a_helm_release_stays_raw_and_the_spec_says_the_namespace_and_ingress_around_it() {
    // The shape of the repo's Helm stacks: a namespace, the release, an ingress to the
    // chart's Service (named like the release).
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/chartapp");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(
        dir.join("main.tf"),
        r#"variable "tls_secret_name" {
  type      = string
  sensitive = true
}

resource "kubernetes_namespace" "chartapp" {
  metadata {
    name = "chartapp"
    labels = {
      tier = local.tiers.cluster
    }
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps this label on every namespace.
    ignore_changes = [metadata[0].labels["goldilocks.fairwinds.com/vpa-update-mode"]]
  }
}

module "tls_secret" {
  source          = "../../modules/kubernetes/setup_tls_secret"
  namespace       = kubernetes_namespace.chartapp.metadata[0].name
  tls_secret_name = var.tls_secret_name
}

resource "helm_release" "chartapp" {
  namespace        = kubernetes_namespace.chartapp.metadata[0].name
  create_namespace = false
  name             = "chartapp"
  repository       = "https://charts.example.org/chartapp"
  chart            = "chartapp"
  version          = "4.1.0"
  atomic           = true

  values = [<<-EOF
    fullnameOverride: chartapp
  EOF
  ]
}

module "ingress" {
  source          = "../../modules/kubernetes/ingress_factory"
  auth            = "app" # the chart's app has its own login
  dns_type        = "proxied"
  namespace       = "chartapp"
  name            = "chartapp"
  tls_secret_name = var.tls_secret_name
}
"#,
    )
    .expect("write");
    fs::write(
        dir.join("terragrunt.hcl"),
        "include \"root\" {\n  path = find_in_parent_folders()\n}\n\ndependency \"platform\" {\n  config_path  = \"../platform\"\n  skip_outputs = true\n}\n",
    )
    .expect("write");
    let r = renderer();
    let got = imported(&dir, &r);
    let yaml = &got.yaml;
    assert!(!yaml.contains("containers:"), "{yaml}");
    assert!(yaml.contains("ingress:"), "{yaml}");
    assert!(
        yaml.contains("auth_why: the chart's app has its own login"),
        "{yaml}"
    );
    assert!(
        yaml.contains("resource \"helm_release\" \"chartapp\""),
        "{yaml}"
    );
    assert!(!yaml.contains("module \"ingress\""), "{yaml}");
    assert!(
        !yaml.contains("kubernetes_namespace\" \"chartapp\""),
        "{yaml}"
    );
    // Proved again here, independently.
    let (_, files) = render(&r, "chartapp", yaml);
    let rendered = Stack::from_memory(
        "rendered",
        Some(&dir),
        files
            .iter()
            .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
    )
    .expect("reads");
    let result = compare(&rendered, &Stack::read(&dir).expect("reads"));
    assert!(result.is_equal(), "{result}\n{yaml}");
    // Only the release is raw.
    assert_eq!(got.raw_constructs, vec!["resource helm_release"], "{yaml}");
}

#[test]
fn a_stack_that_creates_no_namespace_deploys_into_the_one_its_objects_name() {
    // A platform stack: local modules and objects in a namespace another stack creates,
    // named as a literal; no Deployment, no namespace resource.
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/edge-platform");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(
        dir.join("main.tf"),
        r#"module "metallb" {
  source   = "./modules/metallb"
  tier     = local.tiers.cluster
  replicas = 2
}

resource "kubernetes_config_map" "edge_settings" {
  metadata {
    name      = "edge-settings"
    namespace = "edge-system"
  }
  data = {
    retention = "14d"
  }
}
"#,
    )
    .expect("write");
    fs::write(
        dir.join("terragrunt.hcl"),
        "include \"root\" {\n  path = find_in_parent_folders()\n}\n",
    )
    .expect("write");
    let r = renderer();
    let got = imported(&dir, &r);
    let yaml = &got.yaml;
    assert!(
        yaml.contains("namespace: {name: edge-system, create: false}"),
        "{yaml}"
    );
    // Nothing for Keel to update: no reason asked for.
    assert!(!yaml.contains("keel"), "{yaml}");
    assert!(got.reasons.is_empty(), "{:?}", got.reasons);
    assert!(yaml.contains("module \"metallb\""), "{yaml}");
    let (_, files) = render(&r, "edge-platform", yaml);
    let rendered = Stack::from_memory(
        "rendered",
        Some(&dir),
        files
            .iter()
            .map(|f| (PathBuf::from(&f.name), f.contents.clone())),
    )
    .expect("reads");
    let result = compare(&rendered, &Stack::read(&dir).expect("reads"));
    assert!(result.is_equal(), "{result}\n{yaml}");
}

// --- files beside the spec ------------------------------------------------------------

#[test]
fn files_the_stack_reads_are_written_beside_the_spec_and_never_over_another() {
    // status-page reads its Caddyfile with `file("${path.module}/Caddyfile")`: the spec
    // says `{file: Caddyfile}`, and the file goes into `specs/status-page/`.
    let tmp = tempfile::tempdir().expect("tmp");
    let stack = tmp.path().join("stacks/status-page");
    copy_dir(&root("tests/fixtures/handwritten/status-page"), &stack);
    let caddyfile = fs::read_to_string(stack.join("Caddyfile")).expect("read");

    // stdout: the spec, and where the file would go.
    let run = dlgen(tmp.path(), &["import", "stacks/status-page"]);
    run.success();
    assert!(run.stdout.contains("Caddyfile: {file: Caddyfile}"), "{run}");
    assert!(
        run.stderr
            .contains("note: the spec reads Caddyfile beside it: copy it from stacks/status-page"),
        "{run}"
    );
    assert!(!tmp.path().join("specs").exists(), "{run}");

    // A file already where the spec's file goes: nothing written, not even the spec.
    fs::create_dir_all(tmp.path().join("specs/status-page")).expect("mkdir");
    fs::write(tmp.path().join("specs/status-page/Caddyfile"), "mine\n").expect("write");
    let run = dlgen(
        tmp.path(),
        &[
            "import",
            "stacks/status-page",
            "-o",
            "specs/status-page.yaml",
        ],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("Caddyfile: exists"), "{run}");
    assert!(!tmp.path().join("specs/status-page.yaml").exists(), "{run}");
    assert_eq!(
        fs::read_to_string(tmp.path().join("specs/status-page/Caddyfile")).expect("read"),
        "mine\n"
    );

    // --force replaces it; the spec then renders the stack with the file beside it.
    let run = dlgen(
        tmp.path(),
        &[
            "import",
            "stacks/status-page",
            "-o",
            "specs/status-page.yaml",
            "--force",
        ],
    );
    run.success();
    assert_eq!(
        fs::read_to_string(tmp.path().join("specs/status-page/Caddyfile")).expect("read"),
        caddyfile
    );
    let spec = tmp.path().join("specs/status-page.yaml");
    let text = fs::read_to_string(&spec).expect("spec");
    let (_, files) = render(&renderer(), &spec.display().to_string(), &text);
    let beside = files
        .iter()
        .find(|f| f.name == "Caddyfile")
        .expect("Caddyfile");
    assert_eq!(beside.contents, caddyfile);

    // A directory of files that is a symlink leading elsewhere is refused.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().expect("tmp");
        fs::remove_dir_all(tmp.path().join("specs")).expect("rm");
        fs::create_dir_all(tmp.path().join("specs")).expect("mkdir");
        std::os::unix::fs::symlink(elsewhere.path(), tmp.path().join("specs/status-page"))
            .expect("symlink");
        let run = dlgen(
            tmp.path(),
            &[
                "import",
                "stacks/status-page",
                "-o",
                "specs/status-page.yaml",
                "--force",
            ],
        );
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains("is not a directory"), "{run}");
        assert!(
            fs::read_dir(elsewhere.path())
                .expect("read")
                .next()
                .is_none()
        );
        assert!(!tmp.path().join("specs/status-page.yaml").exists(), "{run}");
    }

    // --all writes the file beside each spec it writes.
    fs::remove_file(tmp.path().join("specs/status-page")).ok();
    let run = dlgen(tmp.path(), &["import", "--all"]);
    assert!(run.stdout.contains("→ specs/status-page.yaml"), "{run}");
    assert_eq!(
        fs::read_to_string(tmp.path().join("specs/status-page/Caddyfile")).expect("read"),
        caddyfile
    );
}

/// Every form of `kubernetes_secrets:` the fact sheet shows, on drone-logbook.
const KUBERNETES_SECRETS: &str = r#"service_accounts:
  - name: dashboard
kubernetes_secrets:
  - name: drone-logbook-env
    type: Opaque
    data:
      API_KEY: {vault: {path: drone-logbook, key: api_key}}
      DB_HOST: {var: postgresql_host}
  - name: dashboard-token
    service_account: dashboard
  - name: drone-logbook-ssh
    resource_type: kubernetes_secret_v1
    type: generic
    data: {id_rsa: {file: id_rsa}}
  - name: registry
    type: kubernetes.io/dockerconfigjson
    data:
      .dockerconfigjson: {jsonencode: {auths: {ghcr.io: {username: owner, password: {vault: {path: viktor, key: ghcr_pull_token}}}}}}
  - name: tls-pair
    type: kubernetes.io/tls
    data:
      tls.crt: {vault: {path: drone-logbook, key: tls_crt}}
      tls.key: {vault: {path: drone-logbook, key: tls_key}}
  - name: htpasswd
    comment: Basic auth of the recorder.
    labels: {app: drone-logbook}
    annotations: {reloader.stakater.com/match: "true"}
    data: {htpasswd: {vault: {path: drone-logbook, key: htpasswd}}}
    ignore_changes: [data]
    ignore_changes_why: the app rewrites it on login. Reviewed 2026-01-01.
"#;

/// drone-logbook with every form of secret, its pod reading two of them by name; the
/// stack rendered under `tmp`, the spec text and the stack's directory.
fn drone_logbook_secrets(r: &Renderer, tmp: &Path) -> (String, PathBuf) {
    let spec = tmp.join("specs/secrets.yaml");
    let beside = dlgen::generate::spec_files_dir(&spec);
    fs::create_dir_all(&beside).expect("mkdir");
    fs::write(beside.join("id_rsa"), "not a key, a test file\n").expect("write");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", KUBERNETES_SECRETS)
        .replacen(
            "volumes:\n",
            "volumes:\n  - name: ssh\n    secret: {name: drone-logbook-ssh, default_mode: \"0400\"}\n    mount: /root/.ssh\n",
            1,
        )
        .replacen(
            "      - name: PROFILE_CREATION_PASS\n",
            "      - {name: API_KEY, secret: API_KEY, secret_name: drone-logbook-env}\n      - name: PROFILE_CREATION_PASS\n",
            1,
        );
    let (name, files) = render(r, &spec.display().to_string(), &text);
    let dir = write_stack(&tmp.join("stacks"), &name, &files);
    (text, dir)
}

/// `terraform fmt -check` and `terraform validate` on a rendered stack directory: fmt
/// clean, and no error but those of the modules and providers not installed. Skipped,
/// saying so, when `terraform` is not on `PATH`.
fn terraform_accepts(dir: &Path) {
    use std::process::Command;
    let present = Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("skipped: terraform is not on PATH");
        return;
    }
    let fmt = Command::new("terraform")
        .args(["fmt", "-check", "-diff", "-no-color"])
        .arg(dir)
        .output()
        .expect("terraform fmt");
    assert!(
        fmt.status.success(),
        "{}",
        String::from_utf8_lossy(&fmt.stdout)
    );
    let out = Command::new("terraform")
        .args(["validate", "-no-color"])
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .expect("terraform validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let errors: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start_matches(['│', ' ']).strip_prefix("Error: "))
        .filter(|e| {
            !e.starts_with("Module not installed") && !e.starts_with("Missing required provider")
        })
        .collect();
    assert!(errors.is_empty(), "{text}");
}

#[test]
fn kubernetes_secrets_are_read_back_in_every_form() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (text, dir) = drone_logbook_secrets(&r, tmp.path());
    let tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    for want in [
        "name = kubernetes_secret.drone_logbook_env.metadata[0].name",
        "secret_name  = kubernetes_secret_v1.drone_logbook_ssh.metadata[0].name",
        "\"kubernetes.io/service-account.name\" = kubernetes_service_account.dashboard.metadata[0].name",
        "# DRIFT_WORKAROUND: the app rewrites it on login. Reviewed 2026-01-01.",
    ] {
        assert!(tf.contains(want), "{want}\n{tf}");
    }
    terraform_accepts(&dir);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "kubernetes_secrets:",
        "service_account: dashboard",
        "resource_type: kubernetes_secret_v1",
        "id_rsa: {file: id_rsa}",
        "type: kubernetes.io/dockerconfigjson",
        "ignore_changes_why: the app rewrites it on login. Reviewed 2026-01-01.",
        "comment: Basic auth of the recorder.",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    // The defaults are not restated: the token's type and wait, the address, the type.
    assert!(
        !got.yaml.contains("wait_for_service_account_token"),
        "{}",
        got.yaml
    );
    assert!(
        !got.yaml.contains("address: drone_logbook_env"),
        "{}",
        got.yaml
    );
    assert_eq!(
        got.files,
        vec![("id_rsa".to_owned(), b"not a key, a test file\n".to_vec())]
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn a_secret_with_a_literal_value_stays_raw_where_the_stack_had_it() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (_, dir) = drone_logbook_secrets(&r, tmp.path());
    let main = dir.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    // A hand-written stack: a literal value, and a drift workaround without its reason.
    let old = "\"tls.key\" = data.vault_kv_secret_v2.secrets.data[\"tls_key\"]";
    assert!(tf.contains(old), "{tf}");
    let tf = tf
        .replacen(old, "\"tls.key\" = \"-----BEGIN KEY-----\"", 1)
        .replacen(
            "    # DRIFT_WORKAROUND: the app rewrites it on login. Reviewed 2026-01-01.\n",
            "",
            1,
        );
    fs::write(&main, tf).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    // The literal stays where the stack had it, whole, and nowhere in a spec field.
    let raw = got.yaml.split("raw:").nth(1).expect("raw HCL");
    assert!(
        raw.contains("resource \"kubernetes_secret\" \"tls_pair\"") && raw.contains("BEGIN KEY"),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("name: tls-pair"), "{}", got.yaml);
    // The others are still read; the workaround without a reason gets the placeholder.
    assert!(got.yaml.contains("name: drone-logbook-env"), "{}", got.yaml);
    assert!(
        got.yaml.contains(
            "ignore_changes_why: 'imported as it stands; the stack gives no reason (review: say why)'"
        ),
        "{}",
        got.yaml
    );
}

#[test]
fn a_file_the_stack_reads_from_a_directory_of_its_own_keeps_its_path() {
    // `file("${path.module}/files/<f>")`: status-page with its Caddyfile under `files/`.
    // The spec says `{file: files/Caddyfile}`, and the file keeps its path beside it.
    let tmp = repo(&["status-page"]);
    let stack = tmp.path().join("stacks/status-page");
    fs::create_dir_all(stack.join("files")).expect("mkdir");
    fs::rename(stack.join("Caddyfile"), stack.join("files/Caddyfile")).expect("mv");
    let main = stack.join("main.tf");
    let tf = fs::read_to_string(&main).expect("main.tf");
    let moved = tf.replace("${path.module}/Caddyfile", "${path.module}/files/Caddyfile");
    assert_ne!(moved, tf);
    fs::write(&main, moved).expect("write");
    let caddyfile = fs::read_to_string(stack.join("files/Caddyfile")).expect("read");

    let r = renderer();
    let got = imported(&stack, &r);
    assert!(
        got.yaml.contains("Caddyfile: {file: files/Caddyfile}"),
        "{}",
        got.yaml
    );
    assert!(
        got.files
            .iter()
            .any(|(n, t)| n == "files/Caddyfile" && *t == caddyfile.as_bytes()),
        "{:?}",
        got.files
    );
    // Rendered again, the file is written at the same path in the stack.
    let again = render_imported(&r, &got);
    assert!(
        again
            .iter()
            .any(|f| f.name == "files/Caddyfile" && f.contents == caddyfile),
        "{again:?}"
    );

    // Written with -o, the file goes to the same path beside the spec.
    let run = dlgen(
        tmp.path(),
        &[
            "import",
            "stacks/status-page",
            "-o",
            "specs/status-page.yaml",
        ],
    );
    run.success();
    assert_eq!(
        fs::read_to_string(tmp.path().join("specs/status-page/files/Caddyfile")).expect("read"),
        caddyfile
    );
    // A symlink in the way beside the spec is refused, nothing written.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().expect("tmp");
        fs::remove_dir_all(tmp.path().join("specs")).expect("rm");
        fs::create_dir_all(tmp.path().join("specs/status-page")).expect("mkdir");
        std::os::unix::fs::symlink(elsewhere.path(), tmp.path().join("specs/status-page/files"))
            .expect("symlink");
        let run = dlgen(
            tmp.path(),
            &[
                "import",
                "stacks/status-page",
                "-o",
                "specs/status-page.yaml",
            ],
        );
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains("is not a directory"), "{run}");
        assert!(
            fs::read_dir(elsewhere.path())
                .expect("read")
                .next()
                .is_none()
        );
        assert!(!tmp.path().join("specs/status-page.yaml").exists(), "{run}");
    }
}

#[test]
fn binary_data_read_from_files_of_the_stack_is_read_back_with_its_bytes() {
    // `binary_data = { "<k>" = filebase64("${path.module}/<f>") }`: a file of any bytes,
    // copied beside the spec as it is; beside text data of the same config map.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("specs/binary.yaml");
    let beside = dlgen::generate::spec_files_dir(&spec);
    let icon: Vec<u8> = vec![0x00, 0x00, 0x01, 0x00, 0xff, 0xfe, 0x89, b'P', b'N', b'G'];
    fs::create_dir_all(beside.join("files")).expect("mkdir");
    fs::write(beside.join("files/favicon.ico"), &icon).expect("write");
    fs::write(beside.join("logo.svg"), "<svg/>\n").expect("write");
    let extra = r#"config_maps:
  - name: drone-logbook-assets
    data:
      mode: read-only
    binary_data:
      favicon.ico: {file: files/favicon.ico}
      logo.svg: {file: logo.svg}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (name, files) = render(&r, &spec.display().to_string(), &text);
    let dir = write_stack(&tmp.path().join("stacks"), &name, &files);
    assert_eq!(fs::read(dir.join("files/favicon.ico")).expect("read"), icon);
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(
        main.contains("\"favicon.ico\" = filebase64(\"${path.module}/files/favicon.ico\")"),
        "{main}"
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "binary_data:",
        "favicon.ico: {file: files/favicon.ico}",
        "logo.svg: {file: logo.svg}",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    assert!(
        got.files
            .iter()
            .any(|(n, b)| n == "files/favicon.ico" && *b == icon),
        "{:?}",
        got.files
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
    // Rendered again, the stack and its binary file are the same.
    let again = render_imported(&r, &got);
    let main_again = again.iter().find(|f| f.name == "main.tf").expect("main.tf");
    assert_eq!(main_again.contents, main);
    assert!(
        again
            .iter()
            .any(|f| f.name == "files/favicon.ico" && f.bytes() == icon.as_slice()),
        "{again:?}"
    );
    // A value the spec cannot say (base64 of a literal) leaves the config map raw, whole.
    let edited = main.replace(
        "filebase64(\"${path.module}/logo.svg\")",
        "base64encode(\"<svg/>\\n\")",
    );
    assert_ne!(edited, main);
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(!got.yaml.contains("binary_data:\n"), "{}", got.yaml);
}

#[test]
fn env_values_that_are_function_calls_are_read_back_as_the_call() {
    // The env values the repo writes as calls: `jsonencode([...])` of literals and with a
    // reference inside, `base64encode(random_password.<x>.result)`, `tostring(var.<x>)`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "random:\n  - {name: secret_key, kind: password, length: 64, special: false}\n")
        .replace(
            "      - name: RUST_LOG\n        value: info\n",
            "      - name: RUST_LOG\n        value: info\n      - {name: ALLOWED_HOSTS, value: {jsonencode: [drone.example.org, '*.lan', {zeta: 1, alpha: [b, a]}]}}\n      - {name: PEERS, value: {jsonencode: [{var: public_ip}, 10.0.0.1]}}\n      - {name: SECRET_KEY, value: {base64encode: {ref: random_password.secret_key.result}}}\n      - {name: PORT, value: {tostring: {var: web_port}}}\n",
        );
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "calls.yaml",
        &text,
        &[
            "value: {jsonencode: [drone.example.org, '*.lan', {zeta: 1, alpha: [b, a]}]}",
            "value: {jsonencode: [{var: public_ip}, 10.0.0.1]}",
            "value: {base64encode: {ref: random_password.secret_key.result}}",
            "value: {tostring: {var: web_port}}",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    for call in [
        "value = jsonencode([\"drone.example.org\", \"*.lan\", {\n",
        "value = jsonencode([var.public_ip, \"10.0.0.1\"])",
        "base64encode(random_password.secret_key.result)",
        "tostring(var.web_port)",
    ] {
        assert!(main.contains(call), "{call}\n{main}");
    }
    let again = render_imported(&r, &got);
    let main_again = again.iter().find(|f| f.name == "main.tf").expect("main.tf");
    assert_eq!(main_again.contents, main);
}

const MIDDLEWARES_AND_BUDGET: &str = r#"middlewares:
  - name: strip-api
    spec:
      stripPrefix: {prefixes: [/api]}
  - name: bearer-auth
    comment: Bearer tokens live in Vault as a JSON list.
    force_conflicts: true
    depends_on_namespace: true
    spec:
      plugin:
        api-token-middleware:
          authenticationHeader: false
          bearerHeader: true
          bearerHeaderName: Authorization
          tokens: {jsondecode: {vault: {path: drone-logbook, key: bearer_tokens}}}
          removeHeadersOnSuccess: true
          authenticationErrorMsg: Access Denied
  - name: api-headers
    spec:
      headers:
        customRequestHeaders: {X-Forwarded-Proto: https, X-Upstream: {var: upstream_host}}
      rateLimit: {average: 50, burst: 100}
disruption_budget:
  min_available: 2
  comment: Two replicas stay up through a node drain.
"#;

#[test]
fn middlewares_and_the_disruption_budget_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        MIDDLEWARES_AND_BUDGET,
    );
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "middlewares.yaml",
        &text,
        &[
            "middlewares:",
            "name: bearer-auth",
            "tokens: {jsondecode: {vault: {path: drone-logbook, key: bearer_tokens}}}",
            "force_conflicts: true",
            "X-Upstream: {var: upstream_host}",
            "comment: Bearer tokens live in Vault as a JSON list.",
            "min_available: 2",
            "comment: Two replicas stay up through a node drain.",
        ],
    );
    // The number stays a number; the keys keep the order the stack writes them in.
    assert!(!got.yaml.contains("min_available: '2'"), "{}", got.yaml);
    let order = [
        "authenticationHeader",
        "bearerHeader:",
        "tokens:",
        "removeHeaders",
    ];
    let at: Vec<usize> = order.iter().map(|k| got.yaml.find(k).expect(k)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

/// The shapes the repo's stacks write by hand (the fact sheet's): a literal namespace or
/// a reference to it, the plugin's key unquoted, `max_unavailable` as a string.
#[test]
fn hand_written_middlewares_and_budgets_import_without_raw() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        "disruption_budget: {max_unavailable: \"1\"}\n",
    );
    let (name, files) = render(&r, "budget.yaml", &text);
    let dir = write_stack(tmp.path(), &name, &files);
    let main_tf = dir.join("main.tf");
    let stack = fs::read_to_string(&main_tf).expect("main.tf");
    let written = r#"
resource "kubernetes_manifest" "bearer_auth" {
  manifest = {
    apiVersion = "traefik.io/v1alpha1"
    kind       = "Middleware"
    metadata = {
      name      = "bearer-auth"
      namespace = "drone-logbook"
    }
    spec = {
      plugin = {
        api-token-middleware = {
          authenticationHeader   = false
          bearerHeader           = true
          bearerHeaderName       = "Authorization"
          tokens                 = jsondecode(data.vault_kv_secret_v2.secrets.data["bearer_tokens"])
          removeHeadersOnSuccess = true
          authenticationErrorMsg = "Access Denied"
        }
      }
    }
  }
}

# Static assets are cached for a day.
resource "kubernetes_manifest" "cache_headers" {
  field_manager {
    force_conflicts = true
  }
  manifest = {
    apiVersion = "traefik.io/v1alpha1"
    kind       = "Middleware"
    metadata = {
      name      = "static-cache-headers"
      namespace = kubernetes_namespace.drone_logbook.metadata[0].name
    }
    spec = {
      headers = {
        customResponseHeaders = {
          "Cache-Control" = "public, max-age=86400"
        }
      }
    }
  }
  depends_on = [kubernetes_namespace.drone_logbook]
}

resource "kubernetes_manifest" "redirect_www" {
  manifest = {
    apiVersion = "traefik.io/v1alpha1"
    kind       = "Middleware"
    metadata = {
      name      = "redirect-www"
      namespace = kubernetes_namespace.drone_logbook.metadata[0].name
    }
    spec = {
      redirectRegex = {
        regex       = "^https://www\\.(.*)"
        replacement = "https://$${1}"
        permanent   = true
      }
    }
  }
}

data "vault_kv_secret_v2" "secrets" {
  mount = "secret"
  name  = "drone-logbook"
}
"#;
    let budget = "namespace = kubernetes_namespace.drone_logbook.metadata[0].name\n  }\n  spec {\n    max_unavailable";
    assert!(stack.contains(budget), "{stack}");
    let stack = stack.replacen(
        budget,
        "namespace = \"drone-logbook\"\n  }\n  spec {\n    max_unavailable",
        1,
    );
    fs::write(&main_tf, format!("{stack}{written}")).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "name: bearer-auth",
        "tokens: {jsondecode: {vault: {path: drone-logbook, key: bearer_tokens}}}",
        "comment: Static assets are cached for a day.",
        "Cache-Control: 'public, max-age=86400'",
        "replacement: 'https://${1}'",
        "disruption_budget: {max_unavailable: '1'}",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    // Metadata beyond a name is not the Middleware's short form: the manifest is read in
    // the general one.
    fs::write(
        &main_tf,
        format!(
            "{stack}{}",
            written.replace(
                "name      = \"redirect-www\"",
                "name      = \"redirect-www\"\n      labels    = { team = \"web\" }"
            )
        ),
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "manifests:",
        "kind: Middleware",
        "labels: {team: web}",
        "name: static-cache-headers",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    // What no spec field says (`computed_fields`) stays whole in raw HCL.
    fs::write(
        &main_tf,
        format!(
            "{stack}{}",
            written.replace(
                "resource \"kubernetes_manifest\" \"redirect_www\" {\n",
                "resource \"kubernetes_manifest\" \"redirect_www\" {\n  computed_fields = [\"metadata.labels\"]\n"
            )
        ),
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 1, "{}", got.yaml);
    assert!(got.yaml.contains("computed_fields"), "{}", got.yaml);
    assert!(
        got.yaml.contains("name: static-cache-headers"),
        "{}",
        got.yaml
    );
}

#[test]
fn checksums_written_over_a_local_or_a_file_are_read_as_the_config_maps() {
    // The repo hashes the value itself as often as the config map's key:
    // `"checksum/config" = sha256(local.<cfg>)`, `nonsensitive(sha256(local.<cfg>))` and
    // `sha1(file("${path.module}/<f>"))`. Each plans as the hash of the config map key
    // holding the same text, so each is that key's checksum, not an annotation the spec
    // cannot say (which left the pod template's annotations unreproducible).
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = r#"config_maps:
  - name: drone-logbook-config
    data:
      app.conf: |
        listen 80
        root /srv
    checksums:
      - {key: app.conf}
      - {key: app.conf, annotation: example.org/conf-sha1, hash: sha1}
"#;
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (name, files) = render(&r, "cm.yaml", &text);
    let dir = write_stack(tmp.path(), &name, &files);
    let main_tf = dir.join("main.tf");
    let stack = fs::read_to_string(&main_tf).expect("main.tf");
    let sha256 = "sha256(kubernetes_config_map.drone_logbook_config.data[\"app.conf\"])";
    let sha1 = "sha1(kubernetes_config_map.drone_logbook_config.data[\"app.conf\"])";
    assert!(stack.contains(sha256) && stack.contains(sha1), "{stack}");
    let edited = stack
        .replace(sha256, "nonsensitive(sha256(local.app_conf))")
        .replace(sha1, "sha1(file(\"${path.module}/app.conf\"))");
    let locals = "locals {\n  app_conf = <<-EOT\n    listen 80\n    root /srv\n  EOT\n}\n";
    fs::write(&main_tf, format!("{edited}\n{locals}")).expect("write");
    fs::write(dir.join("app.conf"), "listen 80\nroot /srv\n").expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(!got.yaml.contains("pod_annotations"), "{}", got.yaml);
    assert!(
        got.yaml
            .contains("{key: app.conf, annotation: example.org/conf-sha1, hash: sha1}"),
        "{}",
        got.yaml
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn variables_the_stack_declares_with_a_default_are_read_back() {
    // A flag, a count and a schedule with defaults (stack-patterns v2 section 4): the
    // rendered stack declares every variable the spec uses, so without its default the
    // plan differed and no spec reproduced the stack.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "variables:
  workers: {default: 4}
  dry_run: {default: true, description: Post nothing; log what would be posted.}
";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra)
        .replace(
            "    env:\n",
            "    env:\n      - {name: WORKERS, value: {var: workers}}\n      - {name: DRY_RUN, value: {tostring: {var: dry_run}}}\n",
        );
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "vars.yaml",
        &text,
        &["variables:", "workers: {default: 4}", "default: true"],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

#[test]
fn a_dynamic_port_range_stays_raw_in_the_service_spec_of_a_scaled_to_zero_stack() {
    // Scale-to-zero is said on the main ingress, which routes to the app's Service. A
    // `dynamic "port"` range on that Service (as TURN servers write it) is raw HCL in the
    // Service's `spec` (`service.spec_raw`), alone: the Service, the ingress and
    // `scale_to_zero` are still read (the range used to give up the Service and the
    // ingress with it, and the sablier labels were read as plain labels).
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        "scale_to_zero: true\n",
    );
    let (name, files) = render(&r, "stz.yaml", &text);
    let dir = write_stack(tmp.path(), &name, &files);
    let main_tf = dir.join("main.tf");
    let stack = fs::read_to_string(&main_tf).expect("main.tf");
    let port = "    port {\n      port        = \"80\"\n      target_port = \"80\"\n    }\n";
    assert!(stack.contains(port), "{stack}");
    let range = "    dynamic \"port\" {\n      for_each = range(49152, 49154)\n      content {\n        name     = \"turn-${port.value}\"\n        port     = port.value\n        protocol = \"UDP\"\n      }\n    }\n";
    fs::write(&main_tf, stack.replacen(port, &format!("{port}{range}"), 1)).expect("write");
    let got = imported(&dir, &r);
    assert!(got.yaml.contains("scale_to_zero: true"), "{}", got.yaml);
    assert!(!got.yaml.contains("sablier.enable"), "{}", got.yaml);
    assert!(
        got.yaml.contains(
            "  spec_raw: |\n    dynamic \"port\" {\n      for_each = range(49152, 49154)\n"
        ),
        "{}",
        got.yaml
    );
    assert_eq!(got.raw_lines, range.lines().count(), "{}", got.yaml);
}

#[test]
fn a_dynamic_port_range_from_locals_reads_them_from_the_start() {
    // coturn's range reads its bounds from locals. The raw `dynamic "port"` placed from
    // the start was rendered without those locals, so it differed from the stack's and
    // the whole Service went into `raw.stack`. The locals are declared from the start
    // now, and kept in `raw.stack` beside the Service's `spec_raw`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", "");
    let (name, files) = render(&r, "range.yaml", &text);
    let dir = write_stack(tmp.path(), &name, &files);
    let main_tf = dir.join("main.tf");
    let stack = fs::read_to_string(&main_tf).expect("main.tf");
    let port = "    port {\n      port        = \"80\"\n      target_port = \"80\"\n    }\n";
    assert!(stack.contains(port), "{stack}");
    let range = "    dynamic \"port\" {\n      for_each = range(local.relay_min, local.relay_max + 1)\n      content {\n        name     = \"turn-${port.value}\"\n        port     = port.value\n        protocol = \"UDP\"\n      }\n    }\n";
    let locals = "locals {\n  relay_min = 49152\n  relay_max = 49154\n}\n";
    fs::write(
        &main_tf,
        format!(
            "{}\n{locals}",
            stack.replacen(port, &format!("{port}{range}"), 1)
        ),
    )
    .expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml.contains(
            "  spec_raw: |\n    dynamic \"port\" {\n      for_each = range(local.relay_min, local.relay_max + 1)\n"
        ),
        "{}",
        got.yaml
    );
    assert!(
        !got.yaml.contains("resource \"kubernetes_service\""),
        "{}",
        got.yaml
    );
    assert_eq!(
        got.raw_lines,
        range.lines().count() + locals.lines().count(),
        "{}",
        got.yaml
    );
}

#[test]
fn deployment_labels_beside_a_tier_reference_are_read_back() {
    // `"service-identity" = "<name>"` beside `tier = local.tiers.<t>` (stack-patterns v2
    // section 3.1): the tier is a reference, not a string, and the other labels are read
    // without it (they were dropped, and no spec reproduced the stack).
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        "deployment:\n  labels: {service-identity: drone-logbook}\n",
    );
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "labels.yaml",
        &text,
        &["labels: {service-identity: drone-logbook}"],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

const NETWORK_POLICIES: &str = r#"namespace:
  labels: {chrome-service.viktorbarzin.me/client: "true"}
network_policies:
  - comment: The ingress controller and the monitoring scrapers only.
    ingress:
      - from:
          - namespace_selector: {match_labels: {kubernetes.io/metadata.name: traefik}}
        ports: [{port: http}]
      - from:
          - namespace_selector:
              match_expressions: [{key: team, operator: NotIn, values: [guests]}]
            pod_selector:
              match_expressions: [{key: scraper, operator: Exists}]
        ports: [{port: 9100, end_port: 9110, protocol: TCP}]
  - name: egress-internet
    address: internet
    pod_selector: {match_labels: {app: drone-logbook, role: sync}}
    policy_types: [Egress]
    egress:
      - to:
          - ip_block: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}
        ports: [{port: "443", protocol: TCP}]
      - {}
  - name: deny-all
    resource_type: kubernetes_network_policy
    pod_selector: {}
    policy_types: [Ingress, Egress]
"#;

#[test]
fn network_policies_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        NETWORK_POLICIES,
    );
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "policies.yaml",
        &text,
        &[
            "network_policies:",
            "chrome-service.viktorbarzin.me/client: 'true'",
            "comment: The ingress controller and the monitoring scrapers only.",
            "ports: [{port: http}]",
            "{key: team, operator: NotIn, values: [guests]}",
            "{key: scraper, operator: Exists}",
            "{port: 9100, end_port: 9110, protocol: TCP}",
            "address: internet",
            "policy_types: [Ingress, Egress]",
            "{port: '443', protocol: TCP}",
            "resource_type: kubernetes_network_policy",
            "pod_selector: {}",
        ],
    );
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    for want in [
        "resource \"kubernetes_network_policy_v1\" \"drone_logbook\"",
        "resource \"kubernetes_network_policy_v1\" \"internet\"",
        "resource \"kubernetes_network_policy\" \"deny_all\"",
        "\"chrome-service.viktorbarzin.me/client\" = \"true\"",
    ] {
        assert!(main.contains(want), "{want}\n{main}");
    }
    // The app's pods, the name after the Deployment and the policy types its rules imply
    // are defaults, not restated; a number stays a number and a string a string.
    let first = &got.yaml[got.yaml.find("network_policies:").expect("policies")..];
    let first = &first[..first.find("- name: egress-internet").expect("second")];
    assert!(
        first.starts_with("network_policies:\n  - ingress:"),
        "{}",
        got.yaml
    );
    for default in [
        "pod_selector",
        "policy_types",
        "name",
        "address",
        "resource_type",
    ] {
        let field = format!("\n    {default}:");
        assert!(!first.contains(&field), "{default}\n{}", got.yaml);
    }
    assert!(!got.yaml.contains("policy_types: [Egress]"), "{}", got.yaml);
    assert!(!got.yaml.contains("port: '9100'"), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

/// A policy the spec cannot say (labels in its metadata) stays whole in raw HCL, and the
/// policies around it are still read.
#[test]
fn a_network_policy_the_spec_cannot_say_stays_raw_alone() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        "network_policies:\n  - name: deny-all\n    pod_selector: {}\n    policy_types: [Ingress]\n",
    );
    let (name, files) = render(&r, "policy.yaml", &text);
    let dir = write_stack(tmp.path(), &name, &files);
    let main_tf = dir.join("main.tf");
    let stack = fs::read_to_string(&main_tf).expect("main.tf");
    let written = r#"
resource "kubernetes_network_policy_v1" "labelled" {
  metadata {
    name      = "labelled"
    namespace = "drone-logbook"
    labels    = { team = "web" }
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
  }
}

resource "kubernetes_network_policy" "dns" {
  metadata {
    name      = "dns"
    namespace = "drone-logbook"
  }
  spec {
    pod_selector {
      match_labels = { app = "drone-logbook" }
    }
    egress {
      ports {
        port     = "53"
        protocol = "UDP"
      }
    }
    policy_types = ["Egress"]
  }
}
"#;
    fs::write(&main_tf, format!("{stack}{written}")).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(got.yaml.contains("labelled"), "{}", got.yaml);
    for want in ["name: deny-all", "name: dns", "{port: '53', protocol: UDP}"] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
}

#[test]
fn the_namespaces_limit_range_is_read_back_beside_its_quota() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "namespace:
  quota:
    hard: {requests.cpu: \"2\", pods: \"12\"}
  limit_range:
    name: nextcloud-limits
    limits:
      - type: Container
        default: {memory: 1Gi}
        default_request: {cpu: 50m, memory: 256Mi}
        max: {memory: 8Gi}
      - type: Pod
        max: {cpu: \"4\", memory: 16Gi}
";
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", extra);
    let (dir, got) = import_without_raw(
        &r,
        tmp.path(),
        "limits.yaml",
        &text,
        &[
            "limit_range:",
            "name: nextcloud-limits",
            "default_request: {cpu: 50m, memory: 256Mi}",
            "type: Pod",
        ],
    );
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    for want in [
        "\"resource-governance/custom-limitrange\"",
        "\"resource-governance/custom-quota\"",
        "resource \"kubernetes_limit_range\" \"drone_logbook\"",
    ] {
        assert!(main.contains(want), "{want}\n{main}");
    }
    // The label comes with the LimitRange: not restated as an extra namespace label.
    assert!(!got.yaml.contains("custom-limitrange"), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

/// An ingress names the spec's Middlewares by name, and those of other stacks (or ones
/// the stack does not declare) by their references.
#[test]
fn an_ingress_names_the_stacks_middlewares_by_name() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with(
        "ghcr.io/arpanghosh8453/open-dronelog:latest",
        "middlewares:\n  - name: strip-api\n    spec: {stripPrefix: {prefixes: [/api]}}\nmanifests:\n  - api_version: traefik.io/v1alpha1\n    kind: Middleware\n    name: cache-headers\n    labels: {team: drones}\n    spec: {headers: {customResponseHeaders: {Cache-Control: max-age=60}}}\n",
    );
    let old = "ingress:\n";
    assert!(text.contains(old), "{text}");
    let text = text.replacen(
        old,
        "ingress:\n  extra_middlewares: [{middleware: strip-api}, traefik-x402@kubernetescrd, {middleware: cache-headers}, drone-logbook-elsewhere@kubernetescrd]\n",
        1,
    );
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "chain.yaml",
        &text,
        &[
            "extra_middlewares:\n    - middleware: strip-api\n    - traefik-x402@kubernetescrd\n    - middleware: cache-headers\n    - drone-logbook-elsewhere@kubernetescrd\n",
        ],
    );
    assert_eq!(model_of(&got.yaml), model_of(&text));
}

const MANIFESTS: &str = r#"manifests:
  - api_version: traefik.io/v1alpha1
    kind: IngressRoute
    name: drone-logbook-api
    comment: The API needs a path match with a header.
    annotations: {team: drones}
    depends_on: [kubernetes_namespace.drone_logbook]
    spec:
      entryPoints: [websecure]
      routes:
        - match: "Host(`drone.viktorbarzin.me`) && PathPrefix(`/api`) && HeadersRegexp(`X-Client`, `^app-.*$`)"
          kind: Rule
          middlewares: [{name: authentik-forward-auth, namespace: traefik}]
          services: [{name: {ref: "kubernetes_service.drone_logbook.metadata[0].name"}, port: 80}]
      tls: {secretName: {var: tls_secret_name}}
  - api_version: traefik.io/v1alpha1
    kind: IngressRouteTCP
    name: drone-logbook-mqtt
    address: mqtt_route
    spec:
      entryPoints: [mqtt]
      routes: [{match: HostSNI(`*`), services: [{name: drone-logbook, port: 1883}]}]
  - api_version: monitoring.coreos.com/v1
    kind: PrometheusRule
    name: drone-logbook-rules
    namespace: monitoring
    labels: {release: prometheus}
    force_conflicts: true
    spec:
      groups:
        - name: drone-logbook
          rules: [{alert: DroneLogbookDown, expr: 'up{job="drone-logbook"} == 0', for: 5m}]
    ignore_changes: [manifest.metadata.annotations]
    ignore_changes_why: the operator annotates its rules.
  - api_version: external-secrets.io/v1
    kind: ClusterSecretStore
    name: drone-logbook-store
    cluster_scoped: true
    spec: {provider: {kubernetes: {server: {var: upstream_host}}}}
    fields: {status: {ready: true}}
"#;

#[test]
fn manifests_of_any_kind_are_read_back() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let text = drone_logbook_with("ghcr.io/arpanghosh8453/open-dronelog:latest", MANIFESTS);
    let (_, got) = import_without_raw(
        &r,
        tmp.path(),
        "manifests.yaml",
        &text,
        &[
            "manifests:",
            "kind: IngressRoute",
            "match: Host(`drone.viktorbarzin.me`) && PathPrefix(`/api`) && HeadersRegexp(`X-Client`, `^app-.*$`)",
            "middlewares: [{name: authentik-forward-auth, namespace: traefik}]",
            "services: [{name: {ref: 'kubernetes_service.drone_logbook.metadata[0].name'}, port: 80}]",
            "comment: The API needs a path match with a header.",
            "annotations: {team: drones}",
            "kind: IngressRouteTCP",
            "address: mqtt_route",
            "namespace: monitoring",
            "force_conflicts: true",
            "ignore_changes: [manifest.metadata.annotations]",
            "ignore_changes_why: the operator annotates its rules.",
            "cluster_scoped: true",
            "server: {var: upstream_host}",
            "fields: {status: {ready: true}}",
        ],
    );
    // The keys keep the order the stack writes them in.
    let order = [
        "entryPoints:",
        "routes:",
        "tls: {secretName: {var: tls_secret_name}}",
    ];
    let at: Vec<usize> = order.iter().map(|k| got.yaml.find(k).expect(k)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{}", got.yaml);
    assert_eq!(model_of(&got.yaml), model_of(&text));
}
