//! One test per spec feature: a small spec, rendered through the real pipeline, read back
//! with hcl-rs (and, for problems, the rendered diagnostics).

use dlgen::render::Renderer;
use hcl::{Block, Body, Expression};

/// A minimal valid spec; tests append or replace lines.
const BASE: &str = "\
name: app
containers:
  - image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
";

fn render(spec: &str) -> (String, Body) {
    let stack = dlgen::generate::resolve("specs/app.yaml", spec).unwrap_or_else(|e| panic!("{e}"));
    let files = Renderer::new()
        .unwrap()
        .render(&stack, "specs/app.yaml")
        .unwrap();
    let text = files
        .into_iter()
        .find(|f| f.name == "main.tf")
        .unwrap()
        .contents;
    let body = hcl::parse(&text).unwrap();
    (text, body)
}

fn errors(spec: &str) -> String {
    match dlgen::generate::resolve("specs/app.yaml", spec) {
        Ok(_) => panic!("expected problems in:\n{spec}"),
        Err(e) => e.to_string(),
    }
}

fn text_of(expr: &Expression) -> String {
    use hcl::format::{Format, Formatter};
    let mut f = Formatter::builder().compact(true).build_vec();
    expr.format(&mut f).unwrap();
    String::from_utf8(f.into_inner()).unwrap()
}

fn find<'a>(body: &'a Body, kind: &str, labels: &[&str]) -> &'a Block {
    body.blocks()
        .find(|b| {
            b.identifier() == kind
                && b.labels()
                    .iter()
                    .map(|l| l.as_str())
                    .eq(labels.iter().copied())
        })
        .unwrap_or_else(|| panic!("no {kind} {labels:?}"))
}

fn child<'a>(block: &'a Block, path: &[&str]) -> &'a Block {
    path.iter().fold(block, |b, name| {
        b.body()
            .blocks()
            .find(|c| c.identifier() == *name)
            .unwrap_or_else(|| panic!("no {name}"))
    })
}

fn attr(block: &Block, name: &str) -> Option<String> {
    block
        .body()
        .attributes()
        .find(|a| a.key() == name)
        .map(|a| text_of(a.expr()))
}

fn container(body: &Body) -> &Block {
    child(
        find(body, "resource", &["kubernetes_deployment", "app"]),
        &["spec", "template", "spec", "container"],
    )
}

fn env_value(body: &Body, name: &str) -> String {
    container(body)
        .body()
        .blocks()
        .filter(|b| b.identifier() == "env")
        .find(|e| attr(e, "name").as_deref() == Some(&format!("\"{name}\"")))
        .and_then(|e| attr(e, "value"))
        .unwrap_or_else(|| panic!("no env {name}"))
}

#[test]
fn plain_proxmox_lvm_volume() {
    let (_, body) = render(&format!(
        "{BASE}volumes:\n  - {{name: cache, storage: proxmox-lvm, size: 3Gi, max_size: 6Gi, mount: /cache}}\nbackup: {{schedule: \"0 3 * * *\"}}\n"
    ));
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "cache"],
    );
    assert_eq!(
        attr(child(pvc, &["metadata"]), "name").unwrap(),
        "\"app-cache-proxmox\""
    );
    assert_eq!(
        attr(child(pvc, &["spec"]), "storage_class_name").unwrap(),
        "\"proxmox-lvm\""
    );
    assert_eq!(attr(pvc, "wait_until_bound").unwrap(), "false");
}

#[test]
fn several_nfs_volumes_keep_their_order_and_settings() {
    let (text, body) = render(&format!(
        "{BASE}volumes:
  - {{name: media, storage: nfs, path: /srv/nfs-ssd/app/media, size: 50Gi, mount: /media, read_only: true}}
  - {{name: uploads, storage: nfs, mount: /uploads}}
"
    ));
    let media = find(&body, "module", &["nfs_media"]);
    assert_eq!(
        attr(media, "nfs_path").unwrap(),
        "\"/srv/nfs-ssd/app/media\""
    );
    assert_eq!(attr(media, "storage").unwrap(), "\"50Gi\"");
    let uploads = find(&body, "module", &["nfs_uploads"]);
    assert_eq!(
        attr(uploads, "nfs_path").unwrap(),
        "\"/srv/nfs/app/uploads\""
    );
    assert_eq!(attr(uploads, "storage"), None, "the module's default size");
    assert!(
        text.find("module \"nfs_media\"").unwrap() < text.find("module \"nfs_uploads\"").unwrap()
    );
    let mounts: Vec<(Option<String>, Option<String>)> = container(&body)
        .body()
        .blocks()
        .filter(|b| b.identifier() == "volume_mount")
        .map(|m| (attr(m, "mount_path"), attr(m, "read_only")))
        .collect();
    assert_eq!(
        mounts,
        [
            (Some("\"/media\"".into()), Some("true".into())),
            (Some("\"/uploads\"".into()), None)
        ]
    );
    assert!(text.contains("variable \"nfs_server\" { type = string }"));
}

