//! `dlgen import` on shapes of the fact sheet that used to refuse a stack or drag more
//! than their own object into raw HCL: what the spec cannot say stays raw at its own
//! object, and the stack imports losslessly.

mod common;

use std::fs;
use std::path::Path;

use common::ROOT;
use common::import::{imported, renderer, stack_of};

#[test]
fn a_pod_checksum_of_a_value_no_config_map_holds_is_a_raw_value_not_a_raw_deployment() {
    // Stack-patterns v2 section 3.2: `"checksum/config" = sha256(local.<cfg>)`,
    // `nonsensitive(sha256(...))`, `sha1(file(...))` over a value that no config map of
    // the stack holds. No value form says it: the annotation's value alone is raw HCL
    // (`{hcl: ...}`), the locals it reads come along into `raw.stack`, and the Deployment
    // is read as any other. Written over several lines, the value has no such form and
    // the Deployment goes whole into `raw.stack` (as a workload that is not dlgen's).
    let r = renderer();
    for (i, (annotation, extra_file, expected)) in [
        (
            "\"checksum/config\" = sha256(local.app_config)",
            None,
            Some("checksum/config: {hcl: sha256(local.app_config)}"),
        ),
        (
            "\"conf/sha\" = nonsensitive(sha256(local.app_config))",
            None,
            Some("conf/sha: {hcl: nonsensitive(sha256(local.app_config))}"),
        ),
        (
            "\"checksum/app\" = sha1(file(\"${path.module}/app.conf\"))",
            Some("app.conf"),
            Some("checksum/app: {hcl: 'sha1(file(\"${path.module}/app.conf\"))'}"),
        ),
        (
            "\"checksum/config\" = sha256(\n            local.app_config\n          )",
            None,
            None,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let tmp = tempfile::tempdir().expect("tmp");
        let (dir, main_tf) = stack_of(&r, tmp.path(), "");
        let labels = "      metadata {\n        labels = {\n          app                             = \"drone-logbook\"\n          \"kubernetes.io/cluster-service\" = \"true\"\n        }\n";
        assert!(main_tf.contains(labels), "{main_tf}");
        let edited = main_tf.replacen(
            labels,
            &format!("{labels}        annotations = {{\n          {annotation}\n        }}\n"),
            1,
        ) + "\nlocals {\n  app_config = \"listen: 8080\\n\"\n}\n";
        fs::write(dir.join("main.tf"), edited).expect("write");
        if let Some(f) = extra_file {
            fs::write(dir.join(f), "listen: 8080\n").expect("write");
        }
        let got = imported(&dir, &r);
        assert!(got.raw_lines > 0, "case {i}: {}", got.yaml);
        match expected {
            Some(value) => {
                assert!(got.yaml.contains(value), "case {i}: {}", got.yaml);
                assert!(got.yaml.contains("containers:"), "case {i}: {}", got.yaml);
                assert!(
                    !got.yaml.contains("resource \"kubernetes_deployment\""),
                    "case {i}: the Deployment is raw HCL\n{}",
                    got.yaml
                );
                let reads_local = annotation.contains("local.app_config");
                assert_eq!(
                    got.yaml.contains("app_config = \"listen: 8080\\n\""),
                    reads_local,
                    "case {i}: the local comes along only when read\n{}",
                    got.yaml
                );
            }
            None => {
                assert!(
                    got.yaml.contains("resource \"kubernetes_deployment\""),
                    "case {i}: the Deployment is raw HCL\n{}",
                    got.yaml
                );
                // No app container in the spec (a job's may be).
                assert!(
                    !got.yaml.contains("\ncontainers:"),
                    "case {i}: {}",
                    got.yaml
                );
            }
        }
    }
}

#[test]
fn an_external_secret_without_field_manager_is_read_with_force_conflicts_off() {
    // Stack-patterns v2 section 5.1: one stack's ExternalSecret omits
    // `field_manager { force_conflicts = true }`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "external_secrets:\n  - {name: mail-creds, vault_key: mail, force_conflicts: false}\n  - {name: smtp-creds, vault_key: smtp}\n";
    let (dir, main_tf) = stack_of(&r, tmp.path(), extra);
    // The spec field renders what it says.
    let fm = "  field_manager {\n    force_conflicts = true\n  }\n";
    assert_eq!(main_tf.matches(fm).count(), 2, "{main_tf}");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(got.yaml.contains("force_conflicts: false"), "{}", got.yaml);
    // Only where the stack deviates: the convention is not restated.
    assert_eq!(
        got.yaml.matches("force_conflicts").count(),
        1,
        "{}",
        got.yaml
    );
}

#[test]
fn one_external_secret_the_spec_cannot_say_leaves_the_later_ones_read() {
    // Separate objects: one kept raw must not drag the ExternalSecrets after it.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "external_secrets:\n  - {name: mail-creds, vault_key: mail}\n  - {name: smtp-creds, vault_key: smtp}\n  - {name: xmpp-creds, vault_key: xmpp}\n";
    let (dir, main_tf) = stack_of(&r, tmp.path(), extra);
    // `computed_fields` is no spec field, not even of a general `manifests:` entry (which
    // takes an ExternalSecret the ExternalSecret form cannot say): the first one stays raw.
    let target = "      target = {\n        name = \"mail-creds\"\n";
    let at = main_tf.find(target).expect("mail-creds");
    let manifest = main_tf[..at].rfind("  manifest = {").expect("its manifest");
    let edited = format!(
        "{}  computed_fields = [\"metadata.labels\"]\n{}",
        &main_tf[..manifest],
        &main_tf[manifest..]
    );
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(got.yaml.contains("computed_fields"), "{}", got.yaml);
    assert!(!got.yaml.contains("manifests:"), "{}", got.yaml);
    // The later ones are spec entries, not raw HCL.
    for later in ["smtp-creds", "xmpp-creds"] {
        assert!(got.yaml.contains(later), "{later}\n{}", got.yaml);
        let raw = format!("name = \"{later}\"");
        assert!(!got.yaml.contains(&raw), "{later}\n{}", got.yaml);
    }
}

/// The stack `main_tf` with `arguments` written into its main ingress call, after its
/// `tls_secret_name`.
fn with_ingress_arguments(main_tf: &str, arguments: &str) -> String {
    let line = "  tls_secret_name = var.tls_secret_name\n";
    let at = main_tf.find("module \"ingress\" {").expect("ingress call");
    let (head, tail) = main_tf.split_at(at);
    assert!(tail.contains(line), "{main_tf}");
    format!(
        "{head}{}",
        tail.replacen(line, &format!("{line}{arguments}"), 1)
    )
}

#[test]
fn an_ingress_argument_the_spec_cannot_say_stays_raw_in_the_call() {
    // Stack-patterns v2 section 1.2: `backend_protocol` (declared, unused by the module)
    // stays raw HCL in the call; the ingress is still the spec's (it was raw blocks as a
    // whole), and the call's `depends_on` is its `depends_on:`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_of(&r, tmp.path(), "");
    let edited = with_ingress_arguments(
        &main_tf,
        "  backend_protocol = \"HTTP\"\n  depends_on = [kubernetes_deployment.drone_logbook]\n",
    );
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 1, "{}", got.yaml);
    assert!(got.yaml.contains("ingress:"), "{}", got.yaml);
    assert!(
        got.yaml
            .contains("depends_on: [kubernetes_deployment.drone_logbook]"),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("module \"ingress\""), "{}", got.yaml);
    assert!(
        got.yaml.contains("backend_protocol = \"HTTP\""),
        "{}",
        got.yaml
    );
}

