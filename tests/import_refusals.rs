//! `dlgen import` on stacks that used to be refused outright ("no spec reproduces this
//! stack"): a namespace the stack does not name as a literal, a Deployment whose pod the
//! spec cannot read, a `terragrunt.hcl` that includes the root another way. Each now
//! imports losslessly, what the spec cannot say kept raw at its own object.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::ROOT;
use common::import::{imported, renderer};
use dlgen::generate::render_text;
use dlgen::render::Renderer;

/// The bundled drone-logbook spec rendered into `<tmp>/drone-logbook/`, its `main.tf`
/// and `terragrunt.hcl` then edited by `main` and `tg`: the stack's directory.
fn stack_of(
    r: &Renderer,
    tmp: &Path,
    main: impl Fn(&str) -> String,
    tg: impl Fn(&str) -> String,
) -> PathBuf {
    let text = fs::read_to_string(Path::new(ROOT).join("specs/drone-logbook.yaml")).expect("spec");
    let (name, files) =
        render_text(r, "spec.yaml", &text, "specs/spec.yaml").unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.join(&name);
    for f in &files {
        let path = dir.join(&f.name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, f.bytes()).expect("write");
    }
    let mut changed = false;
    for (file, edit) in [
        ("main.tf", &main as &dyn Fn(&str) -> String),
        ("terragrunt.hcl", &tg),
    ] {
        let before = fs::read_to_string(dir.join(file)).expect("read");
        let after = edit(&before);
        changed |= before != after;
        fs::write(dir.join(file), after).expect("write");
    }
    assert!(changed, "the edits change nothing");
    dir
}

/// An edit of a stack file's text.
type Edit = Box<dyn Fn(&str) -> String>;

fn same(s: &str) -> String {
    s.to_owned()
}

/// The text of the block that starts with `head` (up to its closing `}` at column 0).
fn block_of<'a>(main_tf: &'a str, head: &str) -> &'a str {
    let start = main_tf.find(head).unwrap_or_else(|| panic!("{head}"));
    let end = start + main_tf[start..].find("\n}\n").expect("block end") + 3;
    &main_tf[start..end]
}

#[test]
fn a_namespace_named_by_a_variable_keeps_the_stack_lossless() {
    // Stack-patterns v2 section 6: eight stacks declare no namespace; when their objects
    // name it by a variable the spec cannot resolve (not a literal), the objects that
    // name it go raw — the TLS module call among them — instead of the stack refused.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = stack_of(
        &r,
        tmp.path(),
        |m| {
            let ns = block_of(m, "resource \"kubernetes_namespace\" \"drone_logbook\" {");
            let m = m
                .replace(ns, "")
                .replace(
                    "kubernetes_namespace.drone_logbook.metadata[0].name",
                    "var.namespace",
                )
                .replace("namespace = \"drone-logbook\"", "namespace = var.namespace")
                .replace("  depends_on = [kubernetes_namespace.drone_logbook]\n", "");
            format!("variable \"namespace\" {{\n  type = string\n}}\n\n{m}")
        },
        same,
    );
    let got = imported(&dir, &r);
    assert!(got.yaml.contains("create: false"), "{}", got.yaml);
    assert!(
        got.yaml.contains("module \"tls_secret\" {"),
        "the TLS call stays raw\n{}",
        got.yaml
    );
}

#[test]
fn a_first_container_without_literal_name_or_image_gives_up_the_deployment() {
    // Stack-patterns v2 sections 3.15 and 5.11: `image = local.image` is common; a local
    // of text and variables is a template the spec says, but a function of one (of a
    // variable without a default) is not, and neither is a name from a variable: the
    // spec cannot say the container, and the Deployment goes whole into `raw.stack`, as
    // a workload that is not dlgen's does.
    let r = renderer();
    let image = "image = \"ghcr.io/arpanghosh8453/open-dronelog:latest\"";
    let name = "          name  = \"drone-logbook\"\n          image";
    let cases: [(&str, Edit); 2] = [
        (
            "image from a function of a local",
            Box::new(move |m: &str| {
                m.replacen(image, "image = lower(local.image)", 1)
                    + "\nvariable \"registry\" {\n  type = string\n}\n\nlocals {\n  image = \"${var.registry}/open-dronelog:latest\"\n}\n"
            }),
        ),
        (
            "name from a variable",
            Box::new(move |m: &str| {
                m.replacen(name, "          name  = var.app_name\n          image", 1)
                    + "\nvariable \"app_name\" {\n  type = string\n}\n"
            }),
        ),
    ];
    for (case, edit) in cases {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = stack_of(&r, tmp.path(), edit, same);
        let got = imported(&dir, &r);
        assert!(
            got.yaml
                .contains("resource \"kubernetes_deployment\" \"drone_logbook\" {"),
            "{case}: the Deployment is raw HCL\n{}",
            got.yaml
        );
        assert!(!got.yaml.contains("\ncontainers:"), "{case}: {}", got.yaml);
    }
}