#[test]
fn plan_time_eso_values_declare_the_data_source_and_locals() {
    let (_, body) = render(&format!(
        "{BASE}ingress:
  homepage:
    name: App
    description: d
    icon: app.png
    group: Other
    widget:
      type: app
      key: {{eso: {{key: homepage_credentials, path: [app, key]}}}}
      token: {{eso: {{key: api_token}}}}
"
    ));
    let data = find(&body, "data", &["kubernetes_secret", "eso_secrets"]);
    assert_eq!(
        attr(child(data, &["metadata"]), "name").unwrap(),
        "\"app-secrets\""
    );
    assert_eq!(
        attr(data, "depends_on").unwrap(),
        "[kubernetes_manifest.external_secret]"
    );
    let locals = body.blocks().find(|b| b.identifier() == "locals").unwrap();
    assert_eq!(
        attr(locals, "homepage_credentials").unwrap(),
        "jsondecode(data.kubernetes_secret.eso_secrets.data[\"homepage_credentials\"])"
    );
    assert_eq!(
        attr(locals, "api_token"),
        None,
        "a plain key needs no local"
    );
    let annotations = text_of(
        find(&body, "module", &["ingress"])
            .body()
            .attributes()
            .find(|a| a.key() == "extra_annotations")
            .unwrap()
            .expr(),
    );
    assert!(
        annotations.contains(
            "\"gethomepage.dev/widget.key\" = local.homepage_credentials[\"app\"][\"key\"]"
        ),
        "{annotations}"
    );
    assert!(annotations.contains("\"gethomepage.dev/widget.token\" = data.kubernetes_secret.eso_secrets.data[\"api_token\"]"), "{annotations}");
    find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
}

#[test]
fn vault_reads_and_shared_variables_are_declared_once() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    port: 8080
    env:
      - {name: DB_HOST, value: {var: postgresql_host}}
      - {name: DB_HOST_AGAIN, value: {var: postgresql_host}}
      - {name: DB_PASSWORD, value: {vault: {path: platform, key: app_db_password}}}
      - {name: API_TOKEN, value: {vault: {path: viktor/app, key: token}}}
",
    );
    let (text, body) = render(&spec);
    assert_eq!(
        text.matches("variable \"postgresql_host\" { type = string }")
            .count(),
        1
    );
    assert_eq!(env_value(&body, "DB_HOST"), "var.postgresql_host");
    // The platform path is labelled `secrets` when the stack does not read its own path
    // (stack-patterns v2 section 5.10).
    assert_eq!(
        env_value(&body, "DB_PASSWORD"),
        "data.vault_kv_secret_v2.secrets.data[\"app_db_password\"]"
    );
    assert_eq!(
        env_value(&body, "API_TOKEN"),
        "data.vault_kv_secret_v2.viktor_app.data[\"token\"]"
    );
    let read = find(&body, "data", &["vault_kv_secret_v2", "viktor_app"]);
    assert_eq!(
        (attr(read, "mount").unwrap(), attr(read, "name").unwrap()),
        ("\"secret\"".into(), "\"viktor/app\"".into())
    );
    assert!(
        !text.contains("external_secret"),
        "no ExternalSecret without a runtime or ESO secret"
    );
}