#[test]
fn the_own_secrets_keep_their_name_when_the_directory_is_named_otherwise() {
    // A stack directory named otherwise than its app (v2 section 6: the namespace, the
    // secrets and the objects keep the app's name): a homepage widget that reads the
    // stack's own secrets at plan time (`data "kubernetes_secret"` + a `jsondecode`
    // local) is still read as `{eso: …}`, not left in raw HCL.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/rss-reader");
    fs::create_dir_all(&dir).expect("mkdir");
    for file in ["main.tf", "terragrunt.hcl"] {
        let from = Path::new(ROOT).join("stacks/freshrss").join(file);
        fs::copy(from, dir.join(file)).expect("copy");
    }
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    assert!(
        main_tf.contains("local.homepage_credentials[\"freshrss\"][\"username\"]"),
        "{main_tf}"
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("username: {eso: {key: homepage_credentials, path: [freshrss, username]}}"),
        "{}",
        got.yaml
    );
    assert!(got.yaml.contains("name: freshrss-secrets"), "{}", got.yaml);
}

/// The stack `main_tf` with each resource of `types` declared as the `_v1` type, and
/// every reference to it naming that type.
fn with_v1_types(main_tf: &str, types: &[&str]) -> String {
    let mut out = main_tf.to_owned();
    for ty in types {
        assert!(out.contains(&format!("resource \"{ty}\"")), "{out}");
        out = out
            .replace(&format!("\"{ty}\""), &format!("\"{ty}_v1\""))
            .replace(&format!("{ty}."), &format!("{ty}_v1."));
    }
    out
}