#[test]
fn a_deployment_without_a_pod_spec_gives_up_the_deployment() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = stack_of(
        &r,
        tmp.path(),
        |m| {
            let dep = block_of(m, "resource \"kubernetes_deployment\" \"drone_logbook\" {");
            m.replace(
                dep,
                "resource \"kubernetes_deployment\" \"drone_logbook\" {\n  metadata {\n    name      = \"drone-logbook\"\n    namespace = kubernetes_namespace.drone_logbook.metadata[0].name\n  }\n  spec {\n    selector {\n      match_labels = {\n        app = \"drone-logbook\"\n      }\n    }\n    template {\n      metadata {\n        labels = {\n          app = \"drone-logbook\"\n        }\n      }\n    }\n  }\n}\n",
            )
        },
        same,
    );
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("resource \"kubernetes_deployment\" \"drone_logbook\" {"),
        "{}",
        got.yaml
    );
}

#[test]
fn a_terragrunt_include_of_another_shape_stays_raw() {
    // `include { ... }` without a label, or `include "root"` with `expose = true`: the
    // include dlgen writes is off (`root_include: false`), the stack's own is raw, and the
    // dependencies are still read.
    let r = renderer();
    let generated = "include \"root\" {\n  path = find_in_parent_folders()\n}\n";
    for (case, include) in [
        (
            "unlabeled",
            "include {\n  path = find_in_parent_folders()\n}\n",
        ),
        (
            "exposed",
            "include \"root\" {\n  path   = find_in_parent_folders()\n  expose = true\n}\n",
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = stack_of(&r, tmp.path(), same, |t| t.replace(generated, include));
        let got = imported(&dir, &r);
        assert!(
            got.yaml.contains("root_include: false"),
            "{case}: {}",
            got.yaml
        );
        assert!(got.yaml.contains("  terragrunt: |"), "{case}: {}", got.yaml);
        assert!(!got.yaml.contains("dependenc"), "{case}: {}", got.yaml);
        assert!(got.yaml.contains("containers:"), "{case}: {}", got.yaml);
    }
}

#[test]
fn a_namespace_the_spec_cannot_say_stays_raw_and_the_rest_is_read() {
    // Stack-patterns v2 section 6: no namespace carries annotations in the survey, `tier`
    // may be a variable. A namespace that differs where the spec has no field goes whole
    // into `raw.stack`; the spec deploys into it as into an existing one
    // (`namespace.create: false`). (One without the goldilocks ignore is
    // `goldilocks_ignore: false` now: tests/import_around.rs.)
    let r = renderer();
    let head = "resource \"kubernetes_namespace\" \"drone_logbook\" {";
    let cases: [(&str, Edit); 2] = [
        (
            "annotations",
            Box::new(|m: &str| {
                m.replacen(
                    "    name = \"drone-logbook\"\n",
                    "    name = \"drone-logbook\"\n    annotations = {\n      owner = \"me\"\n    }\n",
                    1,
                )
            }),
        ),
        (
            "tier from a variable",
            Box::new(|m: &str| {
                m.replacen(
                    "      tier               = local.tiers.aux\n",
                    "      tier               = var.tier\n",
                    1,
                ) + "\nvariable \"tier\" {\n  type = string\n}\n"
            }),
        ),
    ];
    for (case, edit) in cases {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = stack_of(&r, tmp.path(), edit, same);
        let got = imported(&dir, &r);
        assert!(got.yaml.contains("create: false"), "{case}: {}", got.yaml);
        assert!(
            got.yaml.contains(head),
            "{case}: the namespace is raw HCL\n{}",
            got.yaml
        );
        assert!(got.yaml.contains("containers:"), "{case}: {}", got.yaml);
        // The ExternalSecret is still the spec's: its `depends_on` on the raw namespace
        // stays in its own raw HCL.
        assert!(
            !got.yaml
                .contains("resource \"kubernetes_manifest\" \"external_secret\""),
            "{case}: {}",
            got.yaml
        );
        assert!(
            got.yaml
                .contains("  raw: |\n    depends_on = [kubernetes_namespace.drone_logbook]"),
            "{case}: {}",
            got.yaml
        );
    }
}

#[test]
fn a_container_name_the_model_refuses_gives_up_the_deployment() {
    // What the model refuses in the app container (a name that is not a DNS label) and no
    // narrower part gives up: the Deployment whole, as a last resort.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = stack_of(
        &r,
        tmp.path(),
        |m| {
            m.replacen(
                "          name  = \"drone-logbook\"\n          image",
                "          name  = \"Drone_Logbook\"\n          image",
                1,
            )
        },
        same,
    );
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("resource \"kubernetes_deployment\" \"drone_logbook\" {"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("name  = \"Drone_Logbook\""),
        "{}",
        got.yaml
    );
}