#[test]
fn namespace_labels_and_deployment_annotations_keep_their_order() {
    let (_, body) = render(&format!(
        "{BASE}namespace:\n  labels: {{istio-injection: disabled, team: home}}
deployment:
  annotations: {{b.example/second: \"2\", a.example/first: \"1\"}}
  pod_annotations: {{diun.enable: \"true\"}}
"
    ));
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert_eq!(
        attr(child(ns, &["metadata"]), "labels").unwrap(),
        "{ tier = local.tiers.aux, \"keel.sh/enrolled\" = \"true\", \"istio-injection\" = \"disabled\", team = \"home\" }"
    );
    let d = find(&body, "resource", &["kubernetes_deployment", "app"]);
    assert_eq!(
        attr(child(d, &["metadata"]), "annotations").unwrap(),
        "{ \"b.example/second\" = \"2\", \"a.example/first\" = \"1\" }"
    );
    assert_eq!(
        attr(child(d, &["spec", "template", "metadata"]), "annotations").unwrap(),
        "{ \"diun.enable\" = \"true\" }"
    );
    let bad = errors(&format!(
        "{BASE}namespace:\n  labels: {{team: not a label value}}\n"
    ));
    assert!(
        bad.contains("invalid label value `not a label value`"),
        "{bad}"
    );
}

#[test]
fn keel_policy_drops_its_ignore_entry_and_keel_off_needs_a_reason() {
    let (text, body) = render(&format!("{BASE}keel_policy: minor\n"));
    let d = find(&body, "resource", &["kubernetes_deployment", "app"]);
    assert!(
        attr(child(d, &["metadata"]), "annotations")
            .unwrap()
            .contains("\"keel.sh/policy\" = \"minor\"")
    );
    assert!(!text.contains("annotations[\"keel.sh/policy\"]"));
    assert!(text.contains("annotations[\"keel.sh/trigger\"]"));

    let bad = errors(&format!("{BASE}keel: false\n"));
    assert!(
        bad.contains("`keel: false` switches off a convention and needs a written reason"),
        "{bad}"
    );
    let (text, _) = render(&format!(
        "{BASE}keel: false\nkeel_why: pinned to a vetted release\n"
    ));
    assert!(
        !text.contains("keel.sh"),
        "no Keel label or ignore entries without Keel"
    );
    assert!(text.contains("# Keel auto-upgrade is off: pinned to a vetted release"));
    let typo = errors(&format!("{BASE}keel_policy: minr\n"));
    assert!(typo.contains("did you mean `minor`?"), "{typo}");
}

#[test]
fn probes_command_args_and_dns_options() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    port: 8080
    command: [/app/server]
    args: [--listen, \":8080\"]
    liveness_probe: {path: /healthz, initial_delay_seconds: 10, period_seconds: 20}
    startup_probe: {path: /ready, port: 9090, failure_threshold: 30}
",
    ) + "deployment:\n  dns_options: {ndots: \"2\"}\n";
    let (_, body) = render(&spec);
    let c = container(&body);
    assert_eq!(attr(c, "command").unwrap(), "[\"/app/server\"]");
    assert_eq!(attr(c, "args").unwrap(), "[\"--listen\", \":8080\"]");
    let live = child(c, &["liveness_probe"]);
    assert_eq!(
        attr(child(live, &["http_get"]), "port").unwrap(),
        "8080",
        "defaults to the container port"
    );
    assert_eq!(attr(live, "period_seconds").unwrap(), "20");
    assert_eq!(attr(live, "timeout_seconds"), None);
    let startup = child(c, &["startup_probe"]);
    assert_eq!(attr(child(startup, &["http_get"]), "port").unwrap(), "9090");
    assert_eq!(attr(startup, "failure_threshold").unwrap(), "30");
    let option = child(
        find(&body, "resource", &["kubernetes_deployment", "app"]),
        &["spec", "template", "spec", "dns_config", "option"],
    );
    assert_eq!(attr(option, "value").unwrap(), "\"2\"");
    let bad = errors(&BASE.replace(
        "    port: 8080\n",
        "    port: 8080\n    readiness_probe: {path: healthz}\n",
    ));
    assert!(bad.contains("invalid HTTP path `healthz`"), "{bad}");
}

#[test]
fn port_naming_and_service_target_port() {
    let (_, body) = render(&format!(
        "{}service: {{port: 80, port_name: web, protocol: TCP, target_port: null}}\n",
        BASE.replace("    port: 8080\n", "    port: 8080\n    port_name: null\n")
    ));
    let port = child(container(&body), &["port"]);
    assert_eq!(
        port.body()
            .attributes()
            .map(|a| a.key().to_owned())
            .collect::<Vec<_>>(),
        ["container_port"]
    );
    let svc = child(
        find(&body, "resource", &["kubernetes_service", "app"]),
        &["spec", "port"],
    );
    assert_eq!(attr(svc, "name").unwrap(), "\"web\"");
    assert_eq!(attr(svc, "protocol").unwrap(), "\"TCP\"");
    assert_eq!(attr(svc, "target_port"), None);
    let (_, body) = render(BASE);
    let svc = child(
        find(&body, "resource", &["kubernetes_service", "app"]),
        &["spec", "port"],
    );
    assert_eq!(attr(svc, "target_port").unwrap(), "\"8080\"");
    assert_eq!(
        attr(child(container(&body), &["port"]), "name").unwrap(),
        "\"http\""
    );
}

#[test]
fn backup_knobs_and_the_sqlite_variant() {
    let (text, body) = render(&format!(
        "{BASE}volumes:\n  - {{name: data, storage: proxmox-lvm-encrypted, mount: /data}}
backup:
  kind: sqlite
  database: app.db
  extra_files: [keys]
  schedule: \"15 */4 * * *\"
  retention_days: 7
  starting_deadline_seconds: 60
  successful_jobs_history: 5
  integrity_check: {{schedule: \"45 * * * *\"}}
"
    ));
    let cj = find(&body, "resource", &["kubernetes_cron_job_v1", "backup"]);
    let spec = child(cj, &["spec"]);
    assert_eq!(attr(spec, "schedule").unwrap(), "\"15 */4 * * *\"");
    assert_eq!(attr(spec, "starting_deadline_seconds").unwrap(), "60");
    assert_eq!(attr(spec, "successful_jobs_history_limit").unwrap(), "5");
    assert!(text.contains("-mtime +7 "), "retention");
    assert!(text.contains("sqlite3 \"$db\" \".backup '/backup/$now/app.db'\""));
    assert!(text.contains("for f in 'keys'; do"));
    let ic = find(
        &body,
        "resource",
        &["kubernetes_cron_job_v1", "integrity_check"],
    );
    assert_eq!(
        attr(child(ic, &["metadata"]), "name").unwrap(),
        "\"app-integrity-check\""
    );
    assert_eq!(
        attr(
            child(ic, &["spec", "job_template", "spec"]),
            "backoff_limit"
        )
        .unwrap(),
        "1"
    );
    assert!(text.contains("app_sqlite_integrity_ok $${ok}"));

    let bad = errors(&format!(
        "{BASE}volumes:\n  - {{name: data, storage: proxmox-lvm, mount: /data}}\nbackup: {{schedule: \"1 1 * * *\", database: x.db, integrity_check: {{schedule: \"* * * * *\"}}}}\n"
    ));
    assert!(
        bad.contains("`database` applies to `kind: sqlite`"),
        "{bad}"
    );
    assert!(
        bad.contains("it needs `kind: sqlite` and `database`"),
        "{bad}"
    );
    let bad = errors(&format!(
        "{BASE}volumes:\n  - {{name: data, storage: proxmox-lvm, mount: /data}}\nbackup: {{schedule: \"1 1 * * *\", kind: sqlite, database: \"../etc/passwd\"}}\n"
    ));
    assert!(
        bad.contains("invalid database file `../etc/passwd`"),
        "{bad}"
    );
}

#[test]
fn opting_out_of_a_backup_needs_a_reason_that_becomes_a_suppression() {
    let vol = "volumes:\n  - {name: data, storage: proxmox-lvm, mount: /data}\n";
    let bad = errors(&format!("{BASE}{vol}backup: {{enabled: false}}\n"));
    assert!(
        bad.contains("switching off the backup of block storage needs a written reason"),
        "{bad}"
    );
    let missing = errors(&format!("{BASE}{vol}"));
    assert!(
        missing.contains("specs/app.yaml:7:27: error: a block-storage volume needs a backup CronJob, and the spec has no `backup:`"),
        "{missing}"
    );
    let no_schedule = errors(&format!("{BASE}{vol}backup: {{retention_days: 3}}\n"));
    assert!(
        no_schedule.contains("missing required field `schedule`"),
        "{no_schedule}"
    );
    let (text, _) = render(&format!(
        "{BASE}{vol}backup: {{enabled: false, why: \"rebuildable\\ncache\"}}\n"
    ));
    assert!(text.contains("# dlgen:allow block-storage-backup rebuildable cache\nresource \"kubernetes_persistent_volume_claim\" \"data\""), "{text}");
    assert!(!text.contains("kubernetes_cron_job_v1"));
}

#[test]
fn wait_until_bound_can_be_left_out_with_a_reason() {
    let vol =
        "volumes:\n  - {name: data, storage: proxmox-lvm, mount: /data, wait_until_bound: true";
    let bad = errors(&format!(
        "{BASE}{vol}}}\nbackup: {{schedule: \"1 1 * * *\"}}\n"
    ));
    assert!(bad.contains("needs a written reason"), "{bad}");
    let (text, body) = render(&format!(
        "{BASE}{vol}, wait_until_bound_why: adopted as is}}\nbackup: {{schedule: \"1 1 * * *\"}}\n"
    ));
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "data"],
    );
    assert_eq!(attr(pvc, "wait_until_bound"), None);
    assert!(text.contains("# dlgen:allow pvc-wait-until-bound adopted as is\n"));
}

#[test]
fn pinned_addresses() {
    let (_, body) = render(&format!(
        "{BASE}namespace: {{address: legacy_ns}}
deployment: {{address: legacy-app}}
volumes:
  - {{name: data, storage: proxmox-lvm, mount: /data, address: data_proxmox}}
  - {{name: extra, storage: nfs, mount: /extra, address: nfs_old}}
backup: {{schedule: \"1 1 * * *\", address: app-backup, target_address: nfs_app_backup}}
"
    ));
    find(&body, "resource", &["kubernetes_namespace", "legacy_ns"]);
    find(&body, "resource", &["kubernetes_deployment", "legacy-app"]);
    find(&body, "module", &["nfs_old"]);
    find(&body, "module", &["nfs_app_backup"]);
    let cj = find(&body, "resource", &["kubernetes_cron_job_v1", "app-backup"]);
    let vol = child(
        cj,
        &[
            "spec",
            "job_template",
            "spec",
            "template",
            "spec",
            "volume",
            "persistent_volume_claim",
        ],
    );
    assert_eq!(
        attr(vol, "claim_name").unwrap(),
        "kubernetes_persistent_volume_claim.data_proxmox.metadata[0].name"
    );
    let tls = find(&body, "module", &["tls_secret"]);
    assert_eq!(
        attr(tls, "namespace").unwrap(),
        "kubernetes_namespace.legacy_ns.metadata[0].name"
    );
    let bad = errors(&format!("{BASE}deployment: {{address: \"1bad\"}}\n"));
    assert!(bad.contains("invalid address `1bad`"), "{bad}");
}

#[test]
fn a_renamed_address_produces_the_matching_moved_block() {
    let (_, body) = render(&format!(
        "{BASE}adopt:\n  moved:\n    - {{from: kubernetes_namespace.immich, to: kubernetes_namespace.app}}\n    - {{from: module.old.kubernetes_service.web, to: kubernetes_service.app}}\n"
    ));
    let moved: Vec<(String, String)> = body
        .blocks()
        .filter(|b| b.identifier() == "moved")
        .map(|b| (attr(b, "from").unwrap(), attr(b, "to").unwrap()))
        .collect();
    assert_eq!(
        moved,
        [
            (
                "kubernetes_namespace.immich".to_owned(),
                "kubernetes_namespace.app".to_owned()
            ),
            (
                "module.old.kubernetes_service.web".to_owned(),
                "kubernetes_service.app".to_owned()
            ),
        ]
    );
    let bad = errors(&format!(
        "{BASE}adopt:\n  moved:\n    - {{from: kubernetes_namespace.immich, to: kubernetes_namespace.ap}}\n"
    ));
    assert!(
        bad.contains("`kubernetes_namespace.ap` is not an address this stack generates"),
        "{bad}"
    );
    assert!(
        bad.contains("did you mean `kubernetes_namespace.app`?"),
        "{bad}"
    );
    let bad = errors(&format!(
        "{BASE}adopt:\n  moved:\n    - {{from: \"kubernetes_namespace.x[0]\", to: kubernetes_namespace.app}}\n"
    ));
    assert!(
        bad.contains("invalid address `kubernetes_namespace.x[0]`"),
        "{bad}"
    );
}

#[test]
fn a_wrapping_module_moves_every_resource_and_module() {
    let (_, body) = render(&format!(
        "{BASE}ingress: {{name: app}}\nadopt: {{from_module: app}}\n"
    ));
    let moved: Vec<String> = body
        .blocks()
        .filter(|b| b.identifier() == "moved")
        .map(|b| attr(b, "from").unwrap())
        .collect();
    assert_eq!(
        moved,
        [
            "module.app.kubernetes_namespace.app",
            "module.app.module.tls_secret",
            "module.app.kubernetes_deployment.app",
            "module.app.kubernetes_service.app",
            "module.app.module.ingress",
        ]
    );
}

#[test]
fn raw_hcl_is_attached_formatted_and_checked() {
    let spec = format!(
        "{BASE}raw:
  container: |
    security_context {{
    read_only_root_filesystem=true
    }}
  stack: |
    resource \"kubernetes_config_map\" \"extra\" {{
      metadata {{ name = \"extra\" }}
    }}
"
    );
    let (text, body) = render(&spec);
    let sc = child(container(&body), &["security_context"]);
    assert_eq!(attr(sc, "read_only_root_filesystem").unwrap(), "true");
    assert!(
        text.contains(
            "          security_context {\n            read_only_root_filesystem = true\n"
        ),
        "formatted with the rest"
    );
    find(&body, "resource", &["kubernetes_config_map", "extra"]);

    // A snippet that does not parse is reported at its line in the spec.
    let bad_spec = format!("{BASE}raw:\n  deployment: |\n    a = 1\n    b = = 2\n");
    let bad = errors(&bad_spec);
    let line = bad_spec
        .lines()
        .position(|l| l.contains("b = = 2"))
        .unwrap()
        + 1;
    assert!(
        bad.contains(&format!(
            "specs/app.yaml:{line}:5: error: raw HCL does not parse (snippet line 2"
        )),
        "{bad}"
    );
    // A snippet cannot close the block it sits in.
    let bad = errors(&format!(
        "{BASE}raw:\n  service: \"}}\\nresource \\\"x\\\" \\\"y\\\" {{\"\n"
    ));
    assert!(bad.contains("raw HCL does not parse"), "{bad}");
    // Nor redeclare a generated resource.
    let bad_spec =
        format!("{BASE}raw:\n  stack: |\n    resource \"kubernetes_service\" \"app\" {{}}\n");
    let bad = match dlgen::generate::render_text(
        &Renderer::new().unwrap(),
        "specs/app.yaml",
        &bad_spec,
        "specs/app.yaml",
    ) {
        Ok(_) => panic!("a redeclared resource must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(
        bad.contains(
            "raw HCL declares `kubernetes_service.app`, which the stack already generates"
        ),
        "{bad}"
    );
}

#[test]
fn secret_looking_plaintext_needs_vault_or_a_reason() {
    let spec = |extra: &str| {
        BASE.replace(
            "    port: 8080\n",
            &format!(
                "    port: 8080\n    env:\n      - {{name: TOKEN_TTL, value: \"3600\"{extra}}}\n"
            ),
        )
    };
    let bad = errors(&spec(""));
    assert!(
        bad.contains("`TOKEN_TTL` looks like a secret but has a plaintext value"),
        "{bad}"
    );
    assert!(bad.contains("secret: <key>"), "{bad}");
    let (_, body) = render(&spec(", plain_why: \"a lifetime in seconds, not a token\""));
    assert_eq!(env_value(&body, "TOKEN_TTL"), "\"3600\"");
}

#[test]
fn raw_hcl_attaches_to_any_object_container_and_terragrunt() {
    let spec = "\
name: app
containers:
  - image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
    env:
      - {name: TOKEN, secret: token}
  - name: sidecar
    image: ghcr.io/owner/sidecar:1.0
    raw: |
      working_dir = \"/srv\"
volumes:
  - name: data
    storage: proxmox-lvm
    mount: /data
    raw: |
      timeouts {
        create = \"5m\"
      }
secrets:
  raw: |
    timeouts {
      create = \"1m\"
    }
backup:
  schedule: \"0 3 * * *\"
  raw: |
    timeouts {
      create = \"2m\"
    }
raw:
  tls_secret: |
    providers = {}
  terragrunt: |
    inputs = {
      extra = true
    }
";
    let renderer = Renderer::new().unwrap();
    let (_, files) =
        dlgen::generate::render_text(&renderer, "specs/app.yaml", spec, "specs/app.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
    let main = hcl::parse(&files[0].contents).unwrap();
    let pod = child(
        find(&main, "resource", &["kubernetes_deployment", "app"]),
        &["spec", "template", "spec"],
    );
    let sidecar = pod
        .body()
        .blocks()
        .filter(|b| b.identifier() == "container")
        .nth(1)
        .unwrap();
    assert_eq!(attr(sidecar, "working_dir").unwrap(), "\"/srv\"");
    for (kind, labels, create) in [
        (
            "resource",
            vec!["kubernetes_persistent_volume_claim", "data"],
            "\"5m\"",
        ),
        (
            "resource",
            vec!["kubernetes_manifest", "external_secret"],
            "\"1m\"",
        ),
        (
            "resource",
            vec!["kubernetes_cron_job_v1", "backup"],
            "\"2m\"",
        ),
    ] {
        let block = find(&main, kind, &labels);
        assert_eq!(attr(child(block, &["timeouts"]), "create").unwrap(), create);
    }
    assert_eq!(
        attr(find(&main, "module", &["tls_secret"]), "providers").unwrap(),
        "{}"
    );
    let terragrunt = hcl::parse(&files[1].contents).unwrap();
    assert!(terragrunt.attributes().any(|a| a.key() == "inputs"));

    // The first container's raw HCL has one home.
    let twice = spec
        .replace(
            "raw:\n  tls_secret",
            "raw:\n  container: |\n    tty = true\n  tls_secret",
        )
        .replace(
            "      - {name: TOKEN, secret: token}\n",
            "      - {name: TOKEN, secret: token}\n    raw: |\n      stdin = true\n",
        );
    let bad = errors(&twice);
    assert!(
        bad.contains("raw HCL is given for the first container twice"),
        "{bad}"
    );
}

#[test]
fn references_to_objects_and_templates_of_text_and_references() {
    let spec = format!(
        "{BASE}    env:
      - name: SERVICE
        value: {{ref: \"kubernetes_namespace.app.metadata[0].name\"}}
      - name: KEY
        value: {{template: [\"base64:\", {{ref: random_id.key.b64_std}}]}}
      - name: DSN
        value: {{template: [\"postgresql://app:{{{{ .password }}}}@\", {{var: postgresql_host}}, \":5432/app?x=${{not}}&cost=$\", {{var: mail_host}}]}}
raw:
  stack: |
    resource \"random_id\" \"key\" {{
      byte_length = 32
    }}
"
    );
    let (_, body) = render(&spec);
    assert_eq!(
        env_value(&body, "SERVICE"),
        "kubernetes_namespace.app.metadata[0].name"
    );
    assert_eq!(
        env_value(&body, "KEY"),
        "\"base64:${random_id.key.b64_std}\""
    );
    // Text stays text: `{{ .password }}` is ESO's template syntax, `${not}` is escaped,
    // and a `$` right before a reference does not turn it into the `$${` escape.
    assert_eq!(
        env_value(&body, "DSN"),
        "\"postgresql://app:{{ .password }}@${var.postgresql_host}:5432/app?x=$${not}&cost=${\"$\"}${var.mail_host}\""
    );
    // The references declare what they use.
    find(&body, "variable", &["postgresql_host"]);
    find(&body, "variable", &["mail_host"]);

    // A reference names an object of the stack, in the shape of a reference.
    let e = errors(&format!(
        "{BASE}    env:
      - name: A
        value: {{ref: random_password.nope.result}}
      - name: B
        value: {{ref: \"kubernetes_namespace.app.metadata[0].name}} + 1\"}}
      - name: C
        value: {{ref: var.x}}
      - name: D
        value: {{template: []}}
"
    ));
    assert!(
        e.contains("`random_password.nope` is not an object of this stack"),
        "{e}"
    );
    assert!(
        e.contains("kubernetes_deployment.app"),
        "the known objects are listed: {e}"
    );
    assert!(e.contains("containers[0].env[1].value.ref"), "{e}");
    assert!(e.contains("a variable is written `{var: <name>}`"), "{e}");
    assert!(e.contains("a template needs at least one part"), "{e}");
}