#[test]
fn a_stack_written_with_the_v1_resource_types_throughout_imports_without_raw_hcl() {
    // Newer stacks use the provider's `_v1` types (stack-patterns v2 section 6:
    // `kubernetes_namespace_v1` in chesscom-streak and myprotein-watch). Each object keeps
    // its type as the spec's `resource_type`, and every reference names it.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_of(&r, tmp.path(), "");
    let types = [
        "kubernetes_namespace",
        "kubernetes_deployment",
        "kubernetes_service",
        "kubernetes_persistent_volume_claim",
    ];
    fs::write(dir.join("main.tf"), with_v1_types(&main_tf, &types)).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for ty in types {
        assert!(
            got.yaml.contains(&format!("resource_type: {ty}_v1")),
            "{ty}: {}",
            got.yaml
        );
    }
}

#[test]
fn accounts_roles_bindings_and_namespace_limits_of_the_v1_resource_types_import_without_raw_hcl() {
    // The RBAC objects and the namespace's own quota and LimitRange, written with the
    // `_v1` types: each keeps its type as a `resource_type` field.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "service_accounts:
  - name: reader
    rules:
      - {api_groups: [\"\"], resources: [pods], verbs: [get, list]}
  - name: nodes
    scope: cluster
    rules:
      - {api_groups: [\"\"], resources: [nodes], verbs: [get]}
  - {name: editor, role: edit}
namespace:
  quota: {hard: {pods: \"12\"}}
  limit_range: {limits: [{type: Container, default: {memory: 1Gi}}]}
";
    let (dir, main_tf) = stack_of(&r, tmp.path(), extra);
    let types = [
        "kubernetes_service_account",
        "kubernetes_role",
        "kubernetes_role_binding",
        "kubernetes_cluster_role",
        "kubernetes_cluster_role_binding",
        "kubernetes_resource_quota",
        "kubernetes_limit_range",
    ];
    fs::write(dir.join("main.tf"), with_v1_types(&main_tf, &types)).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for field in [
        "resource_type: kubernetes_service_account_v1",
        "role_resource_type: kubernetes_role_v1",
        "binding_resource_type: kubernetes_role_binding_v1",
        "role_resource_type: kubernetes_cluster_role_v1",
        "binding_resource_type: kubernetes_cluster_role_binding_v1",
        "resource_type: kubernetes_resource_quota_v1",
        "resource_type: kubernetes_limit_range_v1",
    ] {
        assert!(got.yaml.contains(field), "{field}: {}", got.yaml);
    }
}

#[test]
fn an_account_with_a_cluster_role_and_a_role_imports_as_one_account_without_raw_hcl() {
    // Stack-patterns v2 section 7: a kubectl job's account reads the cluster (a
    // ClusterRole) and writes in its namespace (a Role), and may be bound to an existing
    // ClusterRole too. The spec said one binding per account: the others stayed raw.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "service_accounts:
  - name: watcher
    scope: cluster
    rules:
      - {api_groups: [\"\"], resources: [nodes], verbs: [get, list]}
    bindings:
      - rules: [{api_groups: [\"\"], resources: [configmaps], verbs: [get, patch]}]
        role_name: watcher-annotate
        role_address: annotate
        binding_name: watcher-annotate
        binding_address: annotate
      - {role: view}
";
    let (dir, _) = stack_of(&r, tmp.path(), extra);
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml.contains(
            "    bindings:
      - rules: [{api_groups: [''], resources: [configmaps], verbs: [get, patch]}]
        role_name: watcher-annotate
        role_address: annotate
        binding_name: watcher-annotate
        binding_address: annotate
      - role: view"
        ),
        "{}",
        got.yaml
    );
}

#[test]
fn an_ingress_waking_sablier_without_the_deployments_labels_asks_for_a_reason() {
    // Stack-patterns v2 section 1.2: nine stacks pass `sablier`, five label their
    // Deployment. Without the labels the ingress used to stay whole in `raw.stack`; now it
    // is read, and the spec asks for the reason the stack does not write.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_of(&r, tmp.path(), "");
    let edited = with_ingress_arguments(&main_tf, "  sablier = {\n    group = \"pgadmin\"\n  }\n");
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(got.yaml.contains("group: pgadmin"), "{}", got.yaml);
    assert!(got.yaml.contains("ingress.sablier.why"), "{}", got.yaml);
    assert!(!got.yaml.contains("scale_to_zero"), "{}", got.yaml);
}

#[test]
fn a_file_that_starts_with_a_byte_order_mark_is_read_as_terraform_reads_it() {
    // Some editors write a UTF-8 byte order mark first; Terraform reads such a file (and
    // `terraform fmt` drops the mark). It used to be an error at 1:1.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_of(&r, tmp.path(), "");
    let plain = imported(&dir, &r);
    fs::write(dir.join("main.tf"), format!("\u{feff}{main_tf}")).expect("write");
    let tg = fs::read_to_string(dir.join("terragrunt.hcl")).expect("terragrunt.hcl");
    fs::write(dir.join("terragrunt.hcl"), format!("\u{feff}{tg}")).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert_eq!(got.yaml, plain.yaml);
}

/// A copy of the bundled stack `name` in `<tmp>/stacks/<name>`, its directory.
fn bundled_stack(tmp: &Path, name: &str) -> std::path::PathBuf {
    let dir = tmp.join("stacks").join(name);
    fs::create_dir_all(&dir).expect("mkdir");
    for file in ["main.tf", "terragrunt.hcl"] {
        fs::copy(
            Path::new(ROOT).join("stacks").join(name).join(file),
            dir.join(file),
        )
        .expect("copy");
    }
    dir
}

/// Replaces `from` by `to` in the stack file `file` (at least once).
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let text = fs::read_to_string(dir.join(file)).expect("read");
    assert!(text.contains(from), "{from}\n{text}");
    fs::write(dir.join(file), text.replace(from, to)).expect("write");
}

#[test]
fn a_tls_variable_declared_without_sensitive_is_said_so() {
    // 21 stacks declare `variable "tls_secret_name" { type = string }`; the spec said
    // nothing and the rendered stack declared it sensitive.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    let plain = imported(&dir, &r);
    assert!(!plain.yaml.contains("tls_secret_name"), "{}", plain.yaml);
    edit(
        &dir,
        "main.tf",
        "variable \"tls_secret_name\" {\n  type      = string\n  sensitive = true\n}\n",
        "variable \"tls_secret_name\" { type = string }\n",
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("variables: {tls_secret_name: {sensitive: false}}\n"),
        "{}",
        got.yaml
    );
}

#[test]
fn a_probe_port_written_as_a_string_is_the_port_number() {
    // The provider's probe port is a string: `port = "80"` plans like `port = 80`. It was
    // read as a port name, which `80` is not: each probe went into raw HCL.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "vaultwarden");
    let plain = imported(&dir, &r);
    edit(
        &dir,
        "main.tf",
        "              port = 80\n",
        "              port = \"80\"\n",
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert_eq!(got.yaml, plain.yaml);
}

#[test]
fn a_service_selecting_the_pods_by_several_labels_is_the_apps_service() {
    // 15 stacks select with `local.labels`, several labels the pods carry: the Service
    // was not taken for the app's (a one-label selector was), and it went into raw HCL
    // with the ingress that routes to it.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    edit(
        &dir,
        "main.tf",
        "    selector = {\n      app = \"drone-logbook\"\n    }\n",
        "    selector = {\n      app                             = \"drone-logbook\"\n      \"kubernetes.io/cluster-service\" = \"true\"\n    }\n",
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(got.yaml.contains("selector:"), "{}", got.yaml);
    assert!(
        got.yaml.contains("kubernetes.io/cluster-service"),
        "{}",
        got.yaml
    );
}

#[test]
fn a_raw_value_that_reads_the_specs_secret_read_does_not_declare_it_again() {
    // `lower(local.credentials["admin"]["username"])` has no value form: it is an
    // `{hcl: ...}` value, and the local it reads comes along. (`lookup(…, null)` of such a
    // local, the shape first seen, is `{eso: {…, optional: true}}` now.) The data source that local
    // reads is the spec's own plan-time read of its secrets: declared again in raw HCL, it
    // refused the spec and the import failed.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "freshrss");
    edit(
        &dir,
        "main.tf",
        "  homepage_credentials = jsondecode(data.kubernetes_secret.eso_secrets.data[\"homepage_credentials\"])\n",
        "  homepage_credentials = jsondecode(data.kubernetes_secret.eso_secrets.data[\"homepage_credentials\"])\n  credentials          = jsondecode(data.kubernetes_secret.eso_secrets.data[\"credentials\"])\n",
    );
    edit(
        &dir,
        "main.tf",
        "          env {\n            name  = \"CRON_MIN\"\n",
        "          env {\n            name  = \"ADMIN_USER\"\n            value = lower(local.credentials[\"admin\"][\"username\"])\n          }\n          env {\n            name  = \"CRON_MIN\"\n",
    );
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("{hcl: 'lower(local.credentials[\"admin\"][\"username\"])'}"),
        "{}",
        got.yaml
    );
    assert!(
        !got.yaml.contains("data \"kubernetes_secret\""),
        "{}",
        got.yaml
    );
}

#[test]
fn variable_files_terraform_loads_are_named_for_the_reviewer() {
    // `terraform.tfvars` and `*.auto.tfvars` set variables over Terragrunt's inputs; dlgen
    // neither reads nor writes them, and import says they must stay.
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    fs::write(dir.join("terraform.tfvars"), "nfs_server = \"10.0.0.1\"\n").expect("write");
    fs::write(dir.join("local.auto.tfvars.json"), "{}\n").expect("write");
    fs::write(dir.join("notes.tfvars.bak"), "x\n").expect("write");
    let got = imported(&dir, &renderer());
    assert_eq!(
        got.var_files,
        ["local.auto.tfvars.json", "terraform.tfvars"]
    );
    let run = common::dlgen(tmp.path(), &["import", "stacks/drone-logbook"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains(
            "note: Terraform also reads local.auto.tfvars.json, terraform.tfvars in the stack"
        ),
        "{run}"
    );
}

#[test]
fn a_namespace_with_a_literal_tier_stays_raw_and_imports() {
    // `tier = "4-aux"` has no spec form: read as a label of the namespace's own, it
    // rendered a second `tier` key and the import failed on HCL that did not parse.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    edit(
        &dir,
        "main.tf",
        "      tier               = local.tiers.aux\n",
        "      tier               = \"4-aux\"\n",
    );
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("namespace: {name: drone-logbook, create: false}"),
        "{}",
        got.yaml
    );
    assert!(
        got.yaml.contains("tier               = \"4-aux\""),
        "{}",
        got.yaml
    );
}

#[test]
fn a_value_read_from_a_local_keeps_the_readers_of_what_the_model_derives() {
    // An env value from a local the spec cannot say (`{hcl: local.db_host}`, the local in
    // `raw.stack`) made the model refuse the spec as read so far — the local was declared
    // only once the spec was assembled — and the readers that compare with what the
    // model derives gave up: the Deployment's `depends_on` on its db-init Job failed the
    // proof, and the ExternalSecret, the secret env and `depends_on` went raw.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/short-links");
    common::import::copy_dir(
        &Path::new(ROOT).join("tests/fixtures/handwritten/short-links"),
        &dir,
    );
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    let env = "            value = var.postgresql_host\n";
    assert!(main_tf.contains(env), "{main_tf}");
    let edited = format!(
        "locals {{\n  db_host = lower(var.postgresql_host)\n}}\n\n{}",
        main_tf.replacen(env, "            value = local.db_host\n", 1)
    );
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("depends_on: {add: [kubernetes_job.db_init]}"),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("manifests:"), "{}", got.yaml);
    assert!(!got.yaml.contains("  deployment: |"), "{}", got.yaml);
    // The local and the value that reads it: the only raw HCL.
    assert_eq!(got.raw_lines, 4, "{}", got.yaml);
}

#[test]
fn a_service_of_other_pods_keeps_its_labels_when_they_are_its_selector() {
    // A second app's Service labelled like the pods it selects (`run = "ui"`): its labels
    // were dropped as if they defaulted to its selector, but the model's default is the
    // workload's selector, so the Service and the ingress routing to it went raw.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    let main = dir.join("main.tf");
    let mut text = std::fs::read_to_string(&main).expect("main.tf");
    text.push_str(
        r#"
resource "kubernetes_service" "ui" {
  metadata {
    name      = "ui"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
    labels = {
      run = "ui"
    }
  }

  spec {
    selector = {
      run = "ui"
    }
    port {
      name        = "http"
      port        = 80
      target_port = 8080
    }
  }
}
"#,
    );
    std::fs::write(&main, text).expect("write main.tf");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    let services = got
        .yaml
        .split("\nservices:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no services:\n{}", got.yaml));
    assert!(services.contains("labels: {run: ui}"), "{}", got.yaml);
    assert!(services.contains("selector: {run: ui}"), "{}", got.yaml);
}

#[test]
fn the_app_of_two_deployments_is_the_one_behind_the_anubis_instance() {
    // Neither Deployment is named or addressed like the stack, and the main ingress
    // routes to the Anubis instance, which forwards to the app's Service: both
    // Deployments went raw, with their Services and ingresses.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("stacks/recipe-box");
    fs::create_dir_all(&dir).expect("mkdir");
    for file in ["main.tf", "terragrunt.hcl"] {
        let from = Path::new(ROOT).join("tests/fixtures/handwritten/recipe-box");
        fs::copy(from.join(file), dir.join(file)).expect("copy");
    }
    edit(
        &dir,
        "main.tf",
        "resource \"kubernetes_deployment\" \"recipe-box\" {\n  metadata {\n    name      = \"recipe-box\"\n",
        "resource \"kubernetes_deployment\" \"recipe-box\" {\n  metadata {\n    name      = \"recipe-web\"\n",
    );
    // The pods, and so the Service's selector, are labelled with the new name too.
    let mut text = fs::read_to_string(dir.join("main.tf"))
        .expect("main.tf")
        .replace("run  = \"recipe-box\"", "run  = \"recipe-web\"")
        .replace("run = \"recipe-box\"", "run = \"recipe-web\"");
    text.push_str(
        r#"
resource "kubernetes_deployment" "worker" {
  metadata {
    name      = "recipe-worker"
    namespace = kubernetes_namespace.recipes.metadata[0].name
  }
  spec {
    selector {
      match_labels = {
        run = "recipe-worker"
      }
    }
    template {
      metadata {
        labels = {
          run = "recipe-worker"
        }
      }
      spec {
        container {
          name  = "worker"
          image = "ghcr.io/viktorbarzin/recipe-box:latest"
        }
      }
    }
  }
}
"#,
    );
    fs::write(dir.join("main.tf"), text).expect("write main.tf");
    let got = imported(&dir, &r);
    let raw = got
        .yaml
        .split("\nraw:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("the second Deployment stays raw:\n{}", got.yaml));
    assert!(
        raw.contains("resource \"kubernetes_deployment\" \"worker\""),
        "{}",
        got.yaml
    );
    for claimed in [
        "resource \"kubernetes_deployment\" \"recipe-box\"",
        "resource \"kubernetes_service\"",
        "module \"ingress\"",
        "module \"anubis\"",
    ] {
        assert!(!raw.contains(claimed), "{claimed} is raw:\n{}", got.yaml);
    }
    assert!(got.yaml.contains("name: recipe-web"), "{}", got.yaml);
}

#[test]
fn a_headless_service_is_read_as_the_spec_says_it() {
    // `cluster_ip = "None"`: the Service went into raw HCL for that one line.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    let main = dir.join("main.tf");
    let mut text = fs::read_to_string(&main).expect("main.tf");
    text.push_str(
        r#"
# Headless twin: scrapers resolve the pods one by one.
resource "kubernetes_service" "pods" {
  metadata {
    name      = "drone-logbook-pods"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
    labels = {
      "app" = "drone-logbook"
    }
  }

  spec {
    cluster_ip = "None"
    selector = {
      app = "drone-logbook"
    }
    port {
      name = "http"
      port = 80
    }
  }
}
"#,
    );
    fs::write(&main, text).expect("write main.tf");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(got.yaml.contains("cluster_ip: None"), "{}", got.yaml);
}

#[test]
fn the_stacks_own_backup_job_is_named_as_the_backup() {
    // A backup CronJob dlgen's backup does not reproduce (here it also rsyncs the data
    // off-site) stays as the stack writes it; the spec said so as the reason of a
    // `dlgen:allow block-storage-backup` above the PVC, which the lint gate then reported
    // as silencing nothing: the job is a backup.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = bundled_stack(tmp.path(), "drone-logbook");
    edit(
        &dir,
        "main.tf",
        "                cp -a /data/. \"/backup/$now/\"\n",
        "                cp -a /data/. \"/backup/$now/\"\n                rsync -a \"/backup/$now/\" offsite:/vault/\n",
    );
    let got = imported(&dir, &r);
    assert!(
        got.yaml
            .contains("backup: {job: kubernetes_cron_job_v1.backup}"),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("backup job"), "{}", got.yaml);
    let rendered = dlgen::generate::resolve("specs/drone-logbook.yaml", &got.yaml)
        .unwrap_or_else(|e| panic!("{e}"));
    let files = r
        .render(&rendered, "specs/drone-logbook.yaml")
        .expect("renders");
    assert!(
        files.iter().all(|f| !f.contents.contains("dlgen:allow")),
        "{}",
        files[0].contents
    );
}
