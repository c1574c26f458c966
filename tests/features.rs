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
fn a_block_volume_sized_by_a_variable() {
    let (text, body) = render(&format!(
        "{BASE}volumes:\n  - {{name: cache, storage: proxmox-lvm, size_var: storage_size, mount: /cache}}\nbackup: {{schedule: \"0 3 * * *\"}}\nvariables:\n  storage_size: {{default: 5Gi}}\n"
    ));
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "cache"],
    );
    let requests = text_of(
        child(pvc, &["spec", "resources"])
            .body()
            .attributes()
            .find(|a| a.key() == "requests")
            .unwrap()
            .expr(),
    );
    assert!(requests.contains("var.storage_size"), "{requests}");
    let var = find(&body, "variable", &["storage_size"]);
    assert_eq!(attr(var, "default").unwrap(), "\"5Gi\"");
    assert!(text.contains("variable \"storage_size\""));
    let e = errors(&format!(
        "{BASE}volumes:\n  - {{name: cache, storage: nfs, size_var: storage_size, mount: /cache}}\n"
    ));
    assert!(e.contains("applies to block storage only"), "{e}");
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
      budget: {{eso: {{key: homepage_credentials, path: [app, budget], optional: true}}}}
      user: {{vault: {{path: platform, key: users, json: [app], optional: true}}}}
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
    let locals = body
        .blocks()
        .find(|b| b.identifier() == "locals" && attr(b, "homepage_credentials").is_some())
        .unwrap();
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
    // A field that may be missing is read with a null default.
    for want in [
        "\"gethomepage.dev/widget.budget\" = lookup(local.homepage_credentials[\"app\"], \"budget\", null)",
        "\"gethomepage.dev/widget.user\" = lookup(local.users, \"app\", null)",
    ] {
        assert!(annotations.contains(want), "{want}\n{annotations}");
    }
    find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
}

#[test]
fn an_override_variable_falls_back_to_vault() {
    let spec = BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    resources: {cpu: 10m, memory: 64Mi}
    env:
      - {name: API_KEY, value: {coalesce: [{var: api_key}, {vault: {path: app, key: api_key}}]}}
      - {name: MODEL, value: {if_set: [{var: model}, {vault: {path: app, key: model}}]}}
      - {name: REGION, value: {if_set: [{var: region}, eu-west-2]}}
",
    );
    let (text, _) = render(&spec);
    for want in [
        "value = coalesce(var.api_key, data.vault_kv_secret_v2.secrets.data[\"api_key\"])",
        "value = var.model != \"\" ? var.model : data.vault_kv_secret_v2.secrets.data[\"model\"]",
        "value = var.region != \"\" ? var.region : \"eu-west-2\"",
        "variable \"api_key\"",
        "variable \"model\"",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    for (value, why) in [
        (
            "{coalesce: [{var: a}]}",
            "`coalesce` takes two values or more",
        ),
        ("{if_set: [{var: a}]}", "`if_set` takes two values"),
        (
            "{if_set: [fixed, {var: a}]}",
            "the value used when set is a reference",
        ),
    ] {
        let bad = errors(&BASE.replace(
            "    resources: {cpu: 10m, memory: 64Mi}\n",
            &format!("    resources: {{cpu: 10m, memory: 64Mi}}\n    env: [{{name: X, value: {value}}}]\n"),
        ));
        assert!(bad.contains(why), "{value}: {bad}");
    }
}

#[test]
fn another_secret_is_read_at_plan_time_by_a_data_source_of_its_own() {
    let spec = BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    resources: {cpu: 10m, memory: 64Mi}
    env:
      - {name: CALIBRE_PASS, value: {eso: {secret: calibre-secrets, key: password}}}
      - {name: CALIBRE_USER, value: {eso: {secret: calibre-secrets, key: user}}}
      - {name: DB_PASS, value: {eso: {secret: db-creds, namespace: dbaas, key: password}}}
",
    );
    let (text, body) = render(&spec);
    let calibre = find(&body, "data", &["kubernetes_secret", "calibre"]);
    let metadata = child(calibre, &["metadata"]);
    assert_eq!(attr(metadata, "name").unwrap(), "\"calibre-secrets\"");
    assert_eq!(
        attr(metadata, "namespace").unwrap(),
        "kubernetes_namespace.app.metadata[0].name"
    );
    assert_eq!(attr(calibre, "depends_on"), None);
    let db = find(&body, "data", &["kubernetes_secret", "db_creds"]);
    assert_eq!(
        attr(child(db, &["metadata"]), "namespace").unwrap(),
        "\"dbaas\""
    );
    assert_eq!(
        env_value(&body, "CALIBRE_USER"),
        "data.kubernetes_secret.calibre.data[\"user\"]"
    );
    assert_eq!(
        env_value(&body, "DB_PASS"),
        "data.kubernetes_secret.db_creds.data[\"password\"]"
    );
    // Each Secret is read once, and the stack's own read is not declared for them.
    assert_eq!(
        text.matches("data \"kubernetes_secret\" \"calibre\"")
            .count(),
        1
    );
    assert!(!text.contains("eso_secrets"), "{text}");
    for (value, why) in [
        (
            "{eso: {secret: Calibre, key: password}}",
            "invalid Secret name `Calibre`",
        ),
        (
            "{eso: {secret: calibre-secrets}}",
            "missing required field `key`",
        ),
        (
            "{eso: {secret: calibre-secrets, namespace: Db, key: p}}",
            "invalid namespace `Db`",
        ),
        (
            "{eso: {secret: calibre-secrets, key: p, path: [a]}}",
            "`path` decodes a JSON key of the stack's own secret only",
        ),
        (
            "{eso: {key: p, optional: true}}",
            "`optional` lets the last field of `path` be missing, and there is no `path`",
        ),
        (
            "{vault: {path: app, key: p, optional: true}}",
            "`optional` lets the last field of `json` be missing, and there is no `json`",
        ),
        (
            "{eso: {secret: eso-secrets-secrets, key: p}}",
            "the address of the stack's own read",
        ),
        (
            "{eso: {secret: calibre, key: p}}",
            "which reads `calibre-secrets`",
        ),
    ] {
        let e = errors(&spec.replace("{eso: {secret: calibre-secrets, key: user}}", value));
        assert!(e.contains(why), "{value}: {e}");
    }
}

#[test]
fn a_json_vault_key_is_decoded_in_a_local_named_after_it() {
    let (_, body) = render(&format!(
        "{BASE}ingress:
  homepage:
    name: App
    description: d
    icon: app.png
    group: Other
    widget:
      type: app
      username: {{vault: {{path: platform, key: homepage_credentials, json: [app, username]}}}}
      password: {{vault: {{path: platform, key: homepage_credentials, json: [app, password]}}}}
"
    ));
    find(&body, "data", &["vault_kv_secret_v2", "secrets"]);
    let locals: Vec<&Block> = body
        .blocks()
        .filter(|b| b.identifier() == "locals")
        .collect();
    assert_eq!(locals.len(), 1, "one local for both values");
    assert_eq!(
        attr(locals[0], "homepage_credentials").unwrap(),
        "jsondecode(data.vault_kv_secret_v2.secrets.data[\"homepage_credentials\"])"
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
            "\"gethomepage.dev/widget.password\" = local.homepage_credentials[\"app\"][\"password\"]"
        ),
        "{annotations}"
    );
    // The same local from the ExternalSecret as well is refused.
    let e = errors(&format!(
        "{BASE}ingress:
  homepage:
    name: App
    description: d
    icon: app.png
    group: Other
    widget:
      type: app
      username: {{vault: {{path: platform, key: homepage_credentials, json: [app, username]}}}}
      password: {{eso: {{key: homepage_credentials, path: [app, password]}}}}
"
    ));
    assert!(e.contains("already decodes"), "{e}");
}

#[test]
fn the_plan_time_read_of_the_own_secret_can_stand_alone_and_without_depends_on() {
    let (_, body) = render(&format!(
        "{BASE}secrets: {{read: true, read_depends_on: false}}\n"
    ));
    let data = find(&body, "data", &["kubernetes_secret", "eso_secrets"]);
    assert_eq!(
        attr(child(data, &["metadata"]), "name").unwrap(),
        "\"app-secrets\""
    );
    assert_eq!(attr(data, "depends_on"), None);
    assert!(
        !body.blocks().any(|b| b.identifier() == "locals"),
        "nothing to decode"
    );
    // Without `read`, nothing reads the secret at plan time: no data source.
    let (_, body) = render(&format!("{BASE}secrets: {{}}\n"));
    assert!(
        !body
            .blocks()
            .any(|b| b.identifier() == "data" && b.labels().len() == 2),
        "no plan-time read"
    );
    let e = errors(&format!(
        "{BASE}external_secrets:\n  - {{name: other, vault_key: other, read: true}}\n"
    ));
    assert!(e.contains("only the stack's own secret"), "{e}");
}

#[test]
fn a_namespace_can_go_without_the_goldilocks_ignore() {
    let (_, body) = render(&format!("{BASE}namespace: {{goldilocks_ignore: false}}\n"));
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert!(ns.body().blocks().all(|b| b.identifier() != "lifecycle"));
    let (_, body) = render(BASE);
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert!(ns.body().blocks().any(|b| b.identifier() == "lifecycle"));
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
    // One instance of a block that repeats (a CronJob of a `for_each` map) moves to a
    // resource of its own; its key is plain text, never HCL.
    let (_, body) = render(&format!(
        "{BASE}adopt:\n  moved:\n    - {{from: 'kubernetes_namespace.x[\"app\"]', to: kubernetes_namespace.app}}\n"
    ));
    let from: Vec<String> = body
        .blocks()
        .filter(|b| b.identifier() == "moved")
        .map(|b| attr(b, "from").unwrap())
        .collect();
    assert_eq!(from, ["kubernetes_namespace.x[\"app\"]"]);
    for odd in [
        "kubernetes_namespace.x[\\\"a b\\\"]",
        "kubernetes_namespace.x[\\\"${x}\\\"]",
        "module.old[0]",
    ] {
        let bad = errors(&format!(
            "{BASE}adopt:\n  moved:\n    - {{from: \"{odd}\", to: kubernetes_namespace.app}}\n"
        ));
        assert!(bad.contains("invalid address"), "{odd}: {bad}");
    }
}

#[test]
fn a_move_into_the_module_the_objects_leave_chains_on() {
    // The history of a wrapped stack: a rename inside the module, or a move into it, is
    // kept as it was; `from_module`'s move takes the object on to its generated address.
    let (_, body) = render(&format!(
        "{BASE}adopt:\n  from_module: old\n  moved:\n    - {{from: module.old.kubernetes_namespace.immich, to: module.old.kubernetes_namespace.app}}\n    - {{from: kubernetes_service.web, to: module.old.kubernetes_service.app}}\n"
    ));
    let moved: Vec<(String, String)> = body
        .blocks()
        .filter(|b| b.identifier() == "moved")
        .map(|b| (attr(b, "from").unwrap(), attr(b, "to").unwrap()))
        .collect();
    for pair in [
        (
            "module.old.kubernetes_namespace.immich",
            "module.old.kubernetes_namespace.app",
        ),
        (
            "module.old.kubernetes_namespace.app",
            "kubernetes_namespace.app",
        ),
        (
            "kubernetes_service.web",
            "module.old.kubernetes_service.app",
        ),
    ] {
        assert!(
            moved.contains(&(pair.0.to_owned(), pair.1.to_owned())),
            "{pair:?} in {moved:?}"
        );
    }
    // Only into that module, only to a generated address; never from one (a cycle).
    for (entry, error) in [
        (
            "{from: kubernetes_service.web, to: module.other.kubernetes_service.app}",
            "`module.other.kubernetes_service.app` is not an address this stack generates",
        ),
        (
            "{from: kubernetes_service.web, to: module.old.kubernetes_service.ap}",
            "`module.old.kubernetes_service.ap` is not an address this stack generates",
        ),
        (
            "{from: kubernetes_service.app, to: module.old.kubernetes_service.app}",
            "`kubernetes_service.app` is generated by this stack too",
        ),
    ] {
        let bad = errors(&format!(
            "{BASE}adopt:\n  from_module: old\n  moved:\n    - {entry}\n"
        ));
        assert!(bad.contains(error), "{entry}: {bad}");
    }
}

#[test]
fn adopt_imports_are_import_blocks_to_generated_resources() {
    let (_, body) = render(&format!(
        "{BASE}adopt:\n  imports:\n    - {{to: kubernetes_namespace.app, id: app}}\n    - {{to: kubernetes_service.app, id: \"app/a\\\"b${{x}}\"}}\n"
    ));
    let imports: Vec<(String, String)> = body
        .blocks()
        .filter(|b| b.identifier() == "import")
        .map(|b| (attr(b, "to").unwrap(), attr(b, "id").unwrap()))
        .collect();
    assert_eq!(
        imports,
        [
            ("kubernetes_namespace.app".to_owned(), "\"app\"".to_owned()),
            // Escaped: a quote and an interpolation stay text.
            (
                "kubernetes_service.app".to_owned(),
                "\"app/a\\\"b$${x}\"".to_owned()
            ),
        ]
    );
    let bad = errors(&format!(
        "{BASE}adopt:\n  imports:\n    - {{to: kubernetes_namespace.ap, id: app}}\n    - {{to: kubernetes_namespace.app}}\n    - {{to: kubernetes_namespace.app, id: a}}\n    - {{to: kubernetes_namespace.app, id: b}}\n"
    ));
    assert!(
        bad.contains("`kubernetes_namespace.ap` is not a resource this stack generates"),
        "{bad}"
    );
    assert!(
        bad.contains("did you mean `kubernetes_namespace.app`?"),
        "{bad}"
    );
    assert!(bad.contains("adopt.imports[1].id"), "{bad}");
    assert!(
        bad.contains("`kubernetes_namespace.app` is imported twice"),
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

    // A name saying where a secret is kept holds a path: no reason needed, one allowed.
    let location = |extra: &str| {
        spec(extra).replace(
            "TOKEN_TTL, value: \"3600\"",
            "VAULT_TOKEN_FILE, value: /vault/token",
        )
    };
    let (_, body) = render(&location(""));
    assert_eq!(env_value(&body, "VAULT_TOKEN_FILE"), "\"/vault/token\"");
    render(&location(", plain_why: \"the path of the token file\""));
    // A name without a secret's word never takes one.
    let bad = errors(&spec(", plain_why: x").replace("TOKEN_TTL", "SYNC_TTL"));
    assert!(bad.contains("this one does not need it"), "{bad}");
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

// --- around the pod ----------------------------------------------------------------------

/// Every rendered file of `spec` (main.tf, terragrunt.hcl, ...), by name.
fn render_all(spec: &str) -> Vec<(String, String)> {
    let stack = dlgen::generate::resolve("specs/app.yaml", spec).unwrap_or_else(|e| panic!("{e}"));
    Renderer::new()
        .unwrap()
        .render(&stack, "specs/app.yaml")
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|f| (f.name, f.contents))
        .collect()
}

/// An attribute as [`attr`] prints it, with objects written `{a = b}` (no blank inside
/// the braces, outside strings).
fn val(block: &Block, name: &str) -> Option<String> {
    attr(block, name).map(|t| compact(&t))
}

fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            ' ' if out.ends_with('{') || chars.get(i + 1) == Some(&'}') => {}
            _ => out.push(c),
        }
    }
    out
}

fn attrs(block: &Block) -> Vec<(String, String)> {
    block
        .body()
        .attributes()
        .map(|a| (a.key().to_owned(), compact(&text_of(a.expr()))))
        .collect()
}

/// The `(name, value)` arguments of a module call, without `source`.
fn args(body: &Body, module: &str) -> Vec<(String, String)> {
    attrs(find(body, "module", &[module]))
        .into_iter()
        .filter(|(k, _)| k != "source")
        .collect()
}

fn arg_of(body: &Body, module: &str, name: &str) -> Option<String> {
    val(find(body, "module", &[module]), name)
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[test]
fn services_any_number_with_names_types_and_ports_as_written() {
    let (text, body) = render(&format!(
        "{BASE}service:
  name: web
  type: ClusterIP
  ports:
    - {{name: http, port: 80, target_port: 8080}}
    - {{name: metrics, port: \"9113\", target_port: metrics, protocol: TCP}}
services:
  - name: app-dns
    address: dns
    type: NodePort
    annotations: {{prometheus.io/scrape: \"true\"}}
    ports:
      - {{name: dns-udp, port: 53, target_port: 5353, protocol: UDP, node_port: 30053}}
"
    ));
    let web = find(&body, "resource", &["kubernetes_service", "web"]);
    assert_eq!(val(child(web, &["metadata"]), "name").unwrap(), "\"web\"");
    let spec = child(web, &["spec"]);
    assert_eq!(val(spec, "type").unwrap(), "\"ClusterIP\"");
    // Labels and selector are the workload's.
    assert_eq!(val(spec, "selector").unwrap(), "{app = \"app\"}");
    assert_eq!(
        val(child(web, &["metadata"]), "labels").unwrap(),
        "{\"app\" = \"app\"}"
    );
    let ports: Vec<Vec<(String, String)>> = spec
        .body()
        .blocks()
        .filter(|b| b.identifier() == "port")
        .map(attrs)
        .collect();
    assert_eq!(
        ports,
        [
            vec![
                pair("name", "\"http\""),
                pair("port", "80"),
                pair("target_port", "8080")
            ],
            vec![
                pair("name", "\"metrics\""),
                pair("port", "\"9113\""),
                pair("target_port", "\"metrics\""),
                pair("protocol", "\"TCP\""),
            ],
        ]
    );
    let dns = find(&body, "resource", &["kubernetes_service", "dns"]);
    assert_eq!(val(child(dns, &["spec"]), "type").unwrap(), "\"NodePort\"");
    assert_eq!(
        attrs(child(dns, &["spec", "port"])),
        [
            pair("name", "\"dns-udp\""),
            pair("port", "53"),
            pair("target_port", "5353"),
            pair("protocol", "\"UDP\""),
            pair("node_port", "30053"),
        ]
    );
    assert_eq!(
        val(child(dns, &["metadata"]), "annotations").unwrap(),
        "{\"prometheus.io/scrape\" = \"true\"}"
    );
    assert!(text.find("\"web\"").unwrap() < text.find("\"dns\"").unwrap());

    // No Service for the app, and the mistakes a spec can make with ports.
    let (_, body) = render(&format!("{BASE}service: {{enabled: false}}\n"));
    assert!(!body.blocks().any(|b| {
        b.labels()
            .iter()
            .any(|l| l.as_str() == "kubernetes_service")
    }));
    let bad = errors(&format!(
        "{BASE}service:\n  port: 80\n  ports: [{{port: 0}}, {{port: true, node_port: 30001}}]\nservices:\n  - ports: [{{port: 81}}]\n"
    ));
    for needle in [
        "`ports` lists every port",
        "invalid port `0`",
        "invalid port `true`",
        "`node_port` applies to a `type: NodePort` Service",
        "missing required field `name`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn raw_hcl_inside_a_service_spec_after_its_ports() {
    // Stack-patterns v2 section 5.7: TURN ranges as `dynamic "port"` over `range()`.
    let (text, body) = render(&format!(
        "{BASE}service:
  ports: [{{name: http, port: 80, target_port: 8080}}]
  spec_raw: |
    session_affinity = \"ClientIP\"
services:
  - name: app-turn
    ports: []
    spec_raw: |
      dynamic \"port\" {{
        for_each = range(49160, 49163)
        content {{
          name     = \"turn-${{port.value}}\"
          port     = port.value
          protocol = \"UDP\"
        }}
      }}
"
    ));
    let app = child(
        find(&body, "resource", &["kubernetes_service", "app"]),
        &["spec"],
    );
    assert_eq!(val(app, "session_affinity").unwrap(), "\"ClientIP\"");
    let spec_text = &text[text
        .find("resource \"kubernetes_service\" \"app\"")
        .unwrap()..];
    assert!(
        spec_text.find("target_port = 8080").unwrap() < spec_text.find("session_affinity").unwrap(),
        "{text}"
    );
    let turn = child(
        find(&body, "resource", &["kubernetes_service", "app_turn"]),
        &["spec"],
    );
    let dynamic: Vec<&Block> = turn
        .body()
        .blocks()
        .filter(|b| b.identifier() == "dynamic")
        .collect();
    assert_eq!(dynamic.len(), 1, "{text}");
    assert_eq!(dynamic[0].labels()[0].as_str(), "port");
    assert!(!turn.body().blocks().any(|b| b.identifier() == "port"));
    // Without ports in `spec_raw`, a Service still needs one.
    let bad = errors(&format!(
        "{BASE}services:\n  - name: app-x\n    ports: []\n    spec_raw: 'session_affinity = \"ClientIP\"'\n"
    ));
    assert!(bad.contains("a Service needs at least one port"), "{bad}");
}

#[test]
fn load_balancer_services_on_the_shared_or_a_dedicated_ip() {
    let (text, body) = render(&format!(
        "{BASE}service: {{type: LoadBalancer}}\nservices:\n  - {{name: app-dedicated, load_balancer: {{ip: 10.0.20.202}}, ports: [{{port: 443}}]}}\n  - {{name: app-legacy, load_balancer: {{legacy_annotations: true, external_traffic_policy: null}}, ports: [{{port: 53}}]}}\n"
    ));
    let shared = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(
        val(child(shared, &["metadata"]), "annotations").unwrap(),
        "{\"metallb.io/loadBalancerIPs\" = \"10.0.20.200\", \"metallb.io/allow-shared-ip\" = \"shared\"}"
    );
    assert_eq!(
        val(child(shared, &["spec"]), "type").unwrap(),
        "\"LoadBalancer\""
    );
    assert_eq!(
        val(child(shared, &["spec"]), "external_traffic_policy").unwrap(),
        "\"Cluster\""
    );
    assert_eq!(
        val(child(shared, &["lifecycle"]), "ignore_changes").unwrap(),
        "[metadata[0].annotations[\"metallb.io/ip-allocated-from-pool\"]]"
    );
    assert!(
        text.contains("    # METALLB_LIFECYCLE_V1: MetalLB's controller writes this annotation"),
        "{text}"
    );
    let dedicated = find(&body, "resource", &["kubernetes_service", "app_dedicated"]);
    assert_eq!(
        val(child(dedicated, &["metadata"]), "annotations").unwrap(),
        "{\"metallb.io/loadBalancerIPs\" = \"10.0.20.202\"}"
    );
    assert_eq!(
        val(child(dedicated, &["spec"]), "external_traffic_policy").unwrap(),
        "\"Local\""
    );
    let legacy = find(&body, "resource", &["kubernetes_service", "app_legacy"]);
    assert!(
        val(child(legacy, &["metadata"]), "annotations")
            .unwrap()
            .contains("\"metallb.universe.tf/loadBalancerIPs\""),
    );
    assert_eq!(
        val(child(legacy, &["spec"]), "external_traffic_policy"),
        None
    );

    let bad = errors(&format!(
        "{BASE}service: {{type: NodePort, load_balancer: {{}}}}\nservices: [{{name: b, load_balancer: {{external_traffic_policy: Local}}, ports: [{{port: 1}}]}}]\n"
    ));
    assert!(
        bad.contains("`load_balancer` configures a LoadBalancer Service"),
        "{bad}"
    );
    assert!(bad.contains("a shared address needs `Cluster`"), "{bad}");
}

#[test]
fn a_services_spec_raw_repeating_what_dlgen_writes_is_refused_at_its_field() {
    // It was reported as a bug of dlgen's templates, with no field named.
    let e = render_errors(&format!(
        "{BASE}services: [{{name: x, type: ClusterIP, ports: [{{port: 1}}], spec_raw: 'type = \"ClusterIP\"'}}]\n"
    ));
    assert!(
        e.contains("`type` is generated by dlgen here (in `kubernetes_service.x > spec`)")
            && e.contains("services[0].spec_raw")
            && e.contains("set the Service's `type` (or `load_balancer`) instead"),
        "{e}"
    );
}

#[test]
fn a_headless_service_has_no_cluster_ip() {
    let (_, body) = render(&format!(
        "{BASE}services:\n  - {{name: app-pods, cluster_ip: None, ports: [{{name: socks, port: 9050}}]}}\n"
    ));
    let headless = find(&body, "resource", &["kubernetes_service", "app_pods"]);
    assert_eq!(
        val(child(headless, &["spec"]), "cluster_ip").unwrap(),
        "\"None\""
    );
    // The app's Service writes none.
    let app = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(val(child(app, &["spec"]), "cluster_ip"), None);

    let bad = errors(&format!("{BASE}service: {{cluster_ip: none}}\n"));
    assert!(bad.contains("invalid cluster IP `none`"), "{bad}");
    assert!(
        bad.contains("is not `None` (a headless Service) or an IP address"),
        "{bad}"
    );
    let twice = render_errors(&format!(
        "{BASE}service: {{cluster_ip: None, spec_raw: 'cluster_ip = \"None\"'}}\n"
    ));
    assert!(
        twice.contains("set the Service's `cluster_ip` instead"),
        "{twice}"
    );
    let (_, body) = render(&format!("{BASE}service: {{cluster_ip: 10.43.0.20}}\n"));
    let app = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(
        val(child(app, &["spec"]), "cluster_ip").unwrap(),
        "\"10.43.0.20\""
    );
}

#[test]
fn an_ingress_refers_to_the_service_it_means() {
    // A Service named apart from the stack: the ingress names it, and its port.
    let (_, body) = render(&format!(
        "{BASE}service: {{name: web, ports: [{{name: http, port: 8080, target_port: 8080}}]}}\ningress:\n  name: app\n"
    ));
    assert_eq!(arg_of(&body, "ingress", "service_name").unwrap(), "\"web\"");
    assert_eq!(arg_of(&body, "ingress", "port").unwrap(), "8080");
    // As a reference, and to another Service of the stack.
    let (_, body) = render(&format!(
        "{BASE}services: [{{name: app-api, ports: [{{port: 80}}]}}]\ningress:\n  service: app-api\n  service_ref: true\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress", "service_name").unwrap(),
        "kubernetes_service.app_api.metadata[0].name"
    );
    assert_eq!(
        arg_of(&body, "ingress", "port"),
        None,
        "port 80 is the module's"
    );
    // The module's default (`name`) is left out unless the spec names the Service: then
    // `service_name` is written as stated, as most stacks that route to their Service do.
    let (_, body) = render(&format!("{BASE}ingress: {{name: app}}\n"));
    assert_eq!(arg_of(&body, "ingress", "service_name"), None);
    let (_, body) = render(&format!("{BASE}ingress: {{name: app, service: app}}\n"));
    assert_eq!(arg_of(&body, "ingress", "service_name").unwrap(), "\"app\"");
    let bad = errors(&format!(
        "{BASE}ingress: {{service: elsewhere, service_ref: true}}\n"
    ));
    assert!(
        bad.contains("`service_ref` refers to a Service of the stack, and `elsewhere` is not one"),
        "{bad}"
    );
}

#[test]
fn every_ingress_factory_input_can_be_set() {
    let (text, body) = render(&format!(
        "{BASE}ingress:
  name: app
  host: web
  root_domain: viktorbarzin.lan
  paths: [/, /api]
  port: 8080
  auth: required
  allowed_groups: [Home Server Admins, App Users]
  allow_local_access_only: true
  ssl_redirect: false
  anti_ai_scraping: false
  custom_csp: default-src 'self'
  extra_middlewares: [traefik-app-rate-limit@kubernetescrd]
  skip_default_rate_limit: true
  max_body_size: 500m
  external_monitor: false
  external_monitor_name: App
  dns_type: internal
  homepage: {{name: App, description: d, icon: app.png, group: Other, pod_selector: app=app}}
  extra_annotations:
    uptime.viktorbarzin.me/external-monitor-path: /api/healthz
"
    ));
    assert_eq!(
        args(&body, "ingress"),
        [
            pair("auth", "\"required\""),
            pair("dns_type", "\"internal\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair("name", "\"app\""),
            pair("host", "\"web\""),
            pair("root_domain", "\"viktorbarzin.lan\""),
            pair("port", "8080"),
            pair("ingress_path", "[\"/\", \"/api\"]"),
            pair("tls_secret_name", "var.tls_secret_name"),
            pair("allowed_groups", "[\"Home Server Admins\", \"App Users\"]"),
            pair("allow_local_access_only", "true"),
            pair("ssl_redirect", "false"),
            pair(
                "extra_middlewares",
                "[\"traefik-app-rate-limit@kubernetescrd\"]"
            ),
            pair("anti_ai_scraping", "false"),
            pair("custom_content_security_policy", "\"default-src 'self'\""),
            pair("skip_default_rate_limit", "true"),
            pair("max_body_size", "\"500m\""),
            pair("external_monitor", "false"),
            pair("external_monitor_name", "\"App\""),
            pair(
                "extra_annotations",
                "{\"gethomepage.dev/enabled\" = \"true\", \"gethomepage.dev/name\" = \"App\", \"gethomepage.dev/description\" = \"d\", \"gethomepage.dev/icon\" = \"app.png\", \"gethomepage.dev/group\" = \"Other\", \"gethomepage.dev/pod-selector\" = \"app=app\", \"uptime.viktorbarzin.me/external-monitor-path\" = \"/api/healthz\"}"
            ),
        ]
    );
    assert!(text.contains("# https://web.viktorbarzin.lan\n"), "{text}");

    // full_host; dns_type left out; a partial tile; the tile hidden; no tile at all.
    let (text, body) = render(&format!(
        "{BASE}ingress: {{full_host: app.example.org, dns_type: null, homepage: {{description: d, icon: app.png}}}}\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress", "full_host").unwrap(),
        "\"app.example.org\""
    );
    assert_eq!(arg_of(&body, "ingress", "dns_type"), None);
    assert_eq!(
        arg_of(&body, "ingress", "extra_annotations").unwrap(),
        "{\"gethomepage.dev/description\" = \"d\", \"gethomepage.dev/icon\" = \"app.png\"}"
    );
    assert!(text.contains("# https://app.example.org\n"), "{text}");
    let (_, body) = render(&format!(
        "{BASE}ingress: {{homepage: {{enabled: false}}}}\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress", "extra_annotations").unwrap(),
        "{\"gethomepage.dev/enabled\" = \"false\"}"
    );
    let (_, body) = render(&format!("{BASE}ingress: {{homepage_enabled: false}}\n"));
    assert_eq!(
        arg_of(&body, "ingress", "homepage_enabled").unwrap(),
        "false"
    );
    assert_eq!(arg_of(&body, "ingress", "extra_annotations"), None);

    let bad = errors(&format!(
        "{BASE}ingress:
  auth: none
  auth_why: public
  allowed_groups: [X]
  max_body_size: lots
  homepage: {{enabled: false, icon: x.png}}
  extra_middlewares: [\"a, b\"]
  purpose: main
"
    ));
    for needle in [
        "`allowed_groups` is what Authentik lets through with `auth: required`",
        "invalid size `lots`",
        "a hidden tile carries only",
        "invalid middleware `a, b`",
        "`purpose` describes a secondary ingress",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
    let bad = errors(&format!(
        "{BASE}ingress: {{homepage: {{description: d}}, extra_annotations: {{gethomepage.dev/description: e}}}}\n"
    ));
    assert!(
        bad.contains("`gethomepage.dev/description` is written by `homepage`"),
        "{bad}"
    );
}

#[test]
fn secondary_ingresses_carve_outs_and_lan_twins() {
    let (text, body) = render(&format!(
        "{BASE}ingress:
  name: app
  homepage: {{name: App, description: d, icon: app.png, group: Other}}
ingresses:
  - purpose: api
    carve_out: true
    paths: [/api/]
    auth_why: machine clients call the API with their own tokens
  - purpose: lan
    lan: true
  - purpose: admin
    host: admin
    dns_type: non-proxied
    auth: required
"
    ));
    assert_eq!(
        args(&body, "ingress_api"),
        [
            pair("auth", "\"none\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair("name", "\"app-api\""),
            pair("host", "\"app\""),
            pair("service_name", "kubernetes_service.app.metadata[0].name"),
            pair("ingress_path", "[\"/api/\"]"),
            pair("tls_secret_name", "var.tls_secret_name"),
            pair("anti_ai_scraping", "false"),
            pair("external_monitor", "false"),
            pair("homepage_enabled", "false"),
        ]
    );
    assert!(
        text.contains("homepage_enabled = false # secondary/non-UI ingress: no homepage tile"),
        "{text}"
    );
    assert!(
        text.contains("  # auth = \"none\": machine clients call the API with their own tokens\n"),
        "{text}"
    );
    assert_eq!(
        args(&body, "ingress_lan"),
        [
            pair("auth", "\"none\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair("name", "\"app-lan\""),
            pair("root_domain", "\"viktorbarzin.lan\""),
            pair("service_name", "\"app\""),
            pair("tls_secret_name", "var.tls_secret_name"),
            pair("allow_local_access_only", "true"),
            pair("ssl_redirect", "false"),
            pair(
                "extra_annotations",
                "{\"gethomepage.dev/enabled\" = \"false\"}"
            ),
        ]
    );
    assert!(
        text.contains("# auth = \"none\": reachable from the local networks only"),
        "{text}"
    );
    assert_eq!(
        arg_of(&body, "ingress_admin", "name").unwrap(),
        "\"app-admin\""
    );
    assert_eq!(
        arg_of(&body, "ingress_admin", "dns_type").unwrap(),
        "\"non-proxied\""
    );
    // File order: the main ingress, then the others in spec order.
    let order: Vec<usize> = [
        "module \"ingress\"",
        "module \"ingress_api\"",
        "module \"ingress_lan\"",
        "module \"ingress_admin\"",
    ]
    .iter()
    .map(|m| text.find(m).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    let bad = errors(&format!(
        "{BASE}ingresses:\n  - {{carve_out: true, purpose: api}}\n  - {{host: x}}\n  - {{purpose: lan, lan: true}}\n  - {{purpose: lan}}\n"
    ));
    for needle in [
        "a carve-out or a `.lan` twin is relative to the main ingress, and there is none",
        "missing required field `paths`",
        "missing required field `purpose`",
        "`module.ingress_lan` is the address of another module call",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn anubis_in_front_of_an_ingress() {
    let (text, body) = render(&format!(
        "{BASE}service: {{ports: [{{name: http, port: 8080, target_port: 8080}}]}}\ningress:\n  name: site\n  anubis: {{redis_db: 12, policy_rules: \"- name: allow-assets\\n  action: ALLOW\\n\"}}\n"
    ));
    assert_eq!(
        args(&body, "anubis"),
        [
            pair("name", "\"site\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair(
                "target_url",
                "\"http://${kubernetes_service.app.metadata[0].name}.${kubernetes_namespace.app.metadata[0].name}.svc.cluster.local:8080\""
            ),
            pair(
                "shared_store_url",
                "\"redis://redis-master.redis.svc.cluster.local:6379/12\""
            ),
            pair(
                "policy_rules_yaml",
                "<<-EOT\n- name: allow-assets\n  action: ALLOW\nEOT"
            ),
        ]
    );
    assert!(
        text.contains("policy_rules_yaml = <<-EOT\n"),
        "a heredoc: {text}"
    );
    assert_eq!(
        args(&body, "ingress"),
        [
            pair("auth", "\"none\""),
            pair("dns_type", "\"proxied\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair("name", "\"site\""),
            pair("service_name", "module.anubis.service_name"),
            pair("port", "module.anubis.service_port"),
            pair("tls_secret_name", "var.tls_secret_name"),
            pair("extra_middlewares", "[\"traefik-x402@kubernetescrd\"]"),
            pair("anti_ai_scraping", "false"),
        ]
    );
    assert!(
        text.contains(
            "# auth = \"none\": Anubis-fronted; PoW challenge gates bots, no Authentik\n"
        ),
        "{text}"
    );
    assert!(text.find("module \"anubis\"").unwrap() < text.find("module \"ingress\"").unwrap());
    let bad = errors(&format!(
        "{BASE}ingress: {{anubis: {{redis_db: 1, store_url: \"http://x\"}}, service: app}}\n"
    ));
    assert!(
        bad.contains("`redis_db` and `store_url` both set the shared store"),
        "{bad}"
    );
    assert!(
        bad.contains("the Service it protects is `anubis.target`"),
        "{bad}"
    );
}

#[test]
fn scale_to_zero_through_ingresses() {
    let (_, body) = render(&format!(
        "{BASE}scale_to_zero: true\ningress:\n  sablier: {{group: apps}}\ningresses:\n  - {{purpose: ingest, paths: [/ingest], sablier: {{strategy: blocking}}}}\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress", "sablier").unwrap(),
        "{group = \"apps\"}"
    );
    assert_eq!(
        arg_of(&body, "ingress_ingest", "sablier").unwrap(),
        "{group = \"apps\", strategy = \"blocking\"}"
    );
    let labels = val(
        child(
            find(&body, "resource", &["kubernetes_deployment", "app"]),
            &["metadata"],
        ),
        "labels",
    )
    .unwrap();
    assert!(labels.contains("\"sablier.group\" = \"apps\""), "{labels}");
    let bad = errors(&format!(
        "{BASE}ingress: {{sablier: {{}}}}\ningresses: [{{purpose: x, sablier: {{group: other}}}}]\n"
    ));
    assert!(bad.contains("the Deployment is not enrolled"), "{bad}");
    assert!(bad.contains("so this ingress would wake nothing"), "{bad}");
}

#[test]
fn external_secrets_in_every_form() {
    let (text, body) = render(&format!(
        "{BASE}secrets:
  refresh_interval: 1h
  reloader_match: true
  creation_policy: Owner
  data:
    - key: WEBHOOK_TOKEN
    - {{key: SMTP_PASSWORD, from: viktor, property: smtp_password}}
external_secrets:
  - database: postgres
    template:
      DATABASE_URL: {{template: [\"postgresql://app:{{{{ .password }}}}@\", {{var: postgresql_host}}, \":5432/app\"]}}
      DB_PASSWORD: \"{{{{ .password }}}}\"
  - name: grafana-app-pg-creds
    namespace: monitoring
    database: mysql
    role: app-ro
    engine_version: v2
"
    ));
    let own = find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
    let manifest = val(own, "manifest").unwrap();
    for needle in [
        "refreshInterval = \"1h\"",
        "target = {name = \"app-secrets\", creationPolicy = \"Owner\", template = {metadata = {annotations = {\"reloader.stakater.com/match\" = \"true\"}}}}",
        "data = [{secretKey = \"WEBHOOK_TOKEN\", remoteRef = {key = \"app\", property = \"webhook_token\"}}, {secretKey = \"SMTP_PASSWORD\", remoteRef = {key = \"viktor\", property = \"smtp_password\"}}]",
    ] {
        assert!(manifest.contains(needle), "{needle}: {manifest}");
    }
    assert!(
        !manifest.contains("dataFrom"),
        "a data list only: {manifest}"
    );
    let db = val(
        find(
            &body,
            "resource",
            &["kubernetes_manifest", "db_external_secret"],
        ),
        "manifest",
    )
    .unwrap();
    for needle in [
        "name = \"app-db-creds\"",
        "secretStoreRef = {name = \"vault-database\", kind = \"ClusterSecretStore\"}",
        "data = {DATABASE_URL = \"postgresql://app:{{ .password }}@${var.postgresql_host}:5432/app\", DB_PASSWORD = \"{{ .password }}\"}",
        "data = [{secretKey = \"password\", remoteRef = {key = \"static-creds/pg-app\", property = \"password\"}}]",
    ] {
        assert!(db.contains(needle), "{needle}: {db}");
    }
    let grafana = find(
        &body,
        "resource",
        &["kubernetes_manifest", "grafana_app_pg_creds"],
    );
    let manifest = val(grafana, "manifest").unwrap();
    assert!(
        manifest.contains("namespace = \"monitoring\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("key = \"static-creds/mysql-app-ro\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("template = {engineVersion = \"v2\"}"),
        "{manifest}"
    );
    assert_eq!(
        val(grafana, "depends_on"),
        None,
        "not in the stack's namespace"
    );
    assert!(text.contains("variable \"postgresql_host\" { type = string }"));

    let bad = errors(&format!(
        "{BASE}secrets: {{database: postgres, refresh_interval: soon, creation_policy: Always}}\nexternal_secrets: [{{vault_key: x}}]\n"
    ));
    for needle in [
        "database credentials are another ExternalSecret",
        "invalid refresh interval `soon`",
        "unknown creation policy `Always`",
        "the secret's name (or `database: postgres`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn vault_data_sources_take_the_repo_labels() {
    let spec = |paths: &[&str]| {
        let env: String = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!("      - {{name: V{i}, value: {{vault: {{path: {p}, key: k}}}}}}\n")
            })
            .collect();
        BASE.replace(
            "    port: 8080\n",
            &format!("    port: 8080\n    env:\n{env}"),
        )
    };
    // The stack's own path is `secrets`; so is the platform path when the stack does not
    // read its own; any other path is its snake case.
    let (_, body) = render(&spec(&["app", "viktor"]));
    assert_eq!(
        val(
            find(&body, "data", &["vault_kv_secret_v2", "secrets"]),
            "name"
        )
        .unwrap(),
        "\"app\""
    );
    find(&body, "data", &["vault_kv_secret_v2", "viktor"]);
    let (_, body) = render(&spec(&["platform"]));
    assert_eq!(
        val(
            find(&body, "data", &["vault_kv_secret_v2", "secrets"]),
            "name"
        )
        .unwrap(),
        "\"platform\""
    );
    let (_, body) = render(&spec(&["platform", "app"]));
    assert_eq!(
        env_value(&body, "V0"),
        "data.vault_kv_secret_v2.platform.data[\"k\"]"
    );
    assert_eq!(
        env_value(&body, "V1"),
        "data.vault_kv_secret_v2.secrets.data[\"k\"]"
    );
    assert_eq!(
        val(
            find(&body, "data", &["vault_kv_secret_v2", "platform"]),
            "name"
        )
        .unwrap(),
        "\"platform\""
    );
}

#[test]
fn random_resources_referable_from_values() {
    let (_, body) = render(&format!(
        "{BASE}random:
  - {{name: secret_key, kind: password, length: 64, special: false}}
  - {{name: api_key, kind: string, length: 32, lower: true, special: true, override_special: \"/@£$\"}}
  - {{name: token, kind: id, byte_length: 32}}
"
    )
    .replace(
        "    port: 8080\n",
        "    port: 8080\n    env:\n      - {name: SECRET_KEY, value: {ref: random_password.secret_key.result}}\n      - {name: TOKEN, value: {template: [\"base64:\", {ref: random_id.token.b64_std}]}}\n",
    ));
    assert_eq!(
        attrs(find(&body, "resource", &["random_password", "secret_key"])),
        [pair("length", "64"), pair("special", "false")]
    );
    assert_eq!(
        attrs(find(&body, "resource", &["random_string", "api_key"])),
        [
            pair("length", "32"),
            pair("special", "true"),
            pair("override_special", "\"/@£$\""),
            pair("lower", "true"),
        ]
    );
    assert_eq!(
        attrs(find(&body, "resource", &["random_id", "token"])),
        [pair("byte_length", "32")]
    );
    assert_eq!(
        env_value(&body, "SECRET_KEY"),
        "random_password.secret_key.result"
    );
    assert_eq!(
        env_value(&body, "TOKEN"),
        "\"base64:${random_id.token.b64_std}\""
    );
    let bad = errors(&format!(
        "{BASE}random:\n  - {{name: a, kind: id, length: 3}}\n  - {{name: b, kind: password}}\n  - {{name: c, kind: string, length: 1, byte_length: 2}}\n  - {{name: c, kind: string, length: 1}}\n"
    ));
    for needle in [
        "a `random_id` has a `byte_length`, not a `length`",
        "missing required field `byte_length`",
        "missing required field `length`",
        "`byte_length` applies to `kind: id`",
        "`random_string.c` is declared twice",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn config_maps_of_text_structured_data_files_and_references() {
    let spec = format!(
        "{BASE}config_maps:
  - name: app-config
    labels: {{grafana_dashboard: \"1\"}}
    annotations: {{grafana_folder: Apps}}
    reloader_match: true
    data:
      app.conf: |
        listen 8080
        log stdout
      mode: production
      port: 8080
      settings.yaml: {{yamlencode: {{server: {{port: 8080, hosts: [a, b]}}, debug: false}}}}
      settings.json: {{jsonencode: [1, two]}}
      db_host: {{var: postgresql_host}}
      script.py: {{file: script.py}}
      index.html: {{templatefile: {{file: index.html.tpl, vars: {{title: Home, items: [a, b]}}}}}}
    checksums:
      - {{key: app.conf}}
      - {{key: script.py, annotation: checksum/script, hash: sha1}}
  - name: grafana-app-datasource
    address: datasource
    namespace: monitoring
    depends_on: [kubernetes_config_map.app_config]
    data: {{x: y}}
"
    );
    let (text, body) = render(&spec);
    let cm = find(&body, "resource", &["kubernetes_config_map", "app_config"]);
    assert_eq!(
        val(child(cm, &["metadata"]), "annotations").unwrap(),
        "{grafana_folder = \"Apps\", \"reloader.stakater.com/match\" = \"true\"}"
    );
    assert_eq!(
        val(child(cm, &["metadata"]), "labels").unwrap(),
        "{grafana_dashboard = \"1\"}"
    );
    let data = val(cm, "data").unwrap();
    for needle in [
        "mode = \"production\"",
        "port = 8080",
        "\"settings.yaml\" = yamlencode({server = {port = 8080, hosts = [\"a\", \"b\"]}, debug = false})",
        "\"settings.json\" = jsonencode([1, \"two\"])",
        "db_host = var.postgresql_host",
        "\"script.py\" = file(\"${path.module}/script.py\")",
        "\"index.html\" = templatefile(\"${path.module}/index.html.tpl\", {title = \"Home\", items = [\"a\", \"b\"]})",
    ] {
        assert!(data.contains(needle), "{needle}: {data}");
    }
    assert!(
        text.contains("\"app.conf\" = <<-EOT\n      listen 8080\n"),
        "a heredoc: {text}"
    );
    // The checksums roll the app's pods when the data changes.
    let template = child(
        find(&body, "resource", &["kubernetes_deployment", "app"]),
        &["spec", "template", "metadata"],
    );
    assert_eq!(
        val(template, "annotations").unwrap(),
        "{\"checksum/app.conf\" = sha256(kubernetes_config_map.app_config.data[\"app.conf\"]), \"checksum/script\" = sha1(kubernetes_config_map.app_config.data[\"script.py\"])}"
    );
    let other = find(&body, "resource", &["kubernetes_config_map", "datasource"]);
    assert_eq!(
        val(child(other, &["metadata"]), "namespace").unwrap(),
        "\"monitoring\""
    );
    assert_eq!(
        val(other, "depends_on").unwrap(),
        "[kubernetes_config_map.app_config]"
    );
    // The files beside the spec are named on the line after the header.
    assert_eq!(
        text.lines().nth(2),
        Some("# Files dlgen writes beside this one: script.py, index.html.tpl")
    );
    let stack = dlgen::generate::resolve("specs/app.yaml", &spec).unwrap();
    let files: Vec<&str> = stack.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(files, ["script.py", "index.html.tpl"]);

    let bad = errors(&format!(
        "{BASE}config_maps:\n  - data: {{\"a b\": x, c: {{file: ../c}}}}\n    checksums: [{{key: d}}]\n    depends_on: [\"not an address\", random_id.missing]\n  - {{name: x}}\n"
    ));
    for needle in [
        "invalid key `a b`",
        "invalid file name `../c`",
        "`d` is not a key of this config map's data",
        "invalid dependency `not an address`",
        "`random_id.missing` is not an object of this stack",
        "missing required field `data`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn config_map_binary_data_is_files_beside_the_spec_read_as_base64() {
    let spec = format!(
        "{BASE}config_maps:
  - name: app-assets
    binary_data:
      favicon.ico: {{file: files/favicon.ico}}
      logo.png: {{file: logo.png}}
  - name: app-both
    data: {{site.conf: {{file: site.conf}}}}
    binary_data: {{font.woff2: {{file: font.woff2}}}}
"
    );
    let (text, body) = render(&spec);
    let cm = find(&body, "resource", &["kubernetes_config_map", "app_assets"]);
    assert!(val(cm, "data").is_none(), "no data of its own: {text}");
    assert_eq!(
        val(cm, "binary_data").unwrap(),
        "{\"favicon.ico\" = filebase64(\"${path.module}/files/favicon.ico\"), \"logo.png\" = filebase64(\"${path.module}/logo.png\")}"
    );
    let both = find(&body, "resource", &["kubernetes_config_map", "app_both"]);
    assert!(val(both, "data").is_some() && val(both, "binary_data").is_some());
    let stack = dlgen::generate::resolve("specs/app.yaml", &spec).unwrap();
    let files: Vec<(&str, bool)> = stack
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.binary))
        .collect();
    assert_eq!(
        files,
        [
            ("files/favicon.ico", true),
            ("logo.png", true),
            ("site.conf", false),
            ("font.woff2", true)
        ]
    );

    let bad = errors(&format!(
        "{BASE}config_maps:\n  - data: {{a: x}}\n    binary_data: {{a: {{file: a.bin}}, b: {{}}, c: {{file: ../c}}, d: {{files: x}}}}\n"
    ));
    for needle in [
        "`a` is also a key of `data`",
        "missing required field `file` at `config_maps[0].binary_data.b.file`",
        "invalid file name `../c`",
        "unknown field `files`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn an_immutable_config_map_says_so_after_its_metadata() {
    let spec = format!(
        "{BASE}config_maps:\n  - name: app-acl\n    immutable: true\n    data: {{acl: topic}}\n  - name: app-config\n    data: {{app.conf: x}}\n"
    );
    let (text, body) = render(&spec);
    let acl = find(&body, "resource", &["kubernetes_config_map", "app_acl"]);
    assert_eq!(attr(acl, "immutable").as_deref(), Some("true"));
    assert!(
        text.contains("  }\n  immutable = true\n  data = {"),
        "{text}"
    );
    let config = find(&body, "resource", &["kubernetes_config_map", "app_config"]);
    assert_eq!(attr(config, "immutable"), None);
    let e = errors(&spec.replace("immutable: true", "immutable: yes please"));
    assert!(e.contains("config_maps[0].immutable"), "{e}");
}

#[test]
fn a_config_map_of_the_v1_resource_type_is_named_by_its_checksums_and_volumes() {
    let spec = format!(
        "{BASE}config_maps:
  - name: app-config
    resource_type: kubernetes_config_map_v1
    data: {{app.conf: x}}
    checksums: [{{key: app.conf}}]
volumes:
  - {{name: conf, config_map: {{name: app-config}}, mount: /etc/app}}
"
    );
    let (text, body) = render(&spec);
    find(
        &body,
        "resource",
        &["kubernetes_config_map_v1", "app_config"],
    );
    assert!(!text.contains("kubernetes_config_map."), "{text}");
    let pod = child(
        find(&body, "resource", &["kubernetes_deployment", "app"]),
        &["spec", "template"],
    );
    assert_eq!(
        val(child(pod, &["metadata"]), "annotations").unwrap(),
        "{\"checksum/app.conf\" = sha256(kubernetes_config_map_v1.app_config.data[\"app.conf\"])}"
    );
    assert_eq!(
        val(child(pod, &["spec", "volume", "config_map"]), "name").unwrap(),
        "kubernetes_config_map_v1.app_config.metadata[0].name"
    );

    let bad = errors(&format!(
        "{BASE}config_maps:\n  - data: {{a: b}}\n    resource_type: kubernetes_secret\n"
    ));
    assert!(
        bad.contains("`kubernetes_secret` is not a resource type of this object")
            && bad.contains("config_maps[0].resource_type"),
        "{bad}"
    );
}

#[test]
fn nfs_volumes_of_any_server_and_claims_of_their_own_name() {
    let (text, body) = render(&format!(
        "{BASE}volumes:
  - {{name: library, storage: nfs, claim_name: app-music, server: 192.168.1.13, path: /volume1/music, size: 3000Gi, access_modes: [ReadWriteMany], mount: /music}}
  - {{name: models, storage: nfs, server: {{var: proxmox_host}}, path: /srv/nfs-ssd/app/models, mount: /models}}
  - {{name: data, storage: proxmox-lvm-encrypted, claim_name: app-data, mount: /data}}
backup: {{schedule: \"0 3 * * *\", nfs_server: 192.168.1.127}}
"
    ));
    assert_eq!(
        args(&body, "nfs_library"),
        [
            pair("name", "\"app-music\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair("nfs_server", "\"192.168.1.13\""),
            pair("nfs_path", "\"/volume1/music\""),
            pair("storage", "\"3000Gi\""),
            pair("access_modes", "[\"ReadWriteMany\"]"),
        ]
    );
    assert_eq!(
        arg_of(&body, "nfs_models", "nfs_server").unwrap(),
        "var.proxmox_host"
    );
    assert!(text.contains("variable \"proxmox_host\" { type = string }"));
    assert!(
        !text.contains("variable \"nfs_server\""),
        "no NFS module reads it"
    );
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "data"],
    );
    assert_eq!(
        val(child(pvc, &["metadata"]), "name").unwrap(),
        "\"app-data\""
    );

    // The cluster's NFS server exports /srv/nfs and /srv/nfs-ssd only.
    for server in ["", "server: 192.168.1.127, ", "server: {var: nfs_server}, "] {
        let bad = errors(&format!(
            "{BASE}volumes: [{{name: media, storage: nfs, {server}path: /volume1/media}}]\n"
        ));
        assert!(
            bad.contains(
                "NFS path `/volume1/media` is outside the exports of the cluster's NFS server"
            ),
            "{server}: {bad}"
        );
        assert!(bad.contains("needs its `server:`"), "{bad}");
    }
    let bad = errors(&format!(
        "{BASE}volumes:\n  - {{name: a, storage: nfs, server: {{ref: x.y.z}}, access_modes: [ReadWriteSometimes]}}\n  - {{name: b, storage: proxmox-lvm, server: 1.2.3.4, access_modes: [ReadWriteMany], claim_name: Bad_Name}}\nbackup: {{enabled: false, why: test}}\n"
    ));
    for needle in [
        "an NFS server is a host name or address, or a variable",
        "unknown access mode `ReadWriteSometimes`",
        "`server` applies to NFS volumes only",
        "`access_modes` applies to NFS volumes only",
        "invalid claim name `Bad_Name`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn an_nfs_volume_outside_the_pod_is_declared_for_the_jobs_only() {
    let (text, body) = render(&format!(
        "{BASE}volumes:
  - {{name: archive, storage: nfs, size: 50Gi, pod: false}}
jobs:
  - name: app-export
    schedule: \"0 5 * * *\"
    containers:
      - {{image: docker.io/library/alpine:3.20, command: [/bin/sh, -c, export]}}
    volumes:
      - {{name: archive, claim: app-archive, mount: /archive}}
"
    ));
    assert_eq!(
        args(&body, "nfs_archive"),
        [
            pair("name", "\"app-archive\""),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
            pair("nfs_server", "var.nfs_server"),
            pair("nfs_path", "\"/srv/nfs/app/archive\""),
            pair("storage", "\"50Gi\""),
        ]
    );
    // Not a volume of the Deployment's pod; the job mounts it by its claim.
    let deployment = find(&body, "resource", &["kubernetes_deployment", "app"]);
    let pod = child(deployment, &["spec", "template", "spec"]);
    assert!(
        pod.body().blocks().all(|b| b.identifier() != "volume"),
        "{text}"
    );
    assert!(
        text.contains("claim_name = module.nfs_archive.claim_name"),
        "{text}"
    );

    let bad = errors(&format!(
        "{BASE}volumes:\n  - {{name: a, storage: nfs, pod: false, mount: /a}}\n  - {{name: b, empty_dir: {{}}, pod: false}}\n"
    ));
    for needle in [
        "a volume with `pod: false` is not a volume of the Deployment's pod, and cannot be mounted there",
        "`pod` applies to NFS volumes only",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn the_autoresizer_can_be_left_out_with_a_reason() {
    let (text, body) = render(&format!(
        "{BASE}volumes: [{{name: data, storage: proxmox-lvm, mount: /data, autoresize: false, autoresize_why: sized by hand for a fixed dataset}}]\nbackup: {{schedule: \"0 3 * * *\"}}\n"
    ));
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "data"],
    );
    assert_eq!(val(child(pvc, &["metadata"]), "annotations"), None);
    assert!(!pvc.body().blocks().any(|b| b.identifier() == "lifecycle"));
    assert!(
        text.contains("# dlgen:allow pvc-autoresize-annotations sized by hand for a fixed dataset"),
        "{text}"
    );
    assert!(
        text.contains("# dlgen:allow pvc-ignore-requests sized by hand for a fixed dataset"),
        "{text}"
    );
    let bad = errors(&format!(
        "{BASE}volumes: [{{name: data, storage: proxmox-lvm, autoresize: false, max_size: 9Gi}}]\nbackup: {{schedule: \"0 3 * * *\"}}\n"
    ));
    assert!(bad.contains("needs a written reason"), "{bad}");
}

#[test]
fn the_requests_ignore_is_a_convention_of_its_own() {
    // The autoresizer on, its requests not ignored: a reason, written as the lint's
    // suppression; the annotations stay.
    let spec = format!(
        "{BASE}volumes: [{{name: data, storage: proxmox-lvm, mount: /data, ignore_requests: false, ignore_requests_why: the operator resizes it by hand}}]\nbackup: {{schedule: \"0 3 * * *\"}}\n"
    );
    let (text, body) = render(&spec);
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "data"],
    );
    assert!(val(child(pvc, &["metadata"]), "annotations").is_some());
    assert!(!pvc.body().blocks().any(|b| b.identifier() == "lifecycle"));
    assert!(
        text.contains("# dlgen:allow pvc-ignore-requests the operator resizes it by hand"),
        "{text}"
    );
    assert!(!text.contains("pvc-autoresize-annotations"), "{text}");
    // Without a reason, refused; a reason for what is not the case, refused.
    let bad = errors(&spec.replace(", ignore_requests_why: the operator resizes it by hand", ""));
    assert!(
        bad.contains("volumes[0].ignore_requests") && bad.contains("needs a written reason"),
        "{bad}"
    );
    let bad = errors(&spec.replace("ignore_requests: false, ", ""));
    assert!(
        bad.contains("`ignore_requests_why` explains `ignore_requests: false`"),
        "{bad}"
    );
    // Without the autoresizer, the requests may still be ignored, and NFS has neither.
    let (text, body) = render(&format!(
        "{BASE}volumes: [{{name: data, storage: proxmox-lvm, mount: /data, autoresize: false, autoresize_why: a fixed dataset, ignore_requests: true}}]\nbackup: {{schedule: \"0 3 * * *\"}}\n"
    ));
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "data"],
    );
    assert_eq!(val(child(pvc, &["metadata"]), "annotations"), None);
    assert!(pvc.body().blocks().any(|b| b.identifier() == "lifecycle"));
    assert!(!text.contains("pvc-ignore-requests"), "{text}");
    let bad = errors(&format!(
        "{BASE}volumes: [{{name: media, storage: nfs, path: /m, mount: /m, ignore_requests: false}}]\n"
    ));
    assert!(
        bad.contains("`ignore_requests` applies to block storage only"),
        "{bad}"
    );
}

#[test]
fn the_autoresizer_grows_by_the_conventions_or_the_specs_steps() {
    let spec = format!(
        "{BASE}volumes: [{{name: data, storage: proxmox-lvm, mount: /data, resize_threshold: 20%, resize_increase: 5Gi}}]\nbackup: {{schedule: \"0 3 * * *\"}}\n"
    );
    let (_, body) = render(&spec);
    let pvc = find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim", "data"],
    );
    assert_eq!(
        val(child(pvc, &["metadata"]), "annotations").unwrap(),
        "{\"resize.topolvm.io/threshold\" = \"20%\", \"resize.topolvm.io/increase\" = \"5Gi\", \"resize.topolvm.io/storage_limit\" = \"5Gi\"}"
    );
    for (bad_spec, message) in [
        (
            spec.replace("20%", "twenty"),
            "invalid autoresizer setting `twenty`",
        ),
        (
            spec.replace("5Gi}", "0%}"),
            "invalid autoresizer setting `0%`",
        ),
        (
            spec.replace(
                "mount: /data,",
                "mount: /data, autoresize: false, autoresize_why: fixed,",
            ),
            "`resize_threshold` sets the autoresizer, which is off",
        ),
        (
            format!(
                "{BASE}volumes: [{{name: m, storage: nfs, path: /m, mount: /m, resize_increase: 5Gi}}]\n"
            ),
            "`resize_increase` applies to block storage only",
        ),
    ] {
        let e = errors(&bad_spec);
        assert!(e.contains(message), "{message}: {e}");
    }
}

#[test]
fn the_namespace_extra_labels_quota_another_name_or_none() {
    let (text, body) = render(&format!(
        "{BASE}namespace:\n  name: apps\n  labels: {{istio-injection: disabled}}\n  quota: {{hard: {{requests.cpu: \"1\", pods: \"10\"}}}}\n"
    ));
    let ns = find(&body, "resource", &["kubernetes_namespace", "apps"]);
    assert_eq!(
        val(child(ns, &["metadata"]), "labels").unwrap(),
        "{tier = local.tiers.aux, \"keel.sh/enrolled\" = \"true\", \"istio-injection\" = \"disabled\", \"resource-governance/custom-quota\" = \"true\"}"
    );
    let quota = find(&body, "resource", &["kubernetes_resource_quota", "apps"]);
    assert_eq!(
        val(child(quota, &["metadata"]), "name").unwrap(),
        "\"apps-quota\""
    );
    assert_eq!(
        val(child(quota, &["spec"]), "hard").unwrap(),
        "{\"requests.cpu\" = \"1\", pods = \"10\"}"
    );
    assert!(
        text.find("kubernetes_namespace").unwrap()
            < text.find("kubernetes_resource_quota").unwrap()
    );

    // No namespace resource: everything names the existing namespace.
    let spec = format!("{BASE}namespace: {{name: default, create: false}}\n").replace(
        "    port: 8080\n",
        "    port: 8080\n    env: [{name: TOKEN, secret: token}]\n",
    );
    let (text, body) = render(&spec);
    assert!(
        !text.contains("resource \"kubernetes_namespace\""),
        "{text}"
    );
    assert_eq!(
        val(
            child(
                find(&body, "resource", &["kubernetes_deployment", "app"]),
                &["metadata"]
            ),
            "namespace"
        )
        .unwrap(),
        "\"default\""
    );
    let es = find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
    assert_eq!(val(es, "depends_on"), None, "nothing to depend on");
    let bad = errors(&format!(
        "{BASE}namespace: {{create: false, labels: {{a: b}}}}\n"
    ));
    assert!(
        bad.contains("the stack creates no namespace (`create: false`)"),
        "{bad}"
    );
    assert!(bad.contains("missing required field `name`"), "{bad}");
}

#[test]
fn a_namespace_of_the_v1_resource_type_is_named_by_every_reference() {
    let spec = format!(
        "{BASE}namespace: {{resource_type: kubernetes_namespace_v1}}\nvolumes: [{{name: data, storage: proxmox-lvm, size: 1Gi, mount: /data}}]\nbackup: {{schedule: \"30 1 * * *\"}}\ningress: {{auth: required}}\n"
    )
    .replace(
        "    port: 8080\n",
        "    port: 8080\n    env: [{name: TOKEN, secret: token}]\n",
    );
    let (text, body) = render(&spec);
    let ns = find(&body, "resource", &["kubernetes_namespace_v1", "app"]);
    assert_eq!(val(child(ns, &["metadata"]), "name").unwrap(), "\"app\"");
    assert!(
        !text.contains("kubernetes_namespace.") && !text.contains("\"kubernetes_namespace\""),
        "only the declared type is named: {text}"
    );
    let by_ref = "kubernetes_namespace_v1.app.metadata[0].name";
    let deployment = find(&body, "resource", &["kubernetes_deployment", "app"]);
    assert_eq!(
        val(child(deployment, &["metadata"]), "namespace").unwrap(),
        by_ref
    );
    assert_eq!(arg_of(&body, "tls_secret", "namespace").unwrap(), by_ref);
    let es = find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
    assert_eq!(
        val(es, "depends_on").unwrap(),
        "[kubernetes_namespace_v1.app]"
    );

    let bad = errors(&format!(
        "{BASE}namespace: {{resource_type: kubernetes_namespace_v2}}\n"
    ));
    assert!(
        bad.contains("`kubernetes_namespace_v2` is not a resource type of this object"),
        "{bad}"
    );
    assert!(bad.contains("`kubernetes_namespace_v1`"), "{bad}");
    let bad = errors(&format!(
        "{BASE}namespace: {{name: default, create: false, resource_type: kubernetes_namespace_v1}}\n"
    ));
    assert!(
        bad.contains("the stack creates no namespace (`create: false`)"),
        "{bad}"
    );
}

#[test]
fn the_tls_module_can_be_left_out_with_a_reason() {
    let (text, body) = render(&format!(
        "{BASE}tls: {{enabled: false, why: Kyverno's sync-tls-secret policy clones the wildcard secret}}\ningress: {{}}\n"
    ));
    assert!(
        !body
            .blocks()
            .any(|b| b.labels().iter().any(|l| l.as_str() == "tls_secret"))
    );
    assert!(
        text.contains("# No setup_tls_secret module: Kyverno's sync-tls-secret policy clones the wildcard secret\n# https://app.viktorbarzin.me\nmodule \"ingress\""),
        "{text}"
    );
    let bad = errors(&format!(
        "{BASE}tls: {{enabled: false}}\ningress: {{}}\nraw: {{tls_secret: \"x = 1\"}}\n"
    ));
    assert!(
        bad.contains("an ingress without the TLS module relies on Kyverno"),
        "{bad}"
    );
    assert!(
        bad.contains("there is no TLS module to attach raw HCL to"),
        "{bad}"
    );
}

#[test]
fn service_accounts_with_their_bindings() {
    let (text, body) = render(&format!(
        "{BASE}service_accounts:
  - {{name: app-runner, role: edit}}
  - name: app-reader
    rules:
      - {{api_groups: [\"\"], resources: [pods, pods/log], verbs: [get, list]}}
  - name: app-cleaner
    scope: cluster
    rules:
      - {{api_groups: [batch], resources: [jobs], resource_names: [nightly], verbs: [delete]}}
      - {{non_resource_urls: [/version], verbs: [get]}}
  - name: app-plain
"
    ));
    let binding = find(
        &body,
        "resource",
        &["kubernetes_role_binding", "app_runner_edit"],
    );
    assert_eq!(
        val(child(binding, &["metadata"]), "name").unwrap(),
        "\"app-runner-edit\""
    );
    assert_eq!(
        attrs(child(binding, &["role_ref"])),
        [
            pair("api_group", "\"rbac.authorization.k8s.io\""),
            pair("kind", "\"ClusterRole\""),
            pair("name", "\"edit\""),
        ]
    );
    assert_eq!(
        attrs(child(binding, &["subject"])),
        [
            pair("kind", "\"ServiceAccount\""),
            pair(
                "name",
                "kubernetes_service_account.app_runner.metadata[0].name"
            ),
            pair("namespace", "kubernetes_namespace.app.metadata[0].name"),
        ]
    );
    let role = find(&body, "resource", &["kubernetes_role", "app_reader"]);
    assert_eq!(
        attrs(child(role, &["rule"])),
        [
            pair("api_groups", "[\"\"]"),
            pair("resources", "[\"pods\", \"pods/log\"]"),
            pair("verbs", "[\"get\", \"list\"]"),
        ]
    );
    assert_eq!(
        val(
            child(
                find(
                    &body,
                    "resource",
                    &["kubernetes_role_binding", "app_reader"]
                ),
                &["role_ref"]
            ),
            "name"
        )
        .unwrap(),
        "kubernetes_role.app_reader.metadata[0].name"
    );
    let cluster_role = find(
        &body,
        "resource",
        &["kubernetes_cluster_role", "app_cleaner"],
    );
    assert_eq!(val(child(cluster_role, &["metadata"]), "namespace"), None);
    // A rule of URLs that are no resource: no API groups, no resources.
    let url_rule = cluster_role
        .body()
        .blocks()
        .filter(|b| b.identifier() == "rule")
        .nth(1)
        .expect("a second rule");
    assert_eq!(
        attrs(url_rule),
        [
            pair("non_resource_urls", "[\"/version\"]"),
            pair("verbs", "[\"get\"]"),
        ]
    );
    let cluster_binding = find(
        &body,
        "resource",
        &["kubernetes_cluster_role_binding", "app_cleaner"],
    );
    assert_eq!(
        val(child(cluster_binding, &["role_ref"]), "kind").unwrap(),
        "\"ClusterRole\""
    );
    find(
        &body,
        "resource",
        &["kubernetes_service_account", "app_plain"],
    );
    assert_eq!(
        text.matches("resource \"kubernetes_service_account\"")
            .count(),
        4
    );
    let bad = errors(&format!(
        "{BASE}service_accounts:\n  - {{role: edit, rules: [{{verbs: [get]}}]}}\n  - {{name: b, scope: cluster}}\n"
    ));
    for needle in [
        "a service account is bound to an existing ClusterRole (`role`) or to a role of its own (`rules`), not both",
        "missing required field `resources`",
        "`scope` describes the account's binding, and it has none",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
    // A rule of URLs is a ClusterRole's, and its URLs are paths.
    let bad = errors(&format!(
        "{BASE}service_accounts:\n  - name: app-x\n    rules:\n      - {{non_resource_urls: [version], verbs: [get]}}\n"
    ));
    assert!(
        bad.contains("rules[0].non_resource_urls") && bad.contains("scope: cluster"),
        "{bad}"
    );
    assert!(
        bad.contains("rules[0].non_resource_urls[0]") && bad.contains("`/version`"),
        "{bad}"
    );
}

#[test]
fn a_service_account_with_further_bindings() {
    // Stack-patterns v2 section 7: accounts of apps that call the API get a Role and
    // binding, or the cluster-scoped pair; a kubectl job that reads the cluster and
    // writes in its namespace has both.
    let (text, body) = render(&format!(
        "{BASE}service_accounts:
  - name: app-watch
    scope: cluster
    rules:
      - {{api_groups: [\"\"], resources: [nodes], verbs: [get, list]}}
    bindings:
      - rules: [{{api_groups: [\"\"], resources: [configmaps], verbs: [get, patch]}}]
        role_name: app-watch-annotate
        role_address: annotate
        binding_name: app-watch-annotate
      - {{role: view}}
"
    ));
    let cluster_binding = find(
        &body,
        "resource",
        &["kubernetes_cluster_role_binding", "app_watch"],
    );
    assert_eq!(
        val(child(cluster_binding, &["role_ref"]), "name").unwrap(),
        "kubernetes_cluster_role.app_watch.metadata[0].name"
    );
    let role = find(&body, "resource", &["kubernetes_role", "annotate"]);
    assert_eq!(
        val(child(role, &["metadata"]), "name").unwrap(),
        "\"app-watch-annotate\""
    );
    assert_eq!(
        val(child(role, &["metadata"]), "namespace").unwrap(),
        "kubernetes_namespace.app.metadata[0].name"
    );
    let binding = find(
        &body,
        "resource",
        &["kubernetes_role_binding", "app_watch_annotate"],
    );
    assert_eq!(
        val(child(binding, &["role_ref"]), "name").unwrap(),
        "kubernetes_role.annotate.metadata[0].name"
    );
    assert_eq!(
        val(child(binding, &["subject"]), "name").unwrap(),
        "kubernetes_service_account.app_watch.metadata[0].name"
    );
    let view = find(
        &body,
        "resource",
        &["kubernetes_role_binding", "app_watch_view"],
    );
    assert_eq!(val(child(view, &["role_ref"]), "name").unwrap(), "\"view\"");
    assert_eq!(
        text.matches("resource \"kubernetes_service_account\"")
            .count(),
        1
    );
    // A binding binds to something, and two roles of one account need two addresses.
    let bad = errors(&format!(
        "{BASE}service_accounts:\n  - name: app-x\n    rules: [{{resources: [pods], verbs: [get]}}]\n    bindings:\n      - {{scope: cluster}}\n      - rules: [{{resources: [secrets], verbs: [get]}}]\n"
    ));
    for needle in [
        "service_accounts[0].bindings[0].role",
        "`role` (an existing ClusterRole) or `rules` (a role of its own)",
        "the stack would declare `kubernetes_role.app_x` twice",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn terragrunt_dependencies_inputs_and_include_only() {
    let files = render_all(&format!(
        "{BASE}dependencies: [platform, vault, external-secrets]\ninputs: {{image_tag: latest, replicas: 2, features: [a, b]}}\n"
    ));
    let tg = &files.iter().find(|(n, _)| n == "terragrunt.hcl").unwrap().1;
    let body = hcl::parse(tg).unwrap();
    let deps: Vec<String> = body
        .blocks()
        .filter(|b| b.identifier() == "dependency")
        .map(|b| {
            format!(
                "{} {}",
                b.labels()[0].as_str(),
                val(b, "config_path").unwrap()
            )
        })
        .collect();
    assert_eq!(
        deps,
        [
            "platform \"../platform\"",
            "vault \"../vault\"",
            "external-secrets \"../external-secrets\""
        ]
    );
    assert!(
        tg.ends_with("inputs = {\n  image_tag = \"latest\"\n  replicas  = 2\n  features  = [\"a\", \"b\"]\n}\n"),
        "{tg}"
    );
    let files = render_all(&format!("{BASE}dependencies: []\n"));
    let tg = &files.iter().find(|(n, _)| n == "terragrunt.hcl").unwrap().1;
    assert!(
        tg.ends_with("\ninclude \"root\" {\n  path = find_in_parent_folders()\n}\n"),
        "{tg}"
    );
    let bad = errors(&format!(
        "{BASE}dependency: infra\ndependencies: [vault, vault]\ninputs: {{tag: {{var: x}}, \"a-b\": 1}}\n"
    ));
    for needle in [
        "`dependency` and `dependencies` both set the Terragrunt dependencies",
        "`vault` is listed twice",
        "a reference cannot be used here",
        "invalid input `a-b`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn raw_hcl_cannot_repeat_what_the_objects_around_the_pod_generate() {
    let spec = format!(
        "{BASE}services:\n  - name: app-lb\n    type: LoadBalancer\n    ports: [{{port: 53}}]\n    raw: |\n      lifecycle {{}}\nconfig_maps:\n  - data: {{a: b}}\n    raw: |\n      data = {{}}\ninputs: {{image_tag: latest}}\nraw:\n  terragrunt: |\n    inputs = {{}}\n"
    );
    let bad = match dlgen::generate::render_text(
        &Renderer::new().unwrap(),
        "specs/app.yaml",
        &spec,
        "specs/app.yaml",
    ) {
        Ok(_) => panic!("the collisions must be refused"),
        Err(e) => e.to_string(),
    };
    for needle in [
        "`lifecycle` is generated by dlgen here (in `kubernetes_service.app_lb`)",
        "MetalLB's `ignore_changes` comes with `load_balancer`",
        "`data` is generated by dlgen here (in `kubernetes_config_map.app_config`)",
        "set the config map's `data` instead",
        "`inputs` is generated by dlgen here (in `terragrunt.hcl`)",
        "set the spec's `inputs` instead",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

// --- pods ----------------------------------------------------------------------------
// Containers, the pod, the Deployment and the jobs (v2 sections 3–5): each test renders a
// spec and reads the HCL back.

fn blocks<'a>(block: &'a Block, name: &str) -> Vec<&'a Block> {
    block
        .body()
        .blocks()
        .filter(|b| b.identifier() == name)
        .collect()
}

fn deployment(body: &Body) -> &Block {
    find(body, "resource", &["kubernetes_deployment", "app"])
}

fn pod(body: &Body) -> &Block {
    child(deployment(body), &["spec", "template", "spec"])
}

fn containers(body: &Body) -> Vec<&Block> {
    blocks(pod(body), "container")
}

fn ignores(body: &Body) -> Vec<String> {
    let lc = child(deployment(body), &["lifecycle"]);
    let list = attr(lc, "ignore_changes").unwrap();
    let inner = list
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .unwrap_or(&list);
    inner.split(", ").map(str::to_owned).collect()
}

#[test]
fn containers_and_init_containers_with_the_app_named_explicitly() {
    let spec = "\
name: app
deployment:
  app_container: web
init_containers:
  - name: migrate
    image: ghcr.io/owner/app:1.0
    command: [alembic, upgrade, head]
  - name: fix-perms
    image: busybox:1.37
containers:
  - name: exporter
    image: nginx/nginx-prometheus-exporter:1.1
    args: [-nginx.scrape-uri, \"http://127.0.0.1:8080/nginx_status\"]
  - name: web
    image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
volumes:
  - {name: cache, empty_dir: {}, mount: /cache}
";
    let (_, body) = render(spec);
    let inits = blocks(pod(&body), "init_container");
    let names: Vec<_> = inits.iter().map(|c| attr(c, "name").unwrap()).collect();
    assert_eq!(names, ["\"migrate\"", "\"fix-perms\""]);
    let cs = containers(&body);
    assert_eq!(attr(cs[0], "name").unwrap(), "\"exporter\"");
    assert_eq!(attr(cs[0], "resources"), None);
    // The app's volume mount and the Service's target port follow the app, not the first.
    assert!(blocks(cs[0], "volume_mount").is_empty());
    assert_eq!(blocks(cs[1], "volume_mount").len(), 1);
    let svc = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(
        attr(child(svc, &["spec", "port"]), "target_port").unwrap(),
        "\"8080\""
    );
    // The app needs resources; every container after the first a name; the app a name
    // that exists.
    let e = errors(
        &spec
            .replace("    resources: {cpu: 10m, memory: 64Mi}\n", "")
            .replace("app_container: web", "app_container: wbe"),
    );
    assert!(e.contains("`wbe` is not a container of this pod"), "{e}");
    let e = errors(&spec.replace("  - name: web\n    image", "  - image"));
    assert!(e.contains("containers[1].name"), "{e}");
    let e = errors(&spec.replace("  - name: fix-perms\n", "  - "));
    assert!(e.contains("init_containers[1].name"), "{e}");
}

#[test]
fn the_stacks_own_image_is_a_tag_variable_and_a_local() {
    let spec = "\
name: app
image:
  repository: ghcr.io/viktorbarzin/app
init_containers:
  - name: migrate
    command: [python, -m, app, migrate]
containers:
  - port: 8080
    resources: {cpu: 10m, memory: 64Mi}
";
    let (text, body) = render(spec);
    let var = find(&body, "variable", &["image_tag"]);
    assert_eq!(attr(var, "default").unwrap(), "\"latest\"");
    assert_eq!(
        attr(var, "description").unwrap(),
        "\"app image tag. Use 8-char git SHA in CI; :latest only for local trials.\""
    );
    assert!(
        text.find("variable \"image_tag\"").unwrap()
            < text.find("variable \"tls_secret_name\"").unwrap()
    );
    let locals = body.blocks().find(|b| b.identifier() == "locals").unwrap();
    assert_eq!(
        attr(locals, "image").unwrap(),
        "\"ghcr.io/viktorbarzin/app:${var.image_tag}\""
    );
    assert_eq!(attr(containers(&body)[0], "image").unwrap(), "local.image");
    assert_eq!(
        attr(blocks(pod(&body), "init_container")[0], "image").unwrap(),
        "local.image"
    );
    let (_, body) = render(&spec.replace(
        "  repository: ghcr.io/viktorbarzin/app\n",
        "  repository: ghcr.io/viktorbarzin/app\n  tag: 1a2b3c4d\n  description: CI sets it\n",
    ));
    let var = find(&body, "variable", &["image_tag"]);
    assert_eq!(attr(var, "default").unwrap(), "\"1a2b3c4d\"");
    assert_eq!(attr(var, "description").unwrap(), "\"CI sets it\"");
    let e = errors(&spec.replace("viktorbarzin/app\n", "viktorbarzin/app:latest\n"));
    assert!(e.contains("carries a tag or digest"), "{e}");
    // Another tag variable, declared without a description.
    let (text, body) = render(&spec.replace(
        "  repository: ghcr.io/viktorbarzin/app\n",
        "  repository: ghcr.io/viktorbarzin/app\n  variable: tag\n  description: ''\n",
    ));
    assert!(!text.contains("variable \"image_tag\""), "{text}");
    let var = find(&body, "variable", &["tag"]);
    assert_eq!(attr(var, "default").unwrap(), "\"latest\"");
    assert_eq!(attr(var, "description"), None);
    let locals = body.blocks().find(|b| b.identifier() == "locals").unwrap();
    assert_eq!(
        attr(locals, "image").unwrap(),
        "\"ghcr.io/viktorbarzin/app:${var.tag}\""
    );
    for (bad, why) in [
        ("9tag", "is not a Terraform variable name"),
        (
            "tls_secret_name",
            "is not a Terraform variable name of its own",
        ),
    ] {
        let e = errors(&spec.replace(
            "  repository: ghcr.io/viktorbarzin/app\n",
            &format!("  repository: ghcr.io/viktorbarzin/app\n  variable: {bad}\n"),
        ));
        assert!(
            e.contains(why) && e.contains("image.variable"),
            "{bad}: {e}"
        );
    }
    // The variable is the image's: `variables:` cannot declare it again.
    let e = errors(&format!(
        "{}variables:\n  tag: {{default: x}}\n",
        spec.replace(
            "  repository: ghcr.io/viktorbarzin/app\n",
            "  repository: ghcr.io/viktorbarzin/app\n  variable: tag\n",
        )
    ));
    assert!(e.contains("is declared by the stack's conventions"), "{e}");
}

#[test]
fn container_settings_as_written() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    port: 8080
    image_pull_policy: IfNotPresent
    working_dir: /srv
    stdin: true
    tty: true
    command:
      - /bin/sh
      - -c
      - |
        echo start
        exec /app
",
    );
    let (text, body) = render(&spec);
    let c = container(&body);
    assert_eq!(attr(c, "image_pull_policy").unwrap(), "\"IfNotPresent\"");
    assert_eq!(attr(c, "working_dir").unwrap(), "\"/srv\"");
    assert_eq!(attr(c, "stdin").unwrap(), "true");
    assert_eq!(attr(c, "tty").unwrap(), "true");
    assert!(
        text.contains("command = [\"/bin/sh\", \"-c\", <<-EOT\n"),
        "a script stays a heredoc:\n{text}"
    );
    assert!(
        attr(c, "command")
            .unwrap()
            .contains("echo start\nexec /app"),
        "{text}"
    );
    let e = errors(&spec.replace("IfNotPresent", "Sometimes"));
    assert!(e.contains("IfNotPresent"), "{e}");
}

#[test]
fn ports_as_written() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    ports:\n      - {port: 8080, name: http}\n      - {port: 9113, name: metrics, protocol: TCP}\n      - {port: 53, protocol: UDP}\n",
    );
    let (_, body) = render(&spec);
    let ports = blocks(container(&body), "port");
    let shown: Vec<_> = ports
        .iter()
        .map(|p| {
            (
                attr(p, "name"),
                attr(p, "container_port").unwrap(),
                attr(p, "protocol"),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Some("\"http\"".to_owned()), "8080".to_owned(), None),
            (
                Some("\"metrics\"".to_owned()),
                "9113".to_owned(),
                Some("\"TCP\"".to_owned())
            ),
            (None, "53".to_owned(), Some("\"UDP\"".to_owned())),
        ]
    );
    // The Service targets the app's first port.
    let svc = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(
        attr(child(svc, &["spec", "port"]), "target_port").unwrap(),
        "\"8080\""
    );
    let e = errors(&spec.replace("    ports:\n", "    port: 80\n    ports:\n"));
    assert!(e.contains("both `port` and `ports`"), "{e}");
}

#[test]
fn env_from_any_secret_field_refs_and_optional_keys() {
    let spec = format!(
        "{BASE}    env:
      - {{name: TOKEN, secret: token}}
      - {{name: DB_PASSWORD, secret: password, secret_name: app-db-creds, optional: true}}
      - {{name: POD_NAMESPACE, field_ref: metadata.namespace}}
"
    );
    let (_, body) = render(&spec);
    let env = blocks(container(&body), "env");
    let token = child(env[0], &["value_from", "secret_key_ref"]);
    assert_eq!(attr(token, "name").unwrap(), "\"app-secrets\"");
    let db = child(env[1], &["value_from", "secret_key_ref"]);
    assert_eq!(attr(db, "name").unwrap(), "\"app-db-creds\"");
    assert_eq!(attr(db, "optional").unwrap(), "true");
    let ns = child(env[2], &["value_from", "field_ref"]);
    assert_eq!(attr(ns, "field_path").unwrap(), "\"metadata.namespace\"");
    // Only the stack's own secret brings its ExternalSecret (and the Deployment's
    // depends_on on it).
    assert_eq!(
        attr(deployment(&body), "depends_on").unwrap(),
        "[kubernetes_manifest.external_secret]"
    );
    let (_, body) = render(&spec.replace("      - {name: TOKEN, secret: token}\n", ""));
    assert!(
        !body
            .blocks()
            .any(|b| b.labels().iter().any(|l| l.as_str() == "external_secret"))
    );
    assert_eq!(attr(deployment(&body), "depends_on"), None);
    let e = errors(&spec.replace(
        "field_ref: metadata.namespace}",
        "field_ref: metadata.namespace, value: x}",
    ));
    assert!(
        e.contains("more than one of `value`, `secret` and `field_ref`"),
        "{e}"
    );
    let e = errors(&spec.replace(
        "{name: TOKEN, secret: token}",
        "{name: TOKEN, value: t, optional: true}",
    ));
    assert!(e.contains("`optional` applies to a `secret` value"), "{e}");
}

#[test]
fn env_from_secrets_and_config_maps() {
    let spec = format!(
        "{BASE}    env_from:
      - {{secret: app-secrets}}
      - {{secret: app-db-creds, optional: true}}
      - {{config_map: app-config}}
"
    );
    let (_, body) = render(&spec);
    let from = blocks(container(&body), "env_from");
    assert_eq!(
        attr(child(from[0], &["secret_ref"]), "name").unwrap(),
        "\"app-secrets\""
    );
    assert_eq!(
        attr(child(from[1], &["secret_ref"]), "optional").unwrap(),
        "true"
    );
    assert_eq!(
        attr(child(from[2], &["config_map_ref"]), "name").unwrap(),
        "\"app-config\""
    );
    // Reading the stack's own secret whole brings its ExternalSecret.
    find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
    let e = errors(&format!(
        "{BASE}    env_from:\n      - {{secret: a, config_map: b}}\n"
    ));
    assert!(
        e.contains("exactly one of `secret` and `config_map`"),
        "{e}"
    );
}

#[test]
fn mounts_with_sub_paths_into_any_container() {
    let spec = "\
name: app
containers:
  - image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
    mounts:
      - {volume: data, path: /conf, sub_path: conf}
      - {volume: data, path: /uploads/thumb, sub_path: thumbs}
  - name: sidecar
    image: curlimages/curl:8.10.1
    mounts:
      - {volume: shared, path: /shared}
volumes:
  - {name: shared, empty_dir: {medium: Memory}, mount: /shared, read_only: true}
  - {name: config, config_map: {name: app-config}, mount: /etc/app/app.conf, sub_path: app.conf}
  - {name: data, storage: proxmox-lvm, size: 1Gi}
backup: {schedule: \"0 3 * * *\"}
";
    let (_, body) = render(spec);
    let cs = containers(&body);
    let mounts: Vec<_> = blocks(cs[0], "volume_mount")
        .iter()
        .map(|m| {
            (
                attr(m, "name").unwrap(),
                attr(m, "mount_path").unwrap(),
                attr(m, "sub_path"),
                attr(m, "read_only"),
            )
        })
        .collect();
    let s = |v: &str| format!("\"{v}\"");
    assert_eq!(
        mounts,
        [
            (s("shared"), s("/shared"), None, Some("true".to_owned())),
            (
                s("config"),
                s("/etc/app/app.conf"),
                Some(s("app.conf")),
                None
            ),
            (s("data"), s("/conf"), Some(s("conf")), None),
            (s("data"), s("/uploads/thumb"), Some(s("thumbs")), None),
        ],
        "the volumes' mounts first, then the container's own"
    );
    let side = blocks(cs[1], "volume_mount");
    assert_eq!(attr(side[0], "mount_path").unwrap(), "\"/shared\"");
    assert_eq!(attr(side[0], "read_only"), None);
    let e = errors(&spec.replace(
        "{volume: shared, path: /shared}",
        "{volume: shard, path: /shared}",
    ));
    assert!(e.contains("`shard` is not a volume of this pod"), "{e}");
    assert!(e.contains("did you mean `shared`?"), "{e}");
    let e = errors(&spec.replace("path: /uploads/thumb", "path: /conf"));
    assert!(e.contains("mount path `/conf` is used twice"), "{e}");
}

#[test]
fn probes_over_http_tcp_or_a_command_with_every_timing() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    ports: [{port: 8080, name: http}, {port: 9090, name: metrics}]
    liveness_probe: {tcp: true, period_seconds: 30, success_threshold: 1}
    readiness_probe: {path: /ready, port: metrics, initial_delay_seconds: 5, timeout_seconds: 2, failure_threshold: 3}
    startup_probe: {exec: [redis-cli, PING], period_seconds: 5, failure_threshold: 30}
",
    );
    let (_, body) = render(&spec);
    let c = container(&body);
    let live = child(c, &["liveness_probe"]);
    assert_eq!(attr(child(live, &["tcp_socket"]), "port").unwrap(), "8080");
    assert_eq!(attr(live, "success_threshold").unwrap(), "1");
    let ready = child(c, &["readiness_probe"]);
    assert_eq!(
        attr(child(ready, &["http_get"]), "port").unwrap(),
        "\"metrics\""
    );
    assert_eq!(attr(ready, "timeout_seconds").unwrap(), "2");
    let startup = child(c, &["startup_probe"]);
    assert_eq!(
        attr(child(startup, &["exec"]), "command").unwrap(),
        "[\"redis-cli\", \"PING\"]"
    );
    let e = errors(&spec.replace("port: metrics", "port: metric"));
    assert!(
        e.contains("the container has no port named `metric`"),
        "{e}"
    );
    let e = errors(&spec.replace("{tcp: true,", "{tcp: true, path: /x,"));
    assert!(e.contains("a probe is one of"), "{e}");
}

#[test]
fn resources_with_limits_above_the_request_cpu_limits_and_extended_resources() {
    let spec = BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    resources:
      cpu: 10m
      memory: 256Mi
      memory_limit: 768Mi
      requests: {ephemeral-storage: 1Gi}
      limits: {ephemeral-storage: 2Gi}
",
    );
    let (_, body) = render(&spec);
    let r = child(container(&body), &["resources"]);
    assert_eq!(
        attr(r, "requests").unwrap(),
        "{ cpu = \"10m\", memory = \"256Mi\", \"ephemeral-storage\" = \"1Gi\" }"
    );
    assert_eq!(
        attr(r, "limits").unwrap(),
        "{ memory = \"768Mi\", \"ephemeral-storage\" = \"2Gi\" }"
    );
    // Outside the Burstable tiers a limit above the request needs a reason, which becomes
    // a suppression of the lint rule.
    let gpu = format!("tier: gpu\n{spec}");
    let e = errors(&gpu);
    assert!(e.contains("add `memory_limit_why:`"), "{e}");
    let (text, _) = render(&gpu.replace(
        "      memory_limit: 768Mi\n",
        "      memory_limit: 768Mi\n      memory_limit_why: the model load peaks\n",
    ));
    assert!(text.contains("# dlgen:allow memory-request-limit app: the model load peaks\nresource \"kubernetes_deployment\""), "{text}");
    // A request alone; a CPU limit with its reason.
    let (text, body) = render(&BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    resources: {cpu: 10m, memory: 64Mi, memory_limit: null, cpu_limit: \"4\", cpu_limit_why: the warm worker pool}\n",
    ));
    let r = child(container(&body), &["resources"]);
    assert_eq!(attr(r, "limits").unwrap(), "{ cpu = \"4\" }");
    assert!(text.contains("# dlgen:allow cpu-limit app: the warm worker pool"));
    let e = errors(&BASE.replace("memory: 64Mi}", "memory: 64Mi, cpu_limit: \"1\"}"));
    assert!(e.contains("a CPU limit needs a written reason"), "{e}");
    let e = errors(&BASE.replace("memory: 64Mi}", "memory: 64Mi, memory_limit: 32Mi}"));
    assert!(e.contains("the memory limit is below the request"), "{e}");
}

#[test]
fn an_app_container_says_its_resources_in_the_spec_or_in_its_raw_hcl() {
    // Raw HCL holding a `resources` block says them (an older provider's nested blocks,
    // kept as written); raw HCL without one does not, nor does nothing at all.
    let raw = BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    raw: |\n      resources {\n        requests {\n          cpu = \"10m\"\n        }\n      }\n",
    );
    let (_, body) = render(&raw);
    let r = child(container(&body), &["resources"]);
    assert_eq!(
        attr(child(r, &["requests"]), "cpu").as_deref(),
        Some("\"10m\"")
    );
    let other = raw.replace("      resources {", "      lifecycle {");
    let e = errors(&other);
    assert!(
        e.contains("or a `resources` block in the container's `raw`"),
        "{e}"
    );
    let none = BASE.replace("    resources: {cpu: 10m, memory: 64Mi}\n", "");
    let e = errors(&none);
    assert!(e.contains("explicit resources"), "{e}");
    // Both at once is the same block twice.
    let both = raw.replace(
        "    raw: |",
        "    resources: {cpu: 10m, memory: 64Mi}\n    raw: |",
    );
    let stack = dlgen::generate::resolve("specs/app.yaml", &both).expect("resolves");
    let e = Renderer::new()
        .unwrap()
        .render(&stack, "specs/app.yaml")
        .expect_err("one block twice");
    assert!(e.to_string().contains("resources"), "{e}");
}

#[test]
fn an_app_container_without_resources_says_why() {
    // None at all: the reason is written above the container's name, and no `resources`
    // block; a reason beside resources the container sets is an error.
    let none = BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    resources_why: LimitRange defaults suffice\n",
    );
    let (text, body) = render(&none);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let at = lines
        .iter()
        .position(|l| *l == "# LimitRange defaults suffice")
        .unwrap_or_else(|| panic!("no reason written:\n{text}"));
    assert_eq!(lines[at - 1], "container {", "{text}");
    assert!(lines[at + 1].starts_with("name "), "{text}");
    assert!(
        container(&body)
            .body()
            .blocks()
            .all(|b| b.identifier() != "resources"),
        "{text}"
    );
    let both = BASE.replace(
        "    resources: {cpu: 10m, memory: 64Mi}\n",
        "    resources: {cpu: 10m, memory: 64Mi}\n    resources_why: LimitRange defaults suffice\n",
    );
    let e = errors(&both);
    assert!(e.contains("remove `resources_why`"), "{e}");
    let e = errors(&BASE.replace("    resources: {cpu: 10m, memory: 64Mi}\n", ""));
    assert!(e.contains("or `resources_why:`"), "{e}");
}

#[test]
fn container_security_context_and_lifecycle_hooks() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    port: 8080
    security_context:
      run_as_user: 65532
      run_as_group: 65532
      run_as_non_root: true
      allow_privilege_escalation: false
      read_only_root_filesystem: true
      capabilities: {add: [NET_ADMIN], drop: [ALL]}
      seccomp_profile: RuntimeDefault
    lifecycle:
      post_start: [/bin/sh, -c, echo up]
      pre_stop: [/bin/sh, -c, sleep 5]
",
    );
    let (_, body) = render(&spec);
    let sc = child(container(&body), &["security_context"]);
    assert_eq!(attr(sc, "run_as_user").unwrap(), "65532");
    assert_eq!(attr(sc, "allow_privilege_escalation").unwrap(), "false");
    assert_eq!(attr(sc, "read_only_root_filesystem").unwrap(), "true");
    let caps = child(sc, &["capabilities"]);
    assert_eq!(attr(caps, "add").unwrap(), "[\"NET_ADMIN\"]");
    assert_eq!(attr(caps, "drop").unwrap(), "[\"ALL\"]");
    assert_eq!(
        attr(child(sc, &["seccomp_profile"]), "type").unwrap(),
        "\"RuntimeDefault\""
    );
    let e = errors(&spec.replace(
        "seccomp_profile: RuntimeDefault",
        "seccomp_profile: Default",
    ));
    assert!(e.contains("seccomp_profile"), "{e}");
    let hooks = child(container(&body), &["lifecycle"]);
    assert_eq!(
        attr(child(hooks, &["post_start", "exec"]), "command").unwrap(),
        "[\"/bin/sh\", \"-c\", \"echo up\"]"
    );
    assert_eq!(
        attr(child(hooks, &["pre_stop", "exec"]), "command").unwrap(),
        "[\"/bin/sh\", \"-c\", \"sleep 5\"]"
    );
    let e = errors(&spec.replace("[NET_ADMIN]", "[net_admin]"));
    assert!(e.contains("is not a Linux capability"), "{e}");
}

#[test]
fn pod_volumes_of_every_source() {
    let spec = format!(
        "{BASE}volumes:
  - name: scripts
    config_map: {{name: app-scripts, default_mode: \"0755\"}}
    mount: /scripts
  - name: certs
    secret: {{name: app-tls, default_mode: \"0400\", optional: true, items: [{{key: tls.crt, path: cert.pem}}]}}
    mount: /certs
  - name: dshm
    empty_dir: {{medium: Memory, size_limit: 1Gi}}
    mount: /dev/shm
  - name: tmp
    empty_dir: {{}}
  - name: kvm
    host_path: {{path: /dev/kvm, type: CharDevice}}
  - name: legacy
    claim: app-legacy-data
"
    );
    let (_, body) = render(&spec);
    let vols = blocks(pod(&body), "volume");
    let cm = child(vols[0], &["config_map"]);
    assert_eq!(attr(cm, "name").unwrap(), "\"app-scripts\"");
    assert_eq!(attr(cm, "default_mode").unwrap(), "\"0755\"");
    let secret = child(vols[1], &["secret"]);
    assert_eq!(attr(secret, "secret_name").unwrap(), "\"app-tls\"");
    assert_eq!(attr(secret, "optional").unwrap(), "true");
    assert_eq!(
        attr(child(secret, &["items"]), "path").unwrap(),
        "\"cert.pem\""
    );
    let ed = child(vols[2], &["empty_dir"]);
    assert_eq!(attr(ed, "medium").unwrap(), "\"Memory\"");
    assert_eq!(attr(ed, "size_limit").unwrap(), "\"1Gi\"");
    assert_eq!(child(vols[3], &["empty_dir"]).body().iter().count(), 0);
    let hp = child(vols[4], &["host_path"]);
    assert_eq!(attr(hp, "type").unwrap(), "\"CharDevice\"");
    assert_eq!(
        attr(child(vols[5], &["persistent_volume_claim"]), "claim_name").unwrap(),
        "\"app-legacy-data\""
    );
    let e = errors(&spec.replace("default_mode: \"0755\"", "default_mode: \"0999\""));
    assert!(e.contains("is not a file mode"), "{e}");
    let e = errors(&spec.replace(
        "  - name: tmp\n    empty_dir: {}\n",
        "  - name: tmp\n    empty_dir: {}\n    claim: x\n",
    ));
    assert!(e.contains("a volume has one source"), "{e}");
    let e = errors(&spec.replace("    claim: app-legacy-data\n", "    size: 1Gi\n"));
    assert!(e.contains("the volume's source"), "{e}");
}

#[test]
fn names_become_references_to_the_objects_of_the_stack_that_carry_them() {
    let spec = format!(
        "{BASE}    env:
      - {{name: A, secret: key, secret_name: app-extra}}
deployment:
  service_account_name: app-runner
volumes:
  - {{name: data, storage: proxmox-lvm-encrypted, size: 1Gi}}
  - {{name: media, storage: nfs}}
backup: {{enabled: false, why: test}}
jobs:
  - name: reindex
    schedule: \"0 4 * * *\"
    containers:
      - image: ghcr.io/owner/app:1.0
    volumes:
      - {{name: data, claim: app-data-encrypted, mount: /data}}
      - {{name: media, claim: app-media, mount: /media}}
      - {{name: other, claim: elsewhere}}
raw:
  stack: |
    resource \"kubernetes_service_account\" \"runner\" {{
      metadata {{
        name      = \"app-runner\"
        namespace = kubernetes_namespace.app.metadata[0].name
      }}
    }}
"
    );
    let (_, body) = render(&spec);
    // A raw block's name is not read: the service account stays a name.
    assert_eq!(
        attr(pod(&body), "service_account_name").unwrap(),
        "\"app-runner\""
    );
    let job = find(&body, "resource", &["kubernetes_cron_job_v1", "reindex"]);
    let vols = blocks(
        child(job, &["spec", "job_template", "spec", "template", "spec"]),
        "volume",
    );
    let claim = |v: &Block| attr(child(v, &["persistent_volume_claim"]), "claim_name").unwrap();
    assert_eq!(
        claim(vols[0]),
        "kubernetes_persistent_volume_claim.data.metadata[0].name"
    );
    assert_eq!(claim(vols[1]), "module.nfs_media.claim_name");
    assert_eq!(claim(vols[2]), "\"elsewhere\"");
}

#[test]
fn config_maps_and_service_accounts_of_the_spec_are_referred_to_by_the_pods() {
    // Objects declared by `config_maps` and `service_accounts` are objects of the stack
    // like the volumes' claims: a pod that names them refers to them, so Terraform
    // creates them before the pod. One in another namespace stays a name.
    let spec = format!(
        "{BASE}    env_from: [{{config_map: app-env}}]
deployment:
  service_account_name: app-runner
service_accounts:
  - name: app-runner
    role: view
config_maps:
  - {{name: app-config, address: config, data: {{a: b}}}}
  - {{name: app-env, data: {{A: b}}}}
  - {{name: app-dashboards, namespace: monitoring, data: {{a: b}}}}
volumes:
  - {{name: config, config_map: {{name: app-config}}, mount: /config}}
  - {{name: dashboards, config_map: {{name: app-dashboards}}, mount: /dashboards}}
"
    );
    let (_, body) = render(&spec);
    let p = pod(&body);
    assert_eq!(
        attr(p, "service_account_name").unwrap(),
        "kubernetes_service_account.app_runner.metadata[0].name"
    );
    let vols = blocks(p, "volume");
    let name = |v: &Block| attr(child(v, &["config_map"]), "name").unwrap();
    assert_eq!(
        name(vols[0]),
        "kubernetes_config_map.config.metadata[0].name"
    );
    assert_eq!(name(vols[1]), "\"app-dashboards\"");
    let container = blocks(p, "container")[0];
    assert_eq!(
        attr(child(container, &["env_from", "config_map_ref"]), "name").unwrap(),
        "kubernetes_config_map.app_env.metadata[0].name"
    );
}

#[test]
fn pod_security_context_pull_secrets_and_service_account() {
    let spec = format!(
        "{BASE}deployment:
  service_account_name: app
  automount_service_account_token: false
  enable_service_links: false
  image_pull_secrets: [registry-credentials, ghcr-credentials]
  security_context:
    run_as_user: 1000
    run_as_group: 1000
    run_as_non_root: true
    fs_group: 1000
    fs_group_change_policy: OnRootMismatch
    seccomp_profile: RuntimeDefault
    sysctls: {{net.ipv4.ip_forward: \"1\"}}
"
    );
    let (_, body) = render(&spec);
    let p = pod(&body);
    assert_eq!(attr(p, "service_account_name").unwrap(), "\"app\"");
    assert_eq!(attr(p, "automount_service_account_token").unwrap(), "false");
    assert_eq!(attr(p, "enable_service_links").unwrap(), "false");
    let pulls: Vec<_> = blocks(p, "image_pull_secrets")
        .iter()
        .map(|b| attr(b, "name").unwrap())
        .collect();
    assert_eq!(pulls, ["\"registry-credentials\"", "\"ghcr-credentials\""]);
    let sc = child(p, &["security_context"]);
    assert_eq!(attr(sc, "fs_group").unwrap(), "1000");
    assert_eq!(
        attr(sc, "fs_group_change_policy").unwrap(),
        "\"OnRootMismatch\""
    );
    assert_eq!(
        attr(child(sc, &["seccomp_profile"]), "type").unwrap(),
        "\"RuntimeDefault\""
    );
    let sysctl = child(sc, &["sysctl"]);
    assert_eq!(attr(sysctl, "name").unwrap(), "\"net.ipv4.ip_forward\"");
    assert_eq!(attr(sysctl, "value").unwrap(), "\"1\"");
}

#[test]
fn scheduling_node_selector_tolerations_affinities_and_spread() {
    let spec = format!(
        "{BASE}deployment:
  priority_class_name: tier-1-cluster
  node_selector: {{kubernetes.io/arch: amd64}}
  tolerations:
    - {{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, toleration_seconds: 300}}
  anti_affinity: required
  node_affinity:
    required: [{{key: kubernetes.io/hostname, operator: In, values: [k8s-node3]}}]
    preferred:
      - weight: 50
        expressions: [{{key: disk, operator: Exists}}]
  topology_spread: [{{max_skew: 1}}]
"
    );
    let (_, body) = render(&spec);
    let p = pod(&body);
    assert_eq!(
        attr(p, "priority_class_name").unwrap(),
        "\"tier-1-cluster\""
    );
    assert_eq!(
        attr(p, "node_selector").unwrap(),
        "{ \"kubernetes.io/arch\" = \"amd64\" }"
    );
    let t = child(p, &["toleration"]);
    assert_eq!(attr(t, "operator").unwrap(), "\"Exists\"");
    assert_eq!(attr(t, "toleration_seconds").unwrap(), "300");
    assert_eq!(attr(t, "value"), None);
    let anti = child(
        p,
        &[
            "affinity",
            "pod_anti_affinity",
            "required_during_scheduling_ignored_during_execution",
        ],
    );
    assert_eq!(
        attr(anti, "topology_key").unwrap(),
        "\"kubernetes.io/hostname\""
    );
    assert_eq!(
        attr(child(anti, &["label_selector"]), "match_labels").unwrap(),
        "{ app = \"app\" }"
    );
    let required = child(
        p,
        &[
            "affinity",
            "node_affinity",
            "required_during_scheduling_ignored_during_execution",
            "node_selector_term",
            "match_expressions",
        ],
    );
    assert_eq!(attr(required, "values").unwrap(), "[\"k8s-node3\"]");
    let preferred = child(
        p,
        &[
            "affinity",
            "node_affinity",
            "preferred_during_scheduling_ignored_during_execution",
        ],
    );
    assert_eq!(attr(preferred, "weight").unwrap(), "50");
    assert_eq!(
        attr(
            child(preferred, &["preference", "match_expressions"]),
            "values"
        ),
        None
    );
    let spread = child(p, &["topology_spread_constraint"]);
    assert_eq!(
        attr(spread, "when_unsatisfiable").unwrap(),
        "\"DoNotSchedule\""
    );
    assert_eq!(
        attr(spread, "topology_key").unwrap(),
        "\"kubernetes.io/hostname\""
    );
    let (_, body) =
        render(&spec.replace("anti_affinity: required", "anti_affinity: {preferred: 100}"));
    let pref = child(
        pod(&body),
        &[
            "affinity",
            "pod_anti_affinity",
            "preferred_during_scheduling_ignored_during_execution",
        ],
    );
    assert_eq!(attr(pref, "weight").unwrap(), "100");
    child(pref, &["pod_affinity_term", "label_selector"]);
    let e = errors(&spec.replace("values: [k8s-node3]", "values: []"));
    assert!(e.contains("this operator needs `values`"), "{e}");
    let e = errors(&spec.replace("weight: 50", "weight: 500"));
    assert!(e.contains("weight 500 is out of range"), "{e}");
}

#[test]
fn dns_policy_and_config_and_the_grace_period() {
    let spec = format!(
        "{BASE}deployment:
  dns_policy: None
  dns_nameservers: [127.0.0.1]
  dns_searches: [svc.cluster.local]
  dns_options: {{ndots: \"2\"}}
  termination_grace_period_seconds: 600
"
    );
    let (_, body) = render(&spec);
    let p = pod(&body);
    assert_eq!(attr(p, "dns_policy").unwrap(), "\"None\"");
    assert_eq!(attr(p, "termination_grace_period_seconds").unwrap(), "600");
    let dns = child(p, &["dns_config"]);
    assert_eq!(attr(dns, "nameservers").unwrap(), "[\"127.0.0.1\"]");
    assert_eq!(attr(dns, "searches").unwrap(), "[\"svc.cluster.local\"]");
    assert_eq!(attr(child(dns, &["option"]), "name").unwrap(), "\"ndots\"");
}

#[test]
fn the_gpu_preset_schedules_on_the_gpu_node_with_gpu_limits() {
    let spec = format!(
        "{BASE}deployment:
  gpu: {{memory_mib: 6144}}
  priority_class_name: gpu-workload
"
    )
    .replace(
        "memory: 64Mi}",
        "memory: 64Mi, memory_limit: 128Mi, memory_limit_why: model load}",
    );
    let (_, body) = render(&spec);
    let p = pod(&body);
    assert_eq!(
        attr(p, "node_selector").unwrap(),
        "{ \"nvidia.com/gpu.present\" = \"true\" }"
    );
    let t = child(p, &["toleration"]);
    assert_eq!(attr(t, "key").unwrap(), "\"nvidia.com/gpu\"");
    assert_eq!(attr(t, "operator").unwrap(), "\"Equal\"");
    assert_eq!(attr(t, "value").unwrap(), "\"true\"");
    assert_eq!(attr(t, "effect").unwrap(), "\"NoSchedule\"");
    assert_eq!(
        attr(child(container(&body), &["resources"]), "limits").unwrap(),
        "{ memory = \"128Mi\", \"nvidia.com/gpu\" = \"1\", \"viktorbarzin.me/gpumem\" = \"6144\" }"
    );
    // The tier follows the preset, unless the spec names one.
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert!(
        attr(child(ns, &["metadata"]), "labels")
            .unwrap()
            .contains("local.tiers.gpu")
    );
    let (_, body) =
        render(&format!("tier: edge\n{spec}").replace(", memory_limit_why: model load", ""));
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert!(
        attr(child(ns, &["metadata"]), "labels")
            .unwrap()
            .contains("local.tiers.edge")
    );
    let e = errors(&spec.replace(
        "priority_class_name: gpu-workload",
        "node_selector: {nvidia.com/gpu.present: \"false\"}",
    ));
    assert!(e.contains("is set by the GPU preset"), "{e}");
}

#[test]
fn replicas_rollout_and_history_settings() {
    let spec = format!(
        "{BASE}deployment:
  replicas: 0
  replicas_why: Disabled - upstream crash-loops on start.
  wait_for_rollout: false
  revision_history_limit: 3
  progress_deadline_seconds: 900
"
    );
    let (text, body) = render(&spec);
    let d = deployment(&body);
    assert_eq!(attr(d, "wait_for_rollout").unwrap(), "false");
    let s = child(d, &["spec"]);
    assert_eq!(attr(s, "replicas").unwrap(), "0");
    assert_eq!(attr(s, "revision_history_limit").unwrap(), "3");
    assert_eq!(attr(s, "progress_deadline_seconds").unwrap(), "900");
    assert!(text.contains("    # Disabled - upstream crash-loops on start.\n    replicas "));
    let e = errors(&spec.replace(
        "  replicas_why: Disabled - upstream crash-loops on start.\n",
        "",
    ));
    assert!(
        e.contains("`replicas: 0` parks the app and needs a written reason"),
        "{e}"
    );
    // The default, restated, renders the same.
    let (restated, _) = render(&format!("{BASE}deployment:\n  replicas: 1\n"));
    assert_eq!(restated, render(BASE).0);
    // `null`: a Deployment that does not say its replicas (stack-patterns v2 section 3.3).
    let (text, body) = render(&format!("{BASE}deployment:\n  replicas: null\n"));
    assert_eq!(attr(child(deployment(&body), &["spec"]), "replicas"), None);
    assert!(!text.contains("replicas ="), "{text}");
}

#[test]
fn strategies_recreate_rolling_update_and_none() {
    let strategy = |body: &Body| child(deployment(body), &["spec", "strategy"]).clone();
    let (_, body) = render(&format!("{BASE}strategy: RollingUpdate\n"));
    let s = strategy(&body);
    assert_eq!(attr(&s, "type").unwrap(), "\"RollingUpdate\"");
    assert!(blocks(&s, "rolling_update").is_empty());
    let (_, body) = render(&format!(
        "{BASE}strategy: RollingUpdate\nrolling_update: {{max_surge: 1, max_unavailable: 0}}\n"
    ));
    let ru = child(&strategy(&body), &["rolling_update"]).clone();
    assert_eq!(attr(&ru, "max_surge").unwrap(), "1");
    assert_eq!(attr(&ru, "max_unavailable").unwrap(), "0");
    let (_, body) = render(&format!(
        "{BASE}strategy: RollingUpdate\nrolling_update: {{max_surge: \"25%\"}}\n"
    ));
    assert_eq!(
        attr(child(&strategy(&body), &["rolling_update"]), "max_surge").unwrap(),
        "\"25%\""
    );
    let (text, _) = render(&format!("{BASE}strategy: none\n"));
    assert!(!text.contains("strategy {"));
    let (restated, _) = render(&format!("{BASE}strategy: none\n"));
    assert_eq!(
        restated,
        render(BASE).0,
        "no block is the default without block storage"
    );
    let e = errors(&format!("{BASE}rolling_update: {{max_surge: 1}}\n"));
    assert!(e.contains("add `strategy: RollingUpdate`"), "{e}");
    // `none` with the limits: a block of the limits alone, no `type` (stack-patterns v2
    // section 3.3: wireguard, xray write string limits without a type).
    let (_, body) = render(&format!(
        "{BASE}strategy: none\nrolling_update: {{max_surge: \"2\", max_unavailable: \"0\"}}\n"
    ));
    let s = strategy(&body);
    assert_eq!(attr(&s, "type"), None);
    let ru = child(&s, &["rolling_update"]).clone();
    assert_eq!(attr(&ru, "max_surge").unwrap(), "\"2\"");
    assert_eq!(attr(&ru, "max_unavailable").unwrap(), "\"0\"");
    // With block storage a rolling update needs a reason, which silences the rule.
    let block = format!(
        "{BASE}volumes:\n  - {{name: data, storage: proxmox-lvm, mount: /data}}\nbackup: {{schedule: \"0 3 * * *\"}}\nstrategy: none\n"
    );
    let e = errors(&block);
    assert!(e.contains("must use `Recreate`"), "{e}");
    let (text, _) = render(&format!(
        "{block}strategy_why: the volume is read-only for the app\n"
    ));
    assert!(text.contains("# dlgen:allow rwo-recreate the volume is read-only for the app\nresource \"kubernetes_deployment\""), "{text}");
}

#[test]
fn labels_keyed_run_without_tier_and_extra_labels() {
    let spec = format!(
        "{BASE}deployment:
  name: website
  label_key: run
  tier_label: false
  cluster_service_label: false
  labels: {{service-identity: website}}
  pod_labels: {{version: v2}}
"
    );
    let (_, body) = render(&spec);
    let d = deployment(&body);
    let meta = child(d, &["metadata"]);
    assert_eq!(attr(meta, "name").unwrap(), "\"website\"");
    assert_eq!(
        attr(meta, "labels").unwrap(),
        "{ run = \"website\", \"service-identity\" = \"website\" }"
    );
    assert_eq!(
        attr(child(d, &["spec", "selector"]), "match_labels").unwrap(),
        "{ run = \"website\" }"
    );
    assert_eq!(
        attr(child(d, &["spec", "template", "metadata"]), "labels").unwrap(),
        "{ run = \"website\", version = \"v2\" }"
    );
    // The app container is named after the Deployment; the Service selects its pods.
    assert_eq!(attr(container(&body), "name").unwrap(), "\"website\"");
    let svc = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(
        attr(child(svc, &["spec"]), "selector").unwrap(),
        "{ run = \"website\" }"
    );
    let e = errors(&spec.replace("{service-identity: website}", "{run: other}"));
    assert!(e.contains("`run` is written by dlgen already"), "{e}");
}

#[test]
fn the_deployment_tier_label_can_name_another_tier_than_the_namespace() {
    // Many of the repo's Deployments name `aux` whatever their namespace's tier.
    let spec = format!("tier: edge\n{BASE}deployment:\n  tier: aux\n");
    let (_, body) = render(&spec);
    let d = find(&body, "resource", &["kubernetes_deployment", "app"]);
    assert_eq!(
        attr(child(d, &["metadata"]), "labels").unwrap(),
        "{ app = \"app\", \"kubernetes.io/cluster-service\" = \"true\", tier = local.tiers.aux }"
    );
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert!(
        attr(child(ns, &["metadata"]), "labels")
            .unwrap()
            .contains("tier = local.tiers.edge"),
    );
    // The stack's tier is the default: restating it renders the same stack.
    assert_eq!(
        render(&format!("tier: edge\n{BASE}deployment:\n  tier: edge\n")).0,
        render(&format!("tier: edge\n{BASE}")).0
    );
    // The namespace's tier decides the memory rule, not the label's.
    let e = errors(
        &format!("tier: core\n{BASE}deployment:\n  tier: aux\n")
            .replace("memory: 64Mi}", "memory: 64Mi, memory_limit: 128Mi}"),
    );
    assert!(e.contains("and the tier is `core`"), "{e}");
    let e = errors(&format!(
        "{BASE}deployment:\n  tier: aux\n  tier_label: false\n"
    ));
    assert!(e.contains("`tier_label: false` leaves out"), "{e}");
}

#[test]
fn annotation_presets_for_reloader_diun_kyverno_waits_and_prometheus() {
    let spec = format!(
        "{BASE}deployment:
  reloader: search
  diun: {{include_tags: '^\\d+\\.\\d+\\.\\d+$'}}
  wait_for: [postgresql.dbaas:5432, redis-master.redis:6379]
  prometheus: {{port: 9113, path: /metrics}}
  pod_annotations: {{descheduler.alpha.kubernetes.io/evict: \"false\"}}
"
    );
    let (_, body) = render(&spec);
    let d = deployment(&body);
    assert_eq!(
        attr(child(d, &["metadata"]), "annotations").unwrap(),
        "{ \"reloader.stakater.com/search\" = \"true\" }"
    );
    assert_eq!(
        attr(child(d, &["spec", "template", "metadata"]), "annotations").unwrap(),
        "{ \"diun.enable\" = \"true\", \"diun.include_tags\" = \"^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$\", \"dependency.kyverno.io/wait-for\" = \"postgresql.dbaas:5432,redis-master.redis:6379\", \"prometheus.io/scrape\" = \"true\", \"prometheus.io/port\" = \"9113\", \"prometheus.io/path\" = \"/metrics\", \"descheduler.alpha.kubernetes.io/evict\" = \"false\" }"
    );
    let e = errors(&spec.replace("redis-master.redis:6379", "redis-master.redis"));
    assert!(
        e.contains("invalid service address `redis-master.redis`"),
        "{e}"
    );
    let e = errors(&spec.replace(
        "  reloader: search\n",
        "  reloader: search\n  annotations: {reloader.stakater.com/search: \"true\"}\n",
    ));
    assert!(e.contains("is written by dlgen already"), "{e}");
}

#[test]
fn annotations_take_value_forms_on_the_deployment_its_pods_and_a_jobs_pods() {
    // diun's tag pattern built from the stack's tag variable (`"^${var.tag}$"`), a
    // reference to the namespace, a variable: each written as the expression it is, the
    // variable declared; `${` in a literal stays text.
    let spec = format!(
        "{BASE}deployment:
  annotations: {{example.com/owner: {{var: owner}}, example.com/raw: \"a ${{b}}\"}}
  pod_annotations:
    diun.enable: \"true\"
    diun.include_tags: {{template: [\"^\", {{var: tag}}, \"$\"]}}
    example.com/ns: {{ref: \"kubernetes_namespace.app.metadata[0].name\"}}
jobs:
  - name: sweep
    schedule: \"@daily\"
    pod_annotations: {{example.com/owner: {{var: owner}}}}
    containers: [{{image: alpine:3.20}}]
"
    );
    let (text, body) = render(&spec);
    let d = deployment(&body);
    assert_eq!(
        attr(child(d, &["metadata"]), "annotations").unwrap(),
        "{ \"example.com/owner\" = var.owner, \"example.com/raw\" = \"a $${b}\" }"
    );
    assert_eq!(
        attr(child(d, &["spec", "template", "metadata"]), "annotations").unwrap(),
        "{ \"diun.enable\" = \"true\", \"diun.include_tags\" = \"^${var.tag}$\", \"example.com/ns\" = kubernetes_namespace.app.metadata[0].name }"
    );
    let job = find(&body, "resource", &["kubernetes_cron_job_v1", "sweep"]);
    assert_eq!(
        attr(
            child(
                job,
                &["spec", "job_template", "spec", "template", "metadata"]
            ),
            "annotations"
        )
        .unwrap(),
        "{ \"example.com/owner\" = var.owner }"
    );
    for var in ["owner", "tag"] {
        assert!(
            text.contains(&format!("variable \"{var}\" {{")),
            "{var} is not declared:\n{text}"
        );
    }
    // A reference is checked against the stack's objects, a key as an annotation key.
    let e = errors(&spec.replace("kubernetes_namespace.app.", "kubernetes_namespace.ap."));
    assert!(
        e.contains("deployment.pod_annotations.\"example.com/ns\""),
        "{e}"
    );
    let e = errors(&spec.replace("example.com/owner: {var", "bad key!: {var"));
    assert!(e.contains("bad key!"), "{e}");
}

#[test]
fn annotations_of_services_config_maps_secrets_and_manifests_take_value_forms() {
    let spec = format!(
        "{BASE}service:
  annotations: {{prometheus.io/port: 9090, example.com/host: {{var: public_host}}}}
config_maps:
  - name: app-config
    annotations: {{example.com/owner: {{template: [\"team-\", {{var: team}}]}}}}
    data: {{app.conf: x}}
kubernetes_secrets:
  - name: app-env
    annotations: {{example.com/source: {{hcl: \"upper(var.team)\"}}}}
    data: {{DB_HOST: {{var: postgresql_host}}}}
manifests:
  - api_version: traefik.io/v1alpha1
    kind: Middleware
    name: app-headers
    annotations: {{example.com/ns: {{ref: \"kubernetes_namespace.app.metadata[0].name\"}}}}
    spec: {{headers: {{customRequestHeaders: {{X-A: b}}}}}}
"
    );
    let (_, body) = render(&spec);
    let svc = find(&body, "resource", &["kubernetes_service", "app"]);
    assert_eq!(
        val(child(svc, &["metadata"]), "annotations").unwrap(),
        "{\"prometheus.io/port\" = \"9090\", \"example.com/host\" = var.public_host}"
    );
    let cm = find(&body, "resource", &["kubernetes_config_map", "app_config"]);
    assert_eq!(
        val(child(cm, &["metadata"]), "annotations").unwrap(),
        "{\"example.com/owner\" = \"team-${var.team}\"}"
    );
    let secret = find(&body, "resource", &["kubernetes_secret", "app_env"]);
    assert_eq!(
        val(child(secret, &["metadata"]), "annotations").unwrap(),
        "{\"example.com/source\" = upper(var.team)}"
    );
    let m = find(&body, "resource", &["kubernetes_manifest", "app_headers"]);
    assert!(
        val(m, "manifest").unwrap().contains(
            "annotations = {\"example.com/ns\" = kubernetes_namespace.app.metadata[0].name}"
        ),
        "{:?}",
        val(m, "manifest")
    );
    // Checked as any value: a reference names an object of the stack.
    let e = errors(&spec.replace("kubernetes_namespace.app.", "kubernetes_namespace.other."));
    assert!(
        e.contains("manifests[0].annotations.\"example.com/ns\".ref"),
        "{e}"
    );
}

#[test]
fn a_raw_hcl_value_is_one_checked_expression() {
    // `{hcl: ...}` says a value no other form does: written as it is, its variables
    // declared, the objects it names checked against the stack's (a local of `raw.stack`
    // counts).
    let spec = format!(
        "{BASE}    env:
      - {{name: MODE, value: {{hcl: 'var.mode == \"x\" ? \"1\" : \"0\"'}}}}
      - {{name: PORTS, value: {{hcl: 'join(\",\", [for p in local.ports : tostring(p)])'}}}}
deployment:
  pod_annotations:
    checksum/config: {{hcl: \"sha256(local.config)\"}}
raw:
  stack: |
    locals {{
      config = \"a = 1\"
      ports  = [80, 443]
    }}
"
    );
    let (text, body) = render(&spec);
    let env = blocks(container(&body), "env");
    assert_eq!(
        attr(env[0], "value").unwrap(),
        "var.mode == \"x\" ? \"1\" : \"0\""
    );
    assert_eq!(
        attr(env[1], "value").unwrap(),
        "join(\",\", [for p in local.ports : tostring(p)])"
    );
    assert_eq!(
        attr(
            child(deployment(&body), &["spec", "template", "metadata"]),
            "annotations"
        )
        .unwrap(),
        "{ \"checksum/config\" = sha256(local.config) }"
    );
    assert!(
        text.contains("variable \"mode\" { type = string }"),
        "{text}"
    );

    // What it may not do, each said at the value.
    for (expr, message) in [
        (
            "upper(local.nope)",
            "`local.nope` is not an object of this stack",
        ),
        ("each.key", "names `each.`"),
        ("foo", "names `foo` alone"),
        ("upper(", "does not parse as one HCL expression"),
        ("var.Bad", "invalid variable name `Bad`"),
        (
            "sha1(var.tls_secret_name)",
            "`tls_secret_name` is sensitive",
        ),
    ] {
        let e = errors(&spec.replace("sha256(local.config)", expr));
        assert!(
            e.contains(message) && e.contains("deployment.pod_annotations.checksum/config.hcl"),
            "{expr}: {e}"
        );
    }
    // One line only: a heredoc or a second block cannot ride along.
    let e = errors(&spec.replace(
        "{hcl: \"sha256(local.config)\"}",
        "{hcl: \"local.config\\n}\\nresource \\\"x\\\" \\\"y\\\" {\"}",
    ));
    assert!(e.contains("is not one expression on one line"), "{e}");
}

#[test]
fn keel_annotations_owned_or_seeded_per_key() {
    let (_, body) = render(&format!(
        "{BASE}keel_owns: {{policy: force}}\nkeel_seeds: {{trigger: poll, pollSchedule: \"@every 5m\"}}\n"
    ));
    let d = deployment(&body);
    assert_eq!(
        attr(child(d, &["metadata"]), "annotations").unwrap(),
        "{ \"keel.sh/policy\" = \"force\", \"keel.sh/trigger\" = \"poll\", \"keel.sh/pollSchedule\" = \"@every 5m\" }"
    );
    let list = ignores(&body);
    assert!(
        !list.iter().any(|i| i.contains("keel.sh/policy")),
        "{list:?}"
    );
    assert!(
        list.iter().any(|i| i.contains("keel.sh/trigger")),
        "{list:?}"
    );
    assert!(
        list.iter().any(|i| i.contains("keel.sh/pollSchedule")),
        "{list:?}"
    );
    // Said once, in the words of the spec.
    let e = errors(&format!(
        "{BASE}keel_owns: {{policy: force}}\nkeel_seeds: {{policy: minor}}\n"
    ));
    assert!(
        e.contains("the Keel annotation `policy` is set twice"),
        "{e}"
    );
    let e = errors(&format!("{BASE}keel_seeds: {{pollschedule: \"@daily\"}}\n"));
    assert!(e.contains("did you mean `pollSchedule`?"), "{e}");
    let e = errors(&format!(
        "{BASE}deployment:\n  annotations: {{keel.sh/trigger: poll}}\n"
    ));
    assert!(
        e.contains("say whether the stack owns it or only seeds it"),
        "{e}"
    );
    let e = errors(&format!("{BASE}keel_owns: {{trigger: pull}}\n"));
    assert!(e.contains("unknown Keel trigger `pull`"), "{e}");
    // The opt-out policy is owned, and the namespace can stay unenrolled.
    let (text, body) = render(&format!(
        "{BASE}keel_owns: {{policy: never}}\nnamespace:\n  keel_enrolled: false\n"
    ));
    assert!(!text.contains("keel.sh/enrolled"));
    assert!(!ignores(&body).iter().any(|i| i.contains("keel.sh/policy")));
}

#[test]
fn every_container_keel_updates_has_its_image_ignored() {
    let spec = "\
name: app
init_containers:
  - {name: migrate, image: ghcr.io/owner/app:1.0}
containers:
  - image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
  - {name: sidecar, image: curlimages/curl:8.10.1}
  - {name: exporter, image: nginx/nginx-prometheus-exporter:1.1, keel: false, keel_why: pinned with the nginx version}
";
    let (text, body) = render(spec);
    let list = ignores(&body);
    assert!(list.contains(&"spec[0].template[0].spec[0].container[0].image".to_owned()));
    assert!(list.contains(&"spec[0].template[0].spec[0].container[1].image".to_owned()));
    assert!(!list.contains(&"spec[0].template[0].spec[0].container[2].image".to_owned()));
    assert!(list.contains(&"spec[0].template[0].spec[0].init_container[0].image".to_owned()));
    // Every image entry carries the marker, so lint's `keel-image-marker` has nothing to
    // say about what dlgen writes (terraform fmt aligns the comments).
    for entry in [
        "container[0].image,",
        "container[1].image,",
        "init_container[0].image,",
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(entry))
            .unwrap_or_else(|| panic!("{entry} is ignored:\n{text}"));
        assert!(
            line.ends_with("# KEEL_IGNORE_IMAGE — Keel manages tag updates"),
            "{line}"
        );
    }
    assert!(text.contains("# dlgen:allow keel-ignores pinned with the nginx version\nresource \"kubernetes_deployment\""));
    let e = errors(&spec.replace(", keel_why: pinned with the nginx version", ""));
    assert!(e.contains("needs a written reason"), "{e}");
}

#[test]
fn ignore_changes_entries_added_and_dropped_with_reasons() {
    let spec = format!(
        "{BASE}deployment:
  ignore_changes:
    add:
      - {{path: 'metadata[0].labels[\"tier\"]', why: stamped by Kyverno sync-tier-label-from-namespace}}
    drop:
      - 'metadata[0].annotations[\"keel.sh/match-tag\"]'
      - 'metadata[0].annotations[\"kubernetes.io/change-cause\"]'
    drop_why: the older list, adopted as it stands
"
    );
    let (text, body) = render(&spec);
    let list = ignores(&body);
    assert!(
        list.contains(&"metadata[0].labels[\"tier\"]".to_owned()),
        "{list:?}"
    );
    assert!(
        !list
            .iter()
            .any(|i| i.contains("match-tag") || i.contains("change-cause"))
    );
    assert!(text.lines().any(
        |l| l.trim_start().starts_with("metadata[0].labels[\"tier\"],")
            && l.ends_with("# stamped by Kyverno sync-tier-label-from-namespace")
    ));
    assert!(text.contains("    # the older list, adopted as it stands\n    ignore_changes = ["));
    // Dropping the Kyverno entry is a suppression of its rule.
    let (text, _) = render(&format!(
        "{BASE}deployment:\n  dns_options: {{ndots: \"2\"}}\n  ignore_changes:\n    drop: [\"spec[0].template[0].spec[0].dns_config\"]\n    drop_why: the pod sets ndots itself\n"
    ));
    assert!(text.contains("# dlgen:allow kyverno-dns-config the pod sets ndots itself\nresource \"kubernetes_deployment\""));
    let e = errors(&spec.replace("    drop_why: the older list, adopted as it stands\n", ""));
    assert!(e.contains("needs a written reason"), "{e}");
    let e = errors(&spec.replace("keel.sh/match-tag", "keel.sh/matchtag"));
    assert!(
        e.contains("is not an `ignore_changes` entry of this workload"),
        "{e}"
    );
    let e = errors(&spec.replace("labels[\"tier\"]", "labels[tier] ${x}"));
    assert!(e.contains("is not an attribute path"), "{e}");
    let e = errors(&spec.replace(
        ", why: stamped by Kyverno sync-tier-label-from-namespace",
        "",
    ));
    assert!(e.contains("ignore_changes.add[0].why"), "{e}");
}

#[test]
fn depends_on_follows_the_external_secrets_a_pod_reads_and_can_change() {
    let spec = format!(
        "{BASE}    env:
      - {{name: TOKEN, secret: token}}
jobs:
  - name: db-init
    containers:
      - image: postgres:16-alpine
        command: [sh, -c, \"psql -c 'select 1'\"]
deployment:
  depends_on:
    add: [kubernetes_job.db_init]
"
    );
    let (_, body) = render(&spec);
    assert_eq!(
        attr(deployment(&body), "depends_on").unwrap(),
        "[kubernetes_manifest.external_secret, kubernetes_job.db_init]"
    );
    let (text, body) = render(&spec.replace(
        "    add: [kubernetes_job.db_init]\n",
        "    drop: [kubernetes_manifest.external_secret]\n    drop_why: the key is optional at start\n",
    ));
    assert_eq!(attr(deployment(&body), "depends_on"), None);
    assert!(
        text.contains("# depends_on: the key is optional at start\n}"),
        "{text}"
    );
    let e = errors(&spec.replace("kubernetes_job.db_init]", "kubernetes_job.dbinit]"));
    assert!(e.contains("did you mean `kubernetes_job.db_init`?"), "{e}");
    let e = errors(&spec.replace(
        "    add: [kubernetes_job.db_init]\n",
        "    drop: [kubernetes_manifest.external_secret]\n",
    ));
    assert!(
        e.contains("leaving out a `depends_on` entry needs a written reason"),
        "{e}"
    );
}

#[test]
fn a_jobs_pod_takes_raw_hcl_of_its_own() {
    let spec = format!(
        "{BASE}jobs:\n  - name: sweep\n    schedule: \"@daily\"\n    containers: [{{image: alpine:3.20}}]\n    pod_raw: |\n      share_process_namespace = true\n"
    );
    let (_, body) = render(&spec);
    let job = find(&body, "resource", &["kubernetes_cron_job_v1", "sweep"]);
    let pod = child(job, &["spec", "job_template", "spec", "template", "spec"]);
    assert_eq!(
        attr(pod, "share_process_namespace").as_deref(),
        Some("true")
    );
    // What dlgen writes there is not written twice: refused at the snippet's line.
    let e = render_errors(&spec.replace(
        "share_process_namespace = true",
        "restart_policy = \"Never\"",
    ));
    assert!(
        e.contains("specs/app.yaml:11:7:")
            && e.contains("jobs[0].pod_raw")
            && e.contains("set the job's `restart_policy` instead"),
        "{e}"
    );
    let e = errors(&spec.replace("share_process_namespace = true", "x = {"));
    assert!(e.contains("raw HCL does not parse"), "{e}");
}

#[test]
fn app_cron_jobs_with_every_setting() {
    let spec = format!(
        "{BASE}jobs:
  - name: digest
    comment: The morning digest.
    schedule: \"15 7 * * *\"
    timezone: Europe/London
    concurrency_policy: Replace
    suspend: true
    suspend_why: Paused while the upstream API is down.
    successful_jobs_history_limit: 1
    failed_jobs_history_limit: 5
    starting_deadline_seconds: 600
    backoff_limit: 2
    ttl_seconds_after_finished: 86400
    active_deadline_seconds: 1800
    restart_policy: Never
    labels: {{app: digest}}
    job_labels: {{app: digest}}
    pod_labels: {{app: digest}}
    service_account_name: digest
    image_pull_secrets: [ghcr-credentials]
    pod_affinity: {{preferred: 100}}
    containers:
      - image: docker.io/library/python:3.12-alpine
        command: [python3, /scripts/digest.py]
        resources: {{cpu: 10m, memory: 64Mi}}
    volumes:
      - {{name: scripts, config_map: {{name: digest-scripts, default_mode: \"0755\"}}, mount: /scripts}}
"
    );
    let (text, body) = render(&spec);
    assert!(text.contains("# The morning digest.\nresource \"kubernetes_cron_job_v1\" \"digest\""));
    let job = find(&body, "resource", &["kubernetes_cron_job_v1", "digest"]);
    let s = child(job, &["spec"]);
    for (key, value) in [
        ("schedule", "\"15 7 * * *\""),
        ("timezone", "\"Europe/London\""),
        ("concurrency_policy", "\"Replace\""),
        ("suspend", "true"),
        ("successful_jobs_history_limit", "1"),
        ("failed_jobs_history_limit", "5"),
        ("starting_deadline_seconds", "600"),
    ] {
        assert_eq!(attr(s, key).as_deref(), Some(value), "{key}");
    }
    assert!(text.contains("    # Paused while the upstream API is down.\n    suspend = true\n"));
    let js = child(s, &["job_template", "spec"]);
    assert_eq!(
        attr(child(s, &["job_template", "metadata"]), "labels").unwrap(),
        "{ app = \"digest\" }"
    );
    assert_eq!(attr(js, "backoff_limit").unwrap(), "2");
    assert_eq!(attr(js, "ttl_seconds_after_finished").unwrap(), "86400");
    assert_eq!(attr(js, "active_deadline_seconds").unwrap(), "1800");
    assert_eq!(
        attr(child(js, &["template", "metadata"]), "labels").unwrap(),
        "{ app = \"digest\" }"
    );
    let p = child(js, &["template", "spec"]);
    assert_eq!(attr(p, "restart_policy").unwrap(), "\"Never\"");
    assert_eq!(attr(p, "service_account_name").unwrap(), "\"digest\"");
    let c = child(p, &["container"]);
    assert_eq!(
        attr(c, "name").unwrap(),
        "\"digest\"",
        "named after the job"
    );
    assert_eq!(
        attr(child(c, &["volume_mount"]), "mount_path").unwrap(),
        "\"/scripts\""
    );
    let affinity = child(
        p,
        &[
            "affinity",
            "pod_affinity",
            "preferred_during_scheduling_ignored_during_execution",
        ],
    );
    assert_eq!(attr(affinity, "weight").unwrap(), "100");
    assert_eq!(
        attr(child(job, &["lifecycle"]), "ignore_changes").unwrap(),
        "[spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]"
    );
    // The conventions' defaults, and `null` to leave one out.
    let (_, body) = render(&format!(
        "{BASE}jobs:\n  - schedule: \"@daily\"\n    concurrency_policy: null\n    containers: [{{image: alpine:3.20}}]\n"
    ));
    let job = find(&body, "resource", &["kubernetes_cron_job_v1", "app"]);
    let s = child(job, &["spec"]);
    assert_eq!(attr(s, "concurrency_policy"), None);
    assert_eq!(attr(s, "successful_jobs_history_limit").unwrap(), "3");
    assert_eq!(attr(s, "failed_jobs_history_limit").unwrap(), "3");
    assert_eq!(attr(s, "starting_deadline_seconds"), None);
    let js = child(s, &["job_template", "spec"]);
    assert_eq!(attr(js, "backoff_limit").unwrap(), "1");
    assert_eq!(
        attr(child(js, &["template", "spec"]), "restart_policy").unwrap(),
        "\"OnFailure\""
    );
    let e = errors(&spec.replace(
        "    suspend_why: Paused while the upstream API is down.\n",
        "",
    ));
    assert!(
        e.contains("a suspended CronJob needs a written reason"),
        "{e}"
    );
    let e = errors(&spec.replace(
        "    timezone: Europe/London\n",
        "    timezone: Europe/London\n    wait_for_completion: true\n",
    ));
    assert!(
        e.contains("`wait_for_completion` applies to a one-shot Job"),
        "{e}"
    );
}

#[test]
fn a_cron_job_turned_on_by_a_flag_is_suspended_unless_the_variable() {
    let spec = format!(
        "{BASE}jobs:
  - name: sync
    schedule: \"*/30 * * * *\"
    suspend_unless: sync_enabled
    containers: [{{image: curlimages/curl:8.10.1}}]
  - name: digest
    schedule: \"15 7 * * *\"
    suspend_unless: digest_enabled
    suspend_why: Turned on per environment.
    containers: [{{image: curlimages/curl:8.10.1}}]
variables:
  digest_enabled: {{default: false}}
"
    );
    let (text, body) = render(&spec);
    let job = find(&body, "resource", &["kubernetes_cron_job_v1", "sync"]);
    assert_eq!(
        attr(child(job, &["spec"]), "suspend").as_deref(),
        Some("!var.sync_enabled")
    );
    // A flag without a default is declared a boolean; with one, as `variables:` says.
    assert!(
        text.contains("variable \"sync_enabled\" { type = bool }\n"),
        "{text}"
    );
    assert!(
        text.contains("variable \"digest_enabled\" {\n  type    = bool\n  default = false\n}\n"),
        "{text}"
    );
    assert!(
        text.contains("    # Turned on per environment.\n    suspend = !var.digest_enabled\n"),
        "{text}"
    );
    let e = errors(&spec.replace(
        "    suspend_unless: sync_enabled\n",
        "    suspend_unless: sync_enabled\n    suspend: true\n    suspend_why: x\n",
    ));
    assert!(
        e.contains("jobs[0].suspend_unless") && e.contains("both set `suspend`"),
        "{e}"
    );
    let e = errors(&spec.replace("suspend_unless: sync_enabled", "suspend_unless: Sync-On"));
    assert!(
        e.contains("jobs[0].suspend_unless") && e.contains("is not a Terraform variable name"),
        "{e}"
    );
    let e = errors(&spec.replace("    schedule: \"*/30 * * * *\"\n", ""));
    assert!(e.contains("`suspend_unless` applies to a CronJob"), "{e}");
}

#[test]
fn a_job_created_only_with_a_flag_is_counted_by_the_variable() {
    let spec = format!(
        "{BASE}jobs:
  - name: report
    schedule: \"0 3 * * *\"
    created_if: reports_enabled
    containers: [{{image: curlimages/curl:8.10.1}}]
  - name: db-init
    created_if: reports_enabled
    containers: [{{image: postgres:16-alpine}}]
"
    );
    let (text, body) = render(&spec);
    for (ty, label) in [
        ("kubernetes_cron_job_v1", "report"),
        ("kubernetes_job", "db_init"),
    ] {
        let job = find(&body, "resource", &[ty, label]);
        assert_eq!(
            attr(job, "count").as_deref(),
            Some("var.reports_enabled ? 1 : 0"),
            "{text}"
        );
    }
    assert!(
        text.contains("variable \"reports_enabled\" { type = bool }\n"),
        "{text}"
    );
    let e = errors(&spec.replace(
        "created_if: reports_enabled\n    containers: [{image: curlimages",
        "created_if: 1st\n    containers: [{image: curlimages",
    ));
    assert!(
        e.contains("jobs[0].created_if") && e.contains("is not a Terraform variable name"),
        "{e}"
    );
}

#[test]
fn the_app_service_of_a_container_without_a_port_says_its_own_port() {
    // The Service's port and target port, when the container declares none.
    let portless = BASE.replace("    port: 8080\n", "");
    let (text, body) = render(&format!(
        "{portless}service: {{port: 80, target_port: 8080}}\n"
    ));
    let svc = find(&body, "resource", &["kubernetes_service", "app"]);
    let port = child(child(svc, &["spec"]), &["port"]);
    assert_eq!(attr(port, "port").as_deref(), Some("\"80\""), "{text}");
    assert_eq!(
        attr(port, "target_port").as_deref(),
        Some("\"8080\""),
        "{text}"
    );
    // Without a target port, Kubernetes targets the port itself: none written.
    let (text, body) = render(&format!(
        "{portless}service: {{port: 8080, target_port: null}}\n"
    ));
    let svc = find(&body, "resource", &["kubernetes_service", "app"]);
    let port = child(child(svc, &["spec"]), &["port"]);
    assert_eq!(attr(port, "target_port"), None, "{text}");
    // Without any port, there is no Service to write, and asking for one says so.
    let (text, _) = render(&portless);
    assert!(!text.contains("kubernetes_service"), "{text}");
    let e = errors(&format!("{portless}service: {{name: app-web}}\n"));
    assert!(
        e.contains("a service needs the app container's `port`")
            && e.contains("`port:` or `ports:`"),
        "{e}"
    );
}

#[test]
fn one_shot_jobs_wait_for_completion_with_timeouts() {
    let spec = format!(
        "{BASE}jobs:
  - name: db-init
    timeouts: {{create: 2m}}
    containers:
      - image: postgres:16-alpine
        command:
          - sh
          - -c
          - |
            psql -h db -U root -d postgres -tc \"SELECT 1\" | grep -q 1
        env:
          - {{name: PGPASSWORD, value: {{vault: {{path: platform, key: dbaas_root_password}}}}}}
"
    );
    let (_, body) = render(&spec);
    let job = find(&body, "resource", &["kubernetes_job", "db_init"]);
    assert_eq!(attr(job, "wait_for_completion").unwrap(), "true");
    assert_eq!(attr(child(job, &["timeouts"]), "create").unwrap(), "\"2m\"");
    let s = child(job, &["spec"]);
    assert_eq!(attr(s, "backoff_limit").unwrap(), "3");
    assert_eq!(
        attr(child(s, &["template", "spec"]), "restart_policy").unwrap(),
        "\"Never\""
    );
    let lc = child(job, &["lifecycle"]);
    assert_eq!(
        attr(lc, "ignore_changes").unwrap(),
        "[spec[0].template[0].spec[0].dns_config]"
    );
    let (_, body) = render(&spec.replace(
        "    timeouts: {create: 2m}\n",
        "    wait_for_completion: null\n    resource_type: kubernetes_job_v1\n",
    ));
    let job = find(&body, "resource", &["kubernetes_job_v1", "db_init"]);
    assert_eq!(attr(job, "wait_for_completion"), None);
    let e = errors(&spec.replace("{create: 2m}", "{create: soon}"));
    assert!(e.contains("is not a duration"), "{e}");
    let e = errors(&spec.replace(
        "    timeouts: {create: 2m}\n",
        "    timeouts: {create: 2m}\n    suspend: true\n",
    ));
    assert!(e.contains("`suspend` applies to a CronJob"), "{e}");
}

#[test]
fn a_stack_of_jobs_only_has_no_deployment_and_no_keel() {
    let spec = "\
name: app
jobs:
  - schedule: \"0 4 * * *\"
    containers: [{image: alpine:3.20, command: [/bin/sh, -c, date]}]
";
    let (text, body) = render(spec);
    assert!(!text.contains("kubernetes_deployment"));
    assert!(!text.contains("kubernetes_service"));
    assert!(!text.contains("keel.sh"));
    find(&body, "resource", &["kubernetes_cron_job_v1", "app"]);
    let e = errors(&format!("{spec}deployment:\n  replicas: 2\n"));
    assert!(
        e.contains("`deployment` applies to the Deployment, and this stack has no `containers`"),
        "{e}"
    );
    let e = errors("name: app\n");
    assert!(e.contains("missing required field `containers`"), "{e}");
}

#[test]
fn a_workload_dlgen_does_not_write_lives_in_raw_hcl_and_the_spec_says_what_is_around_it() {
    // A Helm release (or a StatefulSet, or local modules) is the stack's workload: the spec
    // has no `containers` and no `jobs`, holds it whole in `raw.stack`, and says the
    // namespace, secrets and ingress around it.
    let spec = "\
name: app
secrets: {}
ingress:
  auth: app
  auth_why: the chart's app has its own login
raw:
  stack: |
    resource \"helm_release\" \"app\" {
      namespace  = kubernetes_namespace.app.metadata[0].name
      name       = \"app\"
      repository = \"https://charts.example.org/app\"
      chart      = \"app\"
      version    = \"1.2.0\"
    }
";
    let files = render_all(spec);
    let text = &files.iter().find(|(n, _)| n == "main.tf").unwrap().1;
    let body = hcl::parse(text).unwrap();
    assert!(!text.contains("kubernetes_deployment"), "{text}");
    assert!(!text.contains("resource \"kubernetes_service\""), "{text}");
    // No Deployment for Keel to update: the namespace is not enrolled.
    assert!(!text.contains("keel.sh"), "{text}");
    find(&body, "resource", &["kubernetes_namespace", "app"]);
    find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
    find(&body, "resource", &["helm_release", "app"]);
    // The ingress routes to the chart's Service, named like it (the module's default):
    // no `service_name`, and nothing depends on a Service dlgen does not write.
    let ingress = find(&body, "module", &["ingress"]);
    assert_eq!(attr(ingress, "service_name"), None, "{text}");
    assert!(!text.contains("depends_on = [kubernetes_service"), "{text}");
    // The terragrunt.hcl is the usual one.
    let tg = &files.iter().find(|(n, _)| n == "terragrunt.hcl").unwrap().1;
    assert!(tg.contains("dependency \"platform\""), "{tg}");
    // The repo's rules hold for it.
    let sources: Vec<dlgen::lint::SourceFile> = files
        .iter()
        .filter(|(n, _)| n.ends_with(".tf"))
        .map(|(n, t)| dlgen::lint::SourceFile::new(format!("stacks/app/{n}"), t.clone()))
        .collect();
    let findings = dlgen::lint::lint_files(&sources, &dlgen::lint::LintConfig::all());
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{}",
        findings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Raw HCL without a workload is no workload: the spec still needs one.
    let e = errors("name: app\nraw:\n  stack: |\n    variable \"x\" {}\n");
    assert!(e.contains("missing required field `containers`"), "{e}");
    assert!(e.contains("raw.stack"), "{e}");
    // Deployment settings without a Deployment are refused.
    let e = errors(&format!("{spec}strategy: Recreate\n"));
    assert!(
        e.contains("`strategy` applies to the Deployment, and this stack has no `containers`"),
        "{e}"
    );
}

/// A stack whose pod reads the secrets below by name: an env key and a secret volume.
const SECRETS_BASE: &str = "\
name: app
containers:
  - image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
    env:
      - {name: API_KEY, secret: API_KEY, secret_name: app-env}
volumes:
  - {name: ssh, secret: {name: app-ssh, default_mode: \"0400\"}, mount: /root/.ssh}
service_accounts:
  - name: dashboard
";

#[test]
fn kubernetes_secrets_of_vault_reads_files_tokens_and_a_drift_workaround() {
    let spec = format!(
        "{SECRETS_BASE}kubernetes_secrets:
  - name: app-env
    type: Opaque
    data:
      API_KEY: {{vault: {{path: app, key: api_key}}}}
      DB_HOST: {{var: postgresql_host}}
  - name: dashboard-token
    service_account: dashboard
  - name: app-ssh
    resource_type: kubernetes_secret_v1
    type: generic
    data: {{id_rsa: {{file: id_rsa}}}}
  - name: registry
    type: kubernetes.io/dockerconfigjson
    data:
      .dockerconfigjson: {{jsonencode: {{auths: {{ghcr.io: {{username: owner, password: {{vault: {{path: viktor, key: ghcr_pull_token}}}}}}}}}}}}
  - name: htpasswd
    comment: Basic auth of the recorder.
    data: {{htpasswd: {{vault: {{path: app, key: htpasswd}}}}}}
    ignore_changes: [data]
    ignore_changes_why: the app rewrites it on login. Reviewed 2026-01-01.
"
    );
    let (text, body) = render(&spec);
    let env = find(&body, "resource", &["kubernetes_secret", "app_env"]);
    assert_eq!(val(env, "type").unwrap(), "\"Opaque\"");
    assert_eq!(
        val(env, "data").unwrap(),
        "{API_KEY = data.vault_kv_secret_v2.secrets.data[\"api_key\"], DB_HOST = var.postgresql_host}"
    );
    let token = find(&body, "resource", &["kubernetes_secret", "dashboard_token"]);
    assert_eq!(
        val(child(token, &["metadata"]), "annotations").unwrap(),
        "{\"kubernetes.io/service-account.name\" = kubernetes_service_account.dashboard.metadata[0].name}"
    );
    assert_eq!(
        val(token, "type").unwrap(),
        "\"kubernetes.io/service-account-token\""
    );
    assert_eq!(
        val(token, "wait_for_service_account_token").unwrap(),
        "true"
    );
    assert!(val(token, "data").is_none());
    let ssh = find(&body, "resource", &["kubernetes_secret_v1", "app_ssh"]);
    assert_eq!(val(ssh, "type").unwrap(), "\"generic\"");
    assert_eq!(
        val(ssh, "data").unwrap(),
        "{id_rsa = file(\"${path.module}/id_rsa\")}"
    );
    let registry = find(&body, "resource", &["kubernetes_secret", "registry"]);
    assert_eq!(
        val(registry, "data").unwrap(),
        "{\".dockerconfigjson\" = jsonencode({auths = {\"ghcr.io\" = {username = \"owner\", password = data.vault_kv_secret_v2.viktor.data[\"ghcr_pull_token\"]}}})}"
    );
    let htpasswd = find(&body, "resource", &["kubernetes_secret", "htpasswd"]);
    assert_eq!(
        val(child(htpasswd, &["lifecycle"]), "ignore_changes").unwrap(),
        "[data]"
    );
    assert!(
        text.contains(
            "# Basic auth of the recorder.\nresource \"kubernetes_secret\" \"htpasswd\" {"
        ),
        "{text}"
    );
    assert!(
        text.contains("    # DRIFT_WORKAROUND: the app rewrites it on login. Reviewed 2026-01-01.\n    ignore_changes = [data]"),
        "{text}"
    );
    // The pod reads the secrets by reference, and depends on no ExternalSecret for them.
    let deployment = find(&body, "resource", &["kubernetes_deployment", "app"]);
    let pod = child(deployment, &["spec", "template", "spec"]);
    assert_eq!(
        val(
            child(pod, &["container", "env", "value_from", "secret_key_ref"]),
            "name"
        )
        .unwrap(),
        "kubernetes_secret.app_env.metadata[0].name"
    );
    assert_eq!(
        val(child(pod, &["volume", "secret"]), "secret_name").unwrap(),
        "kubernetes_secret_v1.app_ssh.metadata[0].name"
    );
    assert!(val(deployment, "depends_on").is_none(), "{text}");
    assert!(!text.contains("kubernetes_manifest"), "{text}");
}

#[test]
fn a_literal_secret_value_is_refused_where_it_is_written() {
    let bad = errors(&format!(
        "{SECRETS_BASE}kubernetes_secrets:\n  - name: app-env\n    data:\n      API_KEY: hunter2\n"
    ));
    assert!(
        bad.contains("specs/app.yaml:15:16:")
            && bad.contains("kubernetes_secrets[0].data.API_KEY")
            && bad.contains("a literal secret value")
            && bad.contains("{vault: {path, key}}"),
        "{bad}"
    );
    // Structured data that reads nothing is a literal too; structure needs an encoding.
    for value in [
        "{jsonencode: {auths: {ghcr.io: {auth: c2VjcmV0}}}}",
        "{template: [user, \":\", pass]}",
        "12345",
    ] {
        let bad = errors(&format!(
            "{SECRETS_BASE}kubernetes_secrets:\n  - name: app-env\n    data:\n      k: {value}\n"
        ));
        assert!(bad.contains("a literal secret value"), "{value}: {bad}");
    }
    let bad = errors(&format!(
        "{SECRETS_BASE}kubernetes_secrets:\n  - name: app-env\n    data:\n      k: {{a: {{var: x}}}}\n"
    ));
    assert!(bad.contains("structured data is written encoded"), "{bad}");
    // Ignoring drift needs the reason the repo's rules ask for.
    let bad = errors(&format!(
        "{SECRETS_BASE}kubernetes_secrets:\n  - name: app-env\n    data: {{k: {{var: x}}}}\n    ignore_changes: [data]\n"
    ));
    assert!(
        bad.contains("kubernetes_secrets[0].ignore_changes") && bad.contains("ignore_changes_why"),
        "{bad}"
    );
    let bad = errors(&format!(
        "{SECRETS_BASE}config_maps:\n  - name: strategy\n    data: {{k: v}}\n    ignore_changes: [data]\n"
    ));
    assert!(
        bad.contains("config_maps[0].ignore_changes") && bad.contains("ignore_changes_why"),
        "{bad}"
    );
    let bad = errors(&format!(
        "{SECRETS_BASE}kubernetes_secrets:\n  - name: app-env\n    resource_type: kubernetes_config_map\n"
    ));
    assert!(
        bad.contains("kubernetes_secrets[0].resource_type")
            && bad.contains("`kubernetes_secret_v1`"),
        "{bad}"
    );
    let bad = errors(&format!(
        "{SECRETS_BASE}kubernetes_secrets:\n  - type: Opaque\n"
    ));
    assert!(bad.contains("kubernetes_secrets[0].name"), "{bad}");
}

#[test]
fn kubernetes_secret_binary_data_is_files_beside_the_spec_read_as_base64() {
    let spec = format!(
        "{SECRETS_BASE}kubernetes_secrets:
  - name: app-keystore
    data: {{password: {{var: keystore_password}}}}
    binary_data:
      keystore.jks: {{file: files/keystore.jks}}
"
    );
    let (text, body) = render(&spec);
    let secret = find(&body, "resource", &["kubernetes_secret", "app_keystore"]);
    assert_eq!(
        val(secret, "binary_data").unwrap(),
        "{\"keystore.jks\" = filebase64(\"${path.module}/files/keystore.jks\")}",
        "{text}"
    );
    assert!(val(secret, "data").is_some(), "{text}");
    let stack = dlgen::generate::resolve("specs/app.yaml", &spec).unwrap();
    let files: Vec<(&str, bool)> = stack
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.binary))
        .collect();
    assert_eq!(files, [("files/keystore.jks", true)]);
    let bad = errors(&format!(
        "{SECRETS_BASE}kubernetes_secrets:\n  - name: app-env\n    data: {{a: {{var: x}}}}\n    binary_data: {{a: {{file: a.bin}}, b: {{}}, c: {{file: ../c}}}}\n"
    ));
    for needle in [
        "`a` is also a key of `data`",
        "missing required field `file` at `kubernetes_secrets[0].binary_data.b.file`",
        "invalid file name `../c`",
    ] {
        assert!(bad.contains(needle), "{needle}: {bad}");
    }
}

#[test]
fn middlewares_of_the_stack_with_references_and_jsondecode() {
    let (text, body) = render(&format!(
        "{BASE}middlewares:\n  - name: strip-api\n    spec: {{stripPrefix: {{prefixes: [/api]}}}}\n  - name: bearer-auth\n    force_conflicts: true\n    depends_on_namespace: true\n    comment: Tokens from Vault.\n    spec:\n      plugin:\n        api-token-middleware:\n          bearerHeader: true\n          tokens: {{jsondecode: {{vault: {{path: app, key: bearer_tokens}}}}}}\n          authenticationErrorMsg: \"Denied ${{x}} \\\"now\\\"\"\n"
    ));
    let strip = find(&body, "resource", &["kubernetes_manifest", "strip_api"]);
    assert_eq!(
        val(strip, "manifest").unwrap(),
        "{apiVersion = \"traefik.io/v1alpha1\", kind = \"Middleware\", metadata = {name = \"strip-api\", namespace = kubernetes_namespace.app.metadata[0].name}, spec = {stripPrefix = {prefixes = [\"/api\"]}}}"
    );
    assert_eq!(val(strip, "depends_on"), None);
    // Only the Middleware that asks for it forces conflicts.
    assert_eq!(
        text.matches("field_manager {").count(),
        1 + text.matches("kind       = \"ExternalSecret\"").count(),
        "{text}"
    );
    let bearer = find(&body, "resource", &["kubernetes_manifest", "bearer_auth"]);
    assert_eq!(
        val(bearer, "depends_on").unwrap(),
        "[kubernetes_namespace.app]"
    );
    assert_eq!(
        val(child(bearer, &["field_manager"]), "force_conflicts").unwrap(),
        "true"
    );
    // The Vault value is decoded, its data source declared; text is escaped.
    assert!(
        text.contains("= jsondecode(data.vault_kv_secret_v2.secrets.data[\"bearer_tokens\"])"),
        "{text}"
    );
    assert!(
        text.contains("data \"vault_kv_secret_v2\" \"secrets\""),
        "{text}"
    );
    assert!(text.contains("\"Denied $${x} \\\"now\\\"\""), "{text}");
    assert!(
        text.contains("# Tokens from Vault.\nresource \"kubernetes_manifest\" \"bearer_auth\""),
        "{text}"
    );

    let bad = errors(&format!(
        "{BASE}middlewares:\n  - spec: {{compress: {{}}}}\n  - name: a\n  - name: b\n    spec: {{x: {{file: conf.txt}}}}\n  - name: b\n    spec: {{retry: {{attempts: 3}}}}\n"
    ));
    assert!(bad.contains("middlewares[0].name"), "{bad}");
    assert!(bad.contains("middlewares[1].spec"), "{bad}");
    assert!(
        bad.contains("a file beside the spec cannot be read here"),
        "{bad}"
    );
    assert!(
        bad.contains("the Middleware `b` is declared twice"),
        "{bad}"
    );
}

#[test]
fn manifests_of_any_kind_with_metadata_fields_and_a_drift_reason() {
    let (text, body) = render(&format!(
        "{BASE}manifests:\n  - api_version: traefik.io/v1alpha1\n    kind: IngressRoute\n    name: app-ws\n    comment: The websocket path.\n    annotations: {{team: web}}\n    depends_on: [kubernetes_namespace.app]\n    spec:\n      routes:\n        - match: \"Host(`app.example.org`) && PathPrefix(`/ws`)\"\n          middlewares: [{{name: authentik-forward-auth, namespace: traefik}}]\n          services: [{{name: {{ref: \"kubernetes_service.app.metadata[0].name\"}}, port: 80}}]\n      tls: {{secretName: {{var: tls_secret_name}}}}\n  - api_version: external-secrets.io/v1\n    kind: ClusterSecretStore\n    name: vault-kv\n    cluster_scoped: true\n    force_conflicts: true\n    spec: {{provider: {{kubernetes: {{server: {{var: vault_addr}}}}}}}}\n  - api_version: v1\n    kind: ConfigMap\n    name: dashboards\n    namespace: monitoring\n    labels: {{grafana_dashboard: \"1\"}}\n    fields: {{data: {{a.json: \"{{}}\"}}}}\n    ignore_changes: [manifest.metadata.annotations]\n    ignore_changes_why: Grafana's sidecar annotates it.\n"
    ));
    let ws = find(&body, "resource", &["kubernetes_manifest", "app_ws"]);
    assert_eq!(
        val(ws, "manifest").unwrap(),
        "{apiVersion = \"traefik.io/v1alpha1\", kind = \"IngressRoute\", metadata = {name = \"app-ws\", namespace = kubernetes_namespace.app.metadata[0].name, annotations = {team = \"web\"}}, spec = {routes = [{match = \"Host(`app.example.org`) && PathPrefix(`/ws`)\", middlewares = [{name = \"authentik-forward-auth\", namespace = \"traefik\"}], services = [{name = kubernetes_service.app.metadata[0].name, port = 80}]}], tls = {secretName = var.tls_secret_name}}}"
    );
    assert_eq!(val(ws, "depends_on").unwrap(), "[kubernetes_namespace.app]");
    assert!(
        text.contains("# The websocket path.\nresource \"kubernetes_manifest\" \"app_ws\""),
        "{text}"
    );
    // A cluster-scoped object has no namespace; it forces conflicts when told.
    let store = find(&body, "resource", &["kubernetes_manifest", "vault_kv"]);
    assert_eq!(
        val(store, "manifest").unwrap(),
        "{apiVersion = \"external-secrets.io/v1\", kind = \"ClusterSecretStore\", metadata = {name = \"vault-kv\"}, spec = {provider = {kubernetes = {server = var.vault_addr}}}}"
    );
    assert_eq!(
        val(child(store, &["field_manager"]), "force_conflicts").unwrap(),
        "true"
    );
    assert!(text.contains("variable \"vault_addr\""), "{text}");
    // Another namespace is a literal; other top-level keys follow; the drift reason is
    // written after the repo's marker.
    let dashboards = find(&body, "resource", &["kubernetes_manifest", "dashboards"]);
    assert_eq!(
        val(dashboards, "manifest").unwrap(),
        "{apiVersion = \"v1\", kind = \"ConfigMap\", metadata = {name = \"dashboards\", namespace = \"monitoring\", labels = {grafana_dashboard = \"1\"}}, data = {\"a.json\" = \"{}\"}}"
    );
    assert_eq!(
        val(child(dashboards, &["lifecycle"]), "ignore_changes").unwrap(),
        "[manifest.metadata.annotations]"
    );
    assert!(
        text.contains("# DRIFT_WORKAROUND: Grafana's sidecar annotates it.\n"),
        "{text}"
    );

    let bad = errors(&format!(
        "{BASE}manifests:\n  - name: a\n  - api_version: v1/x/y\n    kind: 9Lives\n    name: b\n  - api_version: v1\n    kind: Thing\n    name: c\n    cluster_scoped: true\n    namespace: other\n    fields: {{metadata: {{}}}}\n    ignore_changes: [manifest.spec]\n  - api_version: v1\n    kind: Thing\n    name: c\n    cluster_scoped: true\n    namespace: other\n    depends_on: [kubernetes_service.nothing]\n"
    ));
    for want in [
        "manifests[0].api_version",
        "manifests[0].kind",
        "is not an apiVersion",
        "is not a kind",
        "a cluster-scoped object has no namespace",
        "`metadata` is written from the object's own fields",
        "manifests[2].ignore_changes",
        "the Thing `c` is declared twice",
        "manifests[3].depends_on[0]",
    ] {
        assert!(bad.contains(want), "{want}\n{bad}");
    }
}

#[test]
fn an_ingress_names_a_middleware_of_the_spec() {
    let (_, body) = render(&format!(
        "{BASE}middlewares:\n  - name: strip-api\n    spec: {{stripPrefix: {{prefixes: [/api]}}}}\nmanifests:\n  - api_version: traefik.io/v1alpha1\n    kind: Middleware\n    name: headers\n    namespace: edge\n    labels: {{team: web}}\n    spec: {{headers: {{customRequestHeaders: {{X-A: b}}}}}}\ningress:\n  extra_middlewares: [{{middleware: strip-api}}, traefik-x402@kubernetescrd, {{middleware: headers}}]\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress", "extra_middlewares").unwrap(),
        "[\"app-strip-api@kubernetescrd\", \"traefik-x402@kubernetescrd\", \"edge-headers@kubernetescrd\"]"
    );

    // A name the spec does not declare is an error naming the ones it does.
    let bad = errors(&format!(
        "{BASE}middlewares:\n  - name: strip-api\n    spec: {{stripPrefix: {{prefixes: [/api]}}}}\ningress:\n  extra_middlewares: [traefik-x402@kubernetescrd, {{middleware: strip}}]\n"
    ));
    for want in [
        "ingress.extra_middlewares[1].middleware",
        "the spec declares no Middleware named `strip`",
        "the spec's Middlewares are `strip-api`",
    ] {
        assert!(bad.contains(want), "{want}\n{bad}");
    }
    let bad = errors(&format!(
        "{BASE}ingress:\n  extra_middlewares: [{{middleware: strip}}]\n"
    ));
    assert!(bad.contains("declare it under `middlewares:`"), "{bad}");
    let bad = errors(&format!(
        "{BASE}ingress:\n  extra_middlewares: [{{middlewares: strip}}]\n"
    ));
    assert!(bad.contains("middlewares"), "{bad}");
}

#[test]
fn an_ingress_is_created_after_the_objects_it_names_in_depends_on() {
    let (_, body) = render(&format!(
        "{BASE}middlewares:\n  - name: bearer\n    spec: {{plugin: {{x: {{a: 1}}}}}}\ningress:\n  extra_middlewares: [{{middleware: bearer}}]\n  depends_on: [kubernetes_manifest.bearer]\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress", "depends_on").unwrap(),
        "[kubernetes_manifest.bearer]"
    );
    // None by default.
    let (_, plain) = render(&format!("{BASE}ingress: {{}}\n"));
    assert_eq!(arg_of(&plain, "ingress", "depends_on"), None);

    let bad = errors(&format!(
        "{BASE}ingress:\n  depends_on: [\"not an address\", kubernetes_manifest.missing]\n"
    ));
    for want in [
        "ingress.depends_on[0]",
        "invalid dependency `not an address`",
        "`kubernetes_manifest.missing` is not an object of this stack",
    ] {
        assert!(bad.contains(want), "{want}\n{bad}");
    }
}

#[test]
fn the_disruption_budget_covers_the_apps_pods() {
    let (text, body) = render(&format!(
        "{BASE}disruption_budget: {{max_unavailable: \"1\", comment: One pod at a time.}}\n"
    ));
    let pdb = find(
        &body,
        "resource",
        &["kubernetes_pod_disruption_budget_v1", "app"],
    );
    assert_eq!(val(child(pdb, &["metadata"]), "name").unwrap(), "\"app\"");
    assert_eq!(
        val(child(pdb, &["spec"]), "max_unavailable").unwrap(),
        "\"1\""
    );
    assert_eq!(val(child(pdb, &["spec"]), "min_available"), None);
    assert_eq!(
        val(child(pdb, &["spec", "selector"]), "match_labels").unwrap(),
        "{app = \"app\"}"
    );
    assert!(
        text.contains("# One pod at a time.\nresource \"kubernetes_pod_disruption_budget_v1\""),
        "{text}"
    );

    // A number stays a number; name, address and selector can be given.
    let (_, body) = render(&format!(
        "{BASE}disruption_budget: {{min_available: 2, name: app-pdb, address: pdb, selector: {{app: app, role: web}}}}\n"
    ));
    let pdb = find(
        &body,
        "resource",
        &["kubernetes_pod_disruption_budget_v1", "pdb"],
    );
    assert_eq!(val(child(pdb, &["spec"]), "min_available").unwrap(), "2");
    assert_eq!(
        val(child(pdb, &["spec", "selector"]), "match_labels").unwrap(),
        "{app = \"app\", role = \"web\"}"
    );
    assert_eq!(
        val(child(pdb, &["metadata"]), "name").unwrap(),
        "\"app-pdb\""
    );

    for (field, want) in [
        ("{}", "missing required field `max_unavailable`"),
        ("{max_unavailable: 1, min_available: 1}", "not both"),
        ("{max_unavailable: \"one\"}", "invalid pod count `one`"),
        ("{min_available: -1}", "invalid pod count `-1`"),
        (
            "{min_available: 1, selector: {}}",
            "an empty selector covers no pods",
        ),
        ("{min_available: 1, surprise: 1}", "surprise"),
    ] {
        let bad = errors(&format!("{BASE}disruption_budget: {field}\n"));
        assert!(bad.contains(want), "{field}: {bad}");
    }
}

#[test]
fn a_reference_to_a_secret_of_the_stack_must_name_one_it_declares() {
    let secrets = |target: &str| {
        format!(
            "{SECRETS_BASE}kubernetes_secrets:
  - name: app-env
    data: {{k: {{var: x}}}}
  - name: app-copy
    data: {{source: {{ref: \"{target}.metadata[0].name\"}}}}
    depends_on: [{target}]
"
        )
    };
    let (_, body) = render(&secrets("kubernetes_secret.app_env"));
    let copy = find(&body, "resource", &["kubernetes_secret", "app_copy"]);
    assert_eq!(
        val(copy, "data").unwrap(),
        "{source = kubernetes_secret.app_env.metadata[0].name}"
    );
    assert_eq!(
        val(copy, "depends_on").unwrap(),
        "[kubernetes_secret.app_env]"
    );
    let bad = errors(&secrets("kubernetes_secret.app_envv"));
    assert!(
        bad.contains("kubernetes_secrets[1].data.source")
            && bad.contains("kubernetes_secrets[1].depends_on[0]"),
        "{bad}"
    );
}

#[test]
fn variables_are_declared_with_their_default_description_and_sensitivity() {
    let spec = BASE.replace(
        "    port: 8080\n",
        "    port: 8080
    env:
      - {name: WORKERS, value: {var: workers}}
      - {name: DRY_RUN, value: {var: dry_run}}
      - {name: DB_HOST, value: {var: postgresql_host}}
",
    ) + "variables:
  workers: {default: 4, description: Worker processes.}
  dry_run: {default: false}
  api_override: {default: '', sensitive: true}
";
    let (text, body) = render(&spec);
    let workers = find(&body, "variable", &["workers"]);
    assert_eq!(attr(workers, "type").as_deref(), Some("number"));
    assert_eq!(attr(workers, "default").as_deref(), Some("4"));
    assert_eq!(
        attr(workers, "description").as_deref(),
        Some("\"Worker processes.\"")
    );
    let dry_run = find(&body, "variable", &["dry_run"]);
    assert_eq!(
        (attr(dry_run, "type"), attr(dry_run, "default")),
        (Some("bool".into()), Some("false".into()))
    );
    // Declared even though nothing refers to it: the spec asked for it.
    let api = find(&body, "variable", &["api_override"]);
    assert_eq!(
        (attr(api, "default"), attr(api, "sensitive")),
        (Some("\"\"".into()), Some("true".into()))
    );
    // A variable `variables` does not name keeps the one-line form.
    assert!(
        text.contains("variable \"postgresql_host\" { type = string }"),
        "{text}"
    );
    assert_eq!(env_value(&body, "WORKERS"), "var.workers");
    // The conventions' own variables are not the spec's to declare, and a name must be
    // an identifier.
    let e = errors(&format!(
        "{BASE}variables:\n  tls_secret_name: {{default: x}}\n"
    ));
    assert!(e.contains("variables.tls_secret_name"), "{e}");
    let e = errors(&format!("{BASE}variables:\n  2fast: {{default: 1}}\n"));
    assert!(e.contains("not an identifier"), "{e}");
}

#[test]
fn a_namespace_label_dlgen_writes_cannot_be_written_again() {
    // `namespace.labels: {tier: ...}` rendered a second `tier` key: HCL that does not
    // parse, reported as a bug in dlgen. It is the spec's error, at the key.
    for key in ["tier", "keel.sh/enrolled"] {
        let e = errors(&format!("{BASE}namespace: {{labels: {{{key}: x}}}}\n"));
        assert!(
            e.contains(&format!(
                "`{key}` is written by dlgen already at `namespace.labels"
            )),
            "{key}: {e}"
        );
    }
}

#[test]
fn the_tls_variable_is_sensitive_unless_the_spec_says_otherwise() {
    // 21 stacks of the repo declare `tls_secret_name` as `{ type = string }`: the
    // conventions' `sensitive = true` is a default the spec can turn off, and nothing
    // else of the conventions' variable can be said.
    let (text, _) = render(BASE);
    assert!(
        text.contains(
            "variable \"tls_secret_name\" {\n  type      = string\n  sensitive = true\n}"
        ),
        "{text}"
    );
    let (text, _) = render(&format!(
        "{BASE}variables:\n  tls_secret_name: {{sensitive: false}}\n"
    ));
    assert!(
        text.contains("variable \"tls_secret_name\" { type = string }\n"),
        "{text}"
    );
    for bad in ["{sensitive: true, default: x}", "{description: TLS}", "{}"] {
        let e = errors(&format!("{BASE}variables:\n  tls_secret_name: {bad}\n"));
        assert!(
            e.contains("variables.tls_secret_name") && e.contains("only `sensitive: false`"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn network_policies_cover_the_apps_pods_and_say_their_peers_and_ports() {
    let (text, body) = render(&format!(
        "{BASE}network_policies:
  - comment: Clients by label; the internet but not the LAN.
    ingress:
      - from:
          - namespace_selector: {{match_labels: {{app.example/client: \"true\"}}}}
        ports: [{{port: 9222, protocol: TCP}}, {{port: http}}]
    egress:
      - to:
          - ip_block: {{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}
      - to:
          - namespace_selector: {{}}
            pod_selector:
              match_expressions: [{{key: k8s-app, operator: In, values: [kube-dns]}}]
        ports: [{{port: \"53\", end_port: 60, protocol: UDP}}]
  - name: deny-all
    resource_type: kubernetes_network_policy
    pod_selector: {{}}
    policy_types: [Ingress]
"
    ));
    let np = find(&body, "resource", &["kubernetes_network_policy_v1", "app"]);
    assert_eq!(val(child(np, &["metadata"]), "name").unwrap(), "\"app\"");
    assert_eq!(
        val(child(np, &["metadata"]), "namespace").unwrap(),
        "kubernetes_namespace.app.metadata[0].name"
    );
    // The app's pods by default; the policy types its rules imply.
    assert_eq!(
        val(child(np, &["spec", "pod_selector"]), "match_labels").unwrap(),
        "{app = \"app\"}"
    );
    assert_eq!(
        val(child(np, &["spec"]), "policy_types").unwrap(),
        "[\"Ingress\", \"Egress\"]"
    );
    assert_eq!(
        val(
            child(np, &["spec", "ingress", "from", "namespace_selector"]),
            "match_labels"
        )
        .unwrap(),
        "{\"app.example/client\" = \"true\"}"
    );
    // Ports as written: a number stays a number, a name or a quoted number a string.
    assert!(
        text.contains("port     = 9222\n        protocol = \"TCP\""),
        "{text}"
    );
    assert!(text.contains("port = \"http\""), "{text}");
    assert!(
        text.contains("port     = \"53\"\n        end_port = 60"),
        "{text}"
    );
    assert!(
        text.contains("cidr   = \"0.0.0.0/0\"\n          except = [\"10.0.0.0/8\"]"),
        "{text}"
    );
    assert!(text.contains("namespace_selector {}"), "{text}");
    assert!(
        text.contains("operator = \"In\"\n            values   = [\"kube-dns\"]"),
        "{text}"
    );
    assert!(
        text.contains(
            "# Clients by label; the internet but not the LAN.\nresource \"kubernetes_network_policy_v1\" \"app\""
        ),
        "{text}"
    );
    let deny = find(
        &body,
        "resource",
        &["kubernetes_network_policy", "deny_all"],
    );
    assert_eq!(
        val(child(deny, &["spec"]), "policy_types").unwrap(),
        "[\"Ingress\"]"
    );
    assert!(text.contains("    pod_selector {}\n"), "{text}");

    for (field, want) in [
        ("[{}]", "network_policies[0].ingress"),
        (
            "[{ingress: [{from: [{}]}]}]",
            "network_policies[0].ingress[0].from[0]",
        ),
        (
            "[{ingress: [{from: [{ip_block: {cidr: 10.0.0.0/8}, pod_selector: {}}]}]}]",
            "not both",
        ),
        (
            "[{egress: [{to: [{ip_block: {cidr: 10.0.0.0}}]}]}]",
            "invalid CIDR `10.0.0.0`",
        ),
        (
            "[{egress: [{to: [{ip_block: {except: [10.0.0.0/8]}}]}]}]",
            "network_policies[0].egress[0].to[0].ip_block.cidr",
        ),
        (
            "[{egress: [{ports: [{port: 70000}]}]}]",
            "invalid port `70000`",
        ),
        (
            "[{egress: [{ports: [{port: \"no such\"}]}]}]",
            "invalid port `no such`",
        ),
        (
            "[{egress: [{ports: [{port: http, end_port: 90}]}]}]",
            "needs a numeric `port`",
        ),
        (
            "[{pod_selector: {match_expressions: [{key: a, operator: Exists, values: [x]}]}, policy_types: [Egress]}]",
            "take no `values`",
        ),
        (
            "[{pod_selector: {match_expressions: [{key: a, operator: In}]}, policy_types: [Egress]}]",
            "need `values`",
        ),
        ("[{policy_types: []}]", "at least one direction"),
        ("[{policy_types: [Ingress, Ingress]}]", "listed twice"),
        (
            "[{policy_types: [Ingress]}, {policy_types: [Egress]}]",
            "the NetworkPolicy `app` is declared twice",
        ),
        ("[{policy_types: [Sideways]}]", "Sideways"),
        ("[{ingress: [{to: []}]}]", "`to`"),
        (
            "[{resource_type: kubernetes_network_policy_v2}]",
            "kubernetes_network_policy_v2",
        ),
    ] {
        let bad = errors(&format!("{BASE}network_policies: {field}\n"));
        assert!(bad.contains(want), "{field}: {bad}");
    }
}

#[test]
fn the_namespaces_limit_range_carries_its_label() {
    let (_, body) = render(&format!(
        "{BASE}namespace:\n  limit_range:\n    limits:\n      - type: Container\n        default: {{memory: 512Mi}}\n        default_request: {{cpu: 50m, memory: 128Mi}}\n"
    ));
    let ns = find(&body, "resource", &["kubernetes_namespace", "app"]);
    assert!(
        val(child(ns, &["metadata"]), "labels")
            .unwrap()
            .contains("\"resource-governance/custom-limitrange\" = \"true\""),
        "{:?}",
        val(child(ns, &["metadata"]), "labels")
    );
    let lr = find(&body, "resource", &["kubernetes_limit_range", "app"]);
    assert_eq!(
        val(child(lr, &["metadata"]), "name").unwrap(),
        "\"app-limits\""
    );
    let limit = child(lr, &["spec", "limit"]);
    assert_eq!(val(limit, "type").unwrap(), "\"Container\"");
    assert_eq!(val(limit, "default").unwrap(), "{memory = \"512Mi\"}");
    assert_eq!(
        val(limit, "default_request").unwrap(),
        "{cpu = \"50m\", memory = \"128Mi\"}"
    );
    assert_eq!(val(limit, "max"), None);

    for (field, want) in [
        ("{}", "namespace.limit_range.limits"),
        ("{limits: [{default: {memory: 1Gi}}]}", "limits[0].type"),
        ("{limits: [{type: Container}]}", "at least one of `default`"),
        (
            "{limits: [{type: Container, max: {memory: lots}}]}",
            "invalid quantity `lots`",
        ),
        ("{limits: [{type: Node, max: {cpu: \"1\"}}]}", "Node"),
    ] {
        let bad = errors(&format!("{BASE}namespace:\n  limit_range: {field}\n"));
        assert!(bad.contains(want), "{field}: {bad}");
    }
}

#[test]
fn an_external_secret_without_force_conflicts_writes_no_field_manager() {
    // The conventions force conflicts on every ExternalSecret; one stack's does not.
    let (text, body) = render(&format!(
        "{BASE}secrets: {{force_conflicts: false}}\nexternal_secrets: [{{name: mail-creds, vault_key: mail}}]\n"
    ));
    let own = find(
        &body,
        "resource",
        &["kubernetes_manifest", "external_secret"],
    );
    assert!(
        own.body()
            .blocks()
            .all(|b| b.identifier() != "field_manager"),
        "{text}"
    );
    let mail = find(&body, "resource", &["kubernetes_manifest", "mail_creds"]);
    assert_eq!(
        val(child(mail, &["field_manager"]), "force_conflicts").unwrap(),
        "true"
    );
    assert_eq!(text.matches("field_manager {").count(), 1, "{text}");
}

#[test]
fn root_include_false_writes_no_include_of_its_own() {
    // Every stack includes the root as `include "root" { path = find_in_parent_folders() }`
    // by convention; one that includes it another way says its own include as raw HCL.
    let tg_of = |spec: &str| {
        render_all(spec)
            .into_iter()
            .find(|(n, _)| n == "terragrunt.hcl")
            .expect("terragrunt.hcl")
            .1
    };
    let default = tg_of(BASE);
    assert!(
        default.contains("include \"root\" {\n  path = find_in_parent_folders()\n}\n"),
        "{default}"
    );
    let tg = tg_of(&format!(
        "{BASE}root_include: false\nraw:\n  terragrunt: |\n    include {{\n      path = find_in_parent_folders()\n    }}\n"
    ));
    assert!(!tg.contains("include \"root\""), "{tg}");
    assert_eq!(tg.matches("include {").count(), 1, "{tg}");
    assert!(tg.contains("dependency \"platform\" {"), "{tg}");
}

#[test]
fn pod_volumes_of_the_tls_secret_an_nfs_export_and_a_raw_source() {
    let spec = format!(
        "{BASE}volumes:
  - name: certs
    secret: {{tls: true, default_mode: \"0400\"}}
    mount: /certs
    read_only: true
  - name: media
    nfs: {{server: 192.168.1.127, path: /srv/nfs/app/media}}
    mount: /media
  - name: music
    nfs: {{server: {{var: nfs_server}}, path: /srv/nfs/music, read_only: true}}
  - name: cache
    comment: A scratch volume of the node's CSI driver.
    raw: |
      csi {{
        driver = \"csi.example.io\"
      }}
    mount: /cache
  - name: tmp
    empty_dir: {{}}
"
    );
    let (text, body) = render(&spec);
    let vols = blocks(pod(&body), "volume");
    assert_eq!(vols.len(), 5, "{text}");
    let secret = child(vols[0], &["secret"]);
    assert_eq!(attr(secret, "secret_name").unwrap(), "var.tls_secret_name");
    assert_eq!(attr(secret, "default_mode").unwrap(), "\"0400\"");
    let nfs = child(vols[1], &["nfs"]);
    assert_eq!(attr(nfs, "server").unwrap(), "\"192.168.1.127\"");
    assert_eq!(attr(nfs, "path").unwrap(), "\"/srv/nfs/app/media\"");
    assert!(attr(nfs, "read_only").is_none());
    let nfs = child(vols[2], &["nfs"]);
    assert_eq!(attr(nfs, "server").unwrap(), "var.nfs_server");
    assert_eq!(attr(nfs, "read_only").unwrap(), "true");
    assert!(text.contains("variable \"nfs_server\""), "{text}");
    // The raw source sits in its own volume, between the others.
    assert_eq!(attr(vols[3], "name").unwrap(), "\"cache\"");
    assert!(
        text.contains("        # A scratch volume of the node's CSI driver.\n        volume {\n          name = \"cache\""),
        "{text}"
    );
    assert_eq!(
        attr(child(vols[3], &["csi"]), "driver").unwrap(),
        "\"csi.example.io\""
    );
    assert_eq!(child(vols[4], &["empty_dir"]).body().iter().count(), 0);
    let mounts = blocks(container(&body), "volume_mount");
    assert_eq!(
        mounts
            .iter()
            .map(|m| attr(m, "name").unwrap())
            .collect::<Vec<_>>(),
        ["\"certs\"", "\"media\"", "\"cache\""]
    );
    // Only the secret volume names the TLS secret, and only as the whole name.
    let e = errors(&spec.replace("secret: {tls: true,", "config_map: {tls: true, name: x,"));
    assert!(e.contains("applies to `secret` volumes"), "{e}");
    let e = errors(&spec.replace("{tls: true,", "{tls: true, name: app-tls,"));
    assert!(e.contains("`tls: true` names the secret"), "{e}");
    let e = errors(&spec.replace("tls: true", "tls: false"));
    assert!(e.contains("`tls: false` is the default"), "{e}");
    let e = errors(&spec.replace("server: 192.168.1.127", "server: {var: tls_secret_name}"));
    assert!(e.contains("only feeds the TLS and ingress modules"), "{e}");
    let e = errors(&spec.replace("path: /srv/nfs/app/media", "path: srv/media"));
    assert!(e.contains("nfs.path"), "{e}");
    // A raw source is the volume's one source, and parses.
    let e = errors(&spec.replace(
        "  - name: tmp\n    empty_dir: {}\n",
        "  - name: tmp\n    empty_dir: {}\n    raw: \"x = 1\"\n",
    ));
    assert!(
        e.contains("`raw` is the source of a volume without another one"),
        "{e}"
    );
    let e = errors(&spec.replace("driver = \"csi.example.io\"", "driver = "));
    assert!(e.contains("raw HCL does not parse"), "{e}");
    // A raw source that repeats the volume's name is refused like any raw collision.
    let dup = spec.replace("      csi {", "      name = \"again\"\n      csi {");
    let stack = dlgen::generate::resolve("specs/app.yaml", &dup).unwrap();
    let err = Renderer::new()
        .unwrap()
        .render(&stack, "specs/app.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("volumes[3].raw"), "{err}");
}

#[test]
fn comments_on_rollout_pull_secrets_tolerations_and_containers() {
    let spec = "\
name: app
containers:
  - image: ghcr.io/owner/app:1.0
    port: 8080
    resources: {cpu: 10m, memory: 64Mi}
  - name: sidecar
    comment: Refreshes the Vault token.
    image: curlimages/curl:8.10.1
    resources: {cpu: 10m, memory: 32Mi}
deployment:
  wait_for_rollout: false
  wait_for_rollout_why: The node reboots for driver updates.
  image_pull_secrets: [registry-credentials]
  image_pull_secrets_why: Private images.
  tolerations:
    - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, toleration_seconds: 300, comment: Move off a failing node.}
";
    let (text, body) = render(spec);
    let d = deployment(&body);
    assert_eq!(attr(d, "wait_for_rollout").unwrap(), "false");
    let pod = child(d, &["spec", "template", "spec"]);
    assert_eq!(blocks(pod, "container").len(), 2);
    assert_eq!(blocks(pod, "toleration").len(), 1);
    for (comment, next) in [
        (
            "  # The node reboots for driver updates.\n",
            "  wait_for_rollout = false\n",
        ),
        (
            "        # Private images.\n",
            "        image_pull_secrets {\n",
        ),
        (
            "        # Move off a failing node.\n",
            "        toleration {\n",
        ),
        (
            "        # Refreshes the Vault token.\n",
            "        container {\n          name  = \"sidecar\"\n",
        ),
    ] {
        assert!(
            text.contains(&format!("{comment}{next}")),
            "{comment}\n{text}"
        );
    }
    // A reason for what is not set is a mistake, not a comment left floating.
    let e = errors(&spec.replace("  wait_for_rollout: false\n", ""));
    assert!(
        e.contains("`wait_for_rollout_why` explains `wait_for_rollout`, which is not set"),
        "{e}"
    );
    let e = errors(&spec.replace("  image_pull_secrets: [registry-credentials]\n", ""));
    assert!(
        e.contains("`image_pull_secrets_why` explains `image_pull_secrets`, which is empty"),
        "{e}"
    );
}

#[test]
fn a_moved_block_carries_its_comment_after_the_adoption_note() {
    let (text, body) = render(&format!(
        "{BASE}adopt:\n  moved:\n    - {{from: kubernetes_namespace.immich, to: kubernetes_namespace.app}}\n    - {{from: kubernetes_service.web, to: kubernetes_service.app, comment: The Service was `web` before the rename.}}\n"
    ));
    assert_eq!(
        body.blocks().filter(|b| b.identifier() == "moved").count(),
        2
    );
    // The first block: the adoption note alone; the second: its own comment.
    assert!(
        text.contains("# move them instead of destroying and re-creating them.\nmoved {\n  from = kubernetes_namespace.immich\n"),
        "{text}"
    );
    assert!(
        text.contains("\n# The Service was `web` before the rename.\nmoved {\n  from = kubernetes_service.web\n"),
        "{text}"
    );
    // On the first block, both: the note, then the block's own comment.
    let (text, _) = render(&format!(
        "{BASE}adopt:\n  moved:\n    - {{from: kubernetes_namespace.immich, to: kubernetes_namespace.app, comment: Renamed.}}\n"
    ));
    assert!(
        text.contains("re-creating them.\n# Renamed.\nmoved {\n"),
        "{text}"
    );
}

#[test]
fn header_and_footer_comments_open_and_close_main_tf() {
    // What the operators say about the whole stack, and the dated trigger lines some
    // stacks end with (v2 section 7): comment blocks of their own, after dlgen's header
    // and after the last block; every line commented, so nothing in them is HCL.
    let spec = format!(
        "{BASE}header_comment: |\n  App — what it is for.\n  resource \"x\" \"y\" {{}}\nfooter_comment: \"CI retrigger 2026-07-02 — pick up the base image\"\n"
    );
    let main = render_all(&spec)
        .into_iter()
        .find(|(n, _)| n == "main.tf")
        .expect("main.tf")
        .1;
    let header_end = main.find("\n\n").expect("the generated header ends");
    assert!(
        main[header_end..]
            .starts_with("\n\n# App — what it is for.\n# resource \"x\" \"y\" {}\n\n"),
        "{main}"
    );
    assert!(
        main.ends_with("}\n\n# CI retrigger 2026-07-02 — pick up the base image\n"),
        "{main}"
    );
    assert!(!main.contains("\nresource \"x\""), "{main}");
}

fn render_errors(spec: &str) -> String {
    match dlgen::generate::render_text(
        &Renderer::new().unwrap(),
        "specs/app.yaml",
        spec,
        "specs/app.yaml",
    ) {
        Ok(_) => panic!("expected problems in:\n{spec}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn anchored_comments_go_above_or_trail_their_place() {
    let (text, body) = render(&format!(
        r#"{BASE}volumes:
  - {{name: data, storage: proxmox-lvm-encrypted, size: 1Gi, max_size: 4Gi, mount: /data}}
backup: {{enabled: false, why: scratch space}}
comments:
  - at: kubernetes_namespace.app.metadata.labels["tier"]
    text: "the tier's priority class\nis the root module's"
  - at: kubernetes_deployment.app.spec.template.spec.container.port.container_port
    text: the app's only port
    place: trailing
  - at: kubernetes_persistent_volume_claim.data.lifecycle.ignore_changes
    text: See data_proxmox in the storage docs.
  - at: kubernetes_service.app
    text: 'in-cluster callers use ${{this}}, not %{{that}}'
"#
    ));
    assert!(
        text.contains("    labels = {\n      # the tier's priority class\n      # is the root module's\n      tier"),
        "{text}"
    );
    assert!(text.contains("# the app's only port\n"), "{text}");
    let port_line = text
        .lines()
        .find(|l| l.contains("the app's only port"))
        .unwrap();
    assert!(
        port_line.trim_start().starts_with("container_port"),
        "{port_line}"
    );
    // An operator's own explanation replaces dlgen's where no marker rides on it.
    assert!(
        text.contains(
            "  lifecycle {\n    # See data_proxmox in the storage docs.\n    ignore_changes"
        ),
        "{text}"
    );
    assert!(!text.contains("pvc-autoresizer grows"), "{text}");
    // A comment holds anything: nothing in it is HCL.
    assert!(
        text.contains(
            "# in-cluster callers use ${this}, not %{that}\nresource \"kubernetes_service\" \"app\""
        ),
        "{text}"
    );
    // Placed and formatted: `dlgen fmt` (terraform fmt, byte for byte) changes nothing.
    let formatted = dlgen::reformat::format_bytes(text.as_bytes(), false)
        .unwrap_or_else(|e| panic!("{}", e.report(std::path::Path::new("main.tf"))));
    assert_eq!(formatted, text);
    // The comments change nothing else.
    let (_, plain) = render(&format!(
        "{BASE}volumes:\n  - {{name: data, storage: proxmox-lvm-encrypted, size: 1Gi, max_size: 4Gi, mount: /data}}\nbackup: {{enabled: false, why: scratch space}}\n"
    ));
    assert_eq!(body, plain);
}

#[test]
fn an_anchor_that_leads_nowhere_is_an_error_at_its_line() {
    let spec = format!(
        "{BASE}comments:\n  - at: kubernetes_namespace.app.metadata.labels[\"nope\"]\n    text: x\n  - at: kubernetes_service.other\n    text: y\n"
    );
    let e = render_errors(&spec);
    assert!(e.contains("specs/app.yaml:7:"), "{e}");
    assert!(
        e.contains("no key \"nope\" in the mapping; there are"),
        "{e}"
    );
    assert!(e.contains("specs/app.yaml:9:"), "{e}");
    assert!(
        e.contains("`kubernetes_service.other` is not a block of this stack; it declares")
            && e.contains("`kubernetes_service.app`"),
        "{e}"
    );
    // A trailing comment cannot close a heredoc's line.
    let e = render_errors(&format!(
        "{BASE}config_maps:\n  - name: scripts\n    data:\n      run.sh: \"echo hi\\necho there\\n\"\ncomments:\n  - at: kubernetes_config_map.scripts.data[\"run.sh\"]\n    text: x\n    place: trailing\n"
    ));
    assert!(e.contains("heredoc"), "{e}");
}

#[test]
fn anchored_comments_are_checked_before_rendering() {
    for (comment, why) in [
        (
            "{at: 'kubernetes_namespace.app.', text: x}",
            "is not an anchor: it ends with `.`",
        ),
        (
            "{at: kubernetes_namespace.app}",
            "missing required field `text`",
        ),
        ("{text: x}", "missing required field `at`"),
        (
            "{at: kubernetes_namespace.app, text: \"a\\nb\", place: trailing}",
            "a trailing comment is one line",
        ),
        (
            "{at: kubernetes_namespace.app, text: 'dlgen:allow no-auth-comment'}",
            "cannot suppress a lint rule",
        ),
        (
            "{at: kubernetes_namespace.app, text: 'KYVERNO_LIFECYCLE_V1 here'}",
            "is a marker dlgen writes",
        ),
        (
            "{at: kubernetes_namespace.app, text: x, place: below}",
            "unknown value `below`",
        ),
    ] {
        let e = errors(&format!("{BASE}comments:\n  - {comment}\n"));
        assert!(e.contains(why), "{comment}: {e}");
        assert!(e.contains("specs/app.yaml:7:"), "{comment}: {e}");
    }
}

#[test]
fn a_deployment_service_and_volume_of_the_v1_resource_types_are_named_by_every_reference() {
    let spec = format!(
        "{BASE}deployment: {{resource_type: kubernetes_deployment_v1}}\nservice: {{resource_type: kubernetes_service_v1}}\nservices: [{{name: app-metrics, resource_type: kubernetes_service_v1, port: 9100}}]\nvolumes: [{{name: data, storage: proxmox-lvm, size: 1Gi, mount: /data, resource_type: kubernetes_persistent_volume_claim_v1}}]\nbackup: {{schedule: \"30 1 * * *\"}}\ningress: {{auth: required, service_ref: true}}\n"
    );
    let (text, body) = render(&spec);
    find(&body, "resource", &["kubernetes_deployment_v1", "app"]);
    find(&body, "resource", &["kubernetes_service_v1", "app"]);
    find(&body, "resource", &["kubernetes_service_v1", "app_metrics"]);
    find(
        &body,
        "resource",
        &["kubernetes_persistent_volume_claim_v1", "data"],
    );
    for base in [
        "kubernetes_deployment",
        "kubernetes_service",
        "kubernetes_persistent_volume_claim",
    ] {
        assert!(
            !text.contains(&format!("{base}.")) && !text.contains(&format!("\"{base}\"")),
            "only the declared type of {base} is named: {text}"
        );
    }
    assert_eq!(
        arg_of(&body, "ingress", "service_name").unwrap(),
        "kubernetes_service_v1.app.metadata[0].name"
    );
    // The pod's volume and the backup job's both name the claim by its `_v1` type.
    assert_eq!(
        text.matches("claim_name = kubernetes_persistent_volume_claim_v1.data.metadata[0].name")
            .count(),
        2,
        "{text}"
    );

    for (bad_spec, at, message) in [
        (
            spec.replace(
                "service: {resource_type: kubernetes_service_v1}",
                "service: {resource_type: kubernetes_service_v2}",
            ),
            "service.resource_type",
            "`kubernetes_service_v2` is not a resource type of this object",
        ),
        (
            spec.replace(
                "resource_type: kubernetes_deployment_v1",
                "resource_type: kubernetes_service_v1",
            ),
            "deployment.resource_type",
            "`kubernetes_service_v1` is not a resource type of this object",
        ),
        (
            format!(
                "{BASE}volumes: [{{name: m, storage: nfs, path: /m, mount: /m, resource_type: kubernetes_persistent_volume_claim_v1}}]\n"
            ),
            "volumes[0].resource_type",
            "`resource_type` applies to block storage only",
        ),
        (
            format!(
                "{BASE}volumes: [{{name: tmp, empty_dir: {{}}, mount: /tmp, resource_type: kubernetes_persistent_volume_claim_v1}}]\n"
            ),
            "volumes[0].resource_type",
            "`resource_type` applies to storage volumes",
        ),
        (
            format!(
                "{BASE}volumes: [{{name: tmp, empty_dir: {{}}, mount: /tmp, autoresize: false}}]\n"
            ),
            "volumes[0].autoresize",
            "`autoresize` applies to storage volumes",
        ),
        (
            format!("{BASE}service: {{enabled: false, resource_type: kubernetes_service_v1}}\n"),
            "service.enabled",
            "the app's Service is switched off, but other Service fields are set",
        ),
    ] {
        let e = errors(&bad_spec);
        assert!(e.contains(message), "{message}: {e}");
        assert!(e.contains(at), "{at}: {e}");
    }
}

#[test]
fn service_accounts_roles_bindings_and_namespace_limits_of_the_v1_resource_types() {
    let spec = format!(
        "{BASE}namespace:
  quota: {{resource_type: kubernetes_resource_quota_v1, hard: {{pods: \"10\"}}}}
  limit_range: {{resource_type: kubernetes_limit_range_v1, limits: [{{type: Container, default: {{memory: 512Mi}}}}]}}
service_accounts:
  - name: app-reader
    resource_type: kubernetes_service_account_v1
    role_resource_type: kubernetes_role_v1
    binding_resource_type: kubernetes_role_binding_v1
    rules:
      - {{api_groups: [\"\"], resources: [pods], verbs: [get]}}
  - name: app-cleaner
    scope: cluster
    role_resource_type: kubernetes_cluster_role_v1
    binding_resource_type: kubernetes_cluster_role_binding_v1
    rules:
      - {{api_groups: [batch], resources: [jobs], verbs: [delete]}}
"
    );
    let (text, body) = render(&spec);
    find(&body, "resource", &["kubernetes_resource_quota_v1", "app"]);
    find(&body, "resource", &["kubernetes_limit_range_v1", "app"]);
    find(
        &body,
        "resource",
        &["kubernetes_service_account_v1", "app_reader"],
    );
    // The other account keeps the default type; each object its own.
    find(
        &body,
        "resource",
        &["kubernetes_service_account", "app_cleaner"],
    );
    find(&body, "resource", &["kubernetes_role_v1", "app_reader"]);
    find(
        &body,
        "resource",
        &["kubernetes_cluster_role_v1", "app_cleaner"],
    );
    let binding = find(
        &body,
        "resource",
        &["kubernetes_role_binding_v1", "app_reader"],
    );
    assert_eq!(
        val(child(binding, &["role_ref"]), "name").unwrap(),
        "kubernetes_role_v1.app_reader.metadata[0].name"
    );
    assert_eq!(
        val(child(binding, &["subject"]), "name").unwrap(),
        "kubernetes_service_account_v1.app_reader.metadata[0].name"
    );
    let cluster_binding = find(
        &body,
        "resource",
        &["kubernetes_cluster_role_binding_v1", "app_cleaner"],
    );
    assert_eq!(
        val(child(cluster_binding, &["role_ref"]), "name").unwrap(),
        "kubernetes_cluster_role_v1.app_cleaner.metadata[0].name"
    );
    assert!(!text.contains("\"kubernetes_role\""), "{text}");

    for (bad_spec, at, message) in [
        (
            // A role of the namespace's scope is not a ClusterRole.
            spec.replacen(
                "role_resource_type: kubernetes_role_v1",
                "role_resource_type: kubernetes_cluster_role_v1",
                1,
            ),
            "service_accounts[0].role_resource_type",
            "use one of `kubernetes_role`, `kubernetes_role_v1`",
        ),
        (
            spec.replacen(
                "binding_resource_type: kubernetes_cluster_role_binding_v1",
                "binding_resource_type: kubernetes_role_binding_v1",
                1,
            ),
            "service_accounts[1].binding_resource_type",
            "`kubernetes_role_binding_v1` is not a resource type of this object",
        ),
        (
            format!(
                "{BASE}service_accounts:\n  - {{role: edit, role_resource_type: kubernetes_role_v1}}\n"
            ),
            "service_accounts[0].role_resource_type",
            "`role_resource_type` names the role of `rules`, and there are none",
        ),
        (
            format!(
                "{BASE}service_accounts:\n  - {{binding_resource_type: kubernetes_role_binding_v1}}\n"
            ),
            "service_accounts[0].binding_resource_type",
            "`binding_resource_type` describes the account's binding, and it has none",
        ),
        (
            spec.replace("kubernetes_resource_quota_v1", "kubernetes_limit_range_v1"),
            "namespace.quota.resource_type",
            "use one of `kubernetes_resource_quota`, `kubernetes_resource_quota_v1`",
        ),
    ] {
        let e = errors(&bad_spec);
        assert!(e.contains(message), "{message}: {e}");
        assert!(e.contains(at), "{at}: {e}");
    }
}

#[test]
fn a_cron_jobs_schedule_may_come_from_a_variable() {
    // Stack-patterns v2 section 4: `schedule` declared as a variable with a default
    // (ci-pipeline-health, k8s-version-upgrade).
    let spec = format!(
        "{BASE}jobs:
  - name: upgrade-check
    schedule: {{var: schedule}}
    containers: [{{image: curlimages/curl:8.10.1}}]
variables:
  schedule: {{default: \"0 3 * * 1\"}}
"
    );
    let (text, body) = render(&spec);
    let job = find(
        &body,
        "resource",
        &["kubernetes_cron_job_v1", "upgrade_check"],
    );
    assert_eq!(
        attr(child(job, &["spec"]), "schedule").as_deref(),
        Some("var.schedule")
    );
    assert!(
        text.contains(
            "variable \"schedule\" {\n  type    = string\n  default = \"0 3 * * 1\"\n}\n"
        ),
        "{text}"
    );
    // Text is still checked as a schedule; a form is checked as that form.
    for (bad, message) in [
        ("\"every day\"", "invalid schedule `every day`"),
        ("{var: Schedule-X}", "is not a Terraform variable name"),
        ("{hcl: each.key}", "names `each.`"),
    ] {
        let e = errors(&spec.replace("{var: schedule}", bad));
        assert!(e.contains("jobs[0].schedule"), "{bad}: {e}");
        assert!(e.contains(message), "{bad}: {message}: {e}");
    }
}

#[test]
fn an_ingress_may_wake_a_sablier_group_the_deployment_is_not_in_with_a_reason() {
    // Stack-patterns v2 section 1.2: nine stacks pass `sablier`, five of them label their
    // Deployment; an ingress may wake another Deployment's group (dbaas's pgadmin). The
    // reason is written above the argument.
    let spec = format!(
        "{BASE}ingress:\n  sablier:\n    group: pgadmin\n    why: Wakes the pgadmin Deployment, which the dbaas stack labels.\n"
    );
    let (text, body) = render(&spec);
    assert_eq!(
        arg_of(&body, "ingress", "sablier").unwrap(),
        "{group = \"pgadmin\"}"
    );
    assert!(
        text.contains(
            "  # Wakes the pgadmin Deployment, which the dbaas stack labels.\n  sablier = {\n"
        ),
        "{text}"
    );
    // The Deployment stays out of scale-to-zero: no sablier labels, its replicas its own.
    let deployment = find(&body, "resource", &["kubernetes_deployment", "app"]);
    let labels = val(child(deployment, &["metadata"]), "labels").unwrap();
    assert!(!labels.contains("sablier"), "{labels}");
    assert!(!text.contains("SABLIER_MANAGED_REPLICAS"), "{text}");

    // Enrolled in scale-to-zero, a secondary ingress may wake another group with a
    // reason too; a reason where the group is the Deployment's is refused.
    let (_, body) = render(&format!(
        "{BASE}scale_to_zero: true\ningress: {{}}\ningresses:\n  - {{purpose: admin, paths: [/admin], sablier: {{group: pgadmin, why: the admin UI runs apart}}}}\n"
    ));
    assert_eq!(
        arg_of(&body, "ingress_admin", "sablier").unwrap(),
        "{group = \"pgadmin\"}"
    );
    let bad = errors(&format!(
        "{BASE}scale_to_zero: true\ningress:\n  sablier: {{why: no need}}\n"
    ));
    assert!(bad.contains("ingress.sablier.why"), "{bad}");
    assert!(
        bad.contains("and the Deployment is enrolled in `app`"),
        "{bad}"
    );
    let bad = errors(&format!("{BASE}ingress:\n  sablier: {{group: pgadmin}}\n"));
    assert!(
        bad.contains("or say with the ingress's `sablier.why`"),
        "{bad}"
    );
}

#[test]
fn a_secret_the_stack_writes_under_its_own_secret_name_needs_no_external_secret() {
    // The pod reads `app-secrets`, the stack's secret name; a plain Secret of the stack
    // holds it (plan-time values), so nothing is synced from Vault.
    let spec = format!(
        "{BASE}    env_from: [{{secret: app-secrets}}]
    env:
      - {{name: TOKEN, secret: TOKEN}}
kubernetes_secrets:
  - name: app-secrets
    data: {{TOKEN: {{var: token}}}}
"
    );
    let (text, body) = render(&spec);
    assert!(!text.contains("ExternalSecret"), "{text}");
    assert!(!text.contains("kubernetes_manifest"), "{text}");
    let c = container(&body);
    let env_from = child(c, &["env_from", "secret_ref"]);
    assert_eq!(
        attr(env_from, "name").unwrap(),
        "kubernetes_secret.app_secrets.metadata[0].name"
    );
    // Without the Secret, the same reads are the stack's ExternalSecret's.
    let (text, _) = render(&format!("{BASE}    env_from: [{{secret: app-secrets}}]\n"));
    assert!(
        text.contains("resource \"kubernetes_manifest\" \"external_secret\""),
        "{text}"
    );
    // Both at once would write one secret twice.
    let bad = errors(&format!("{spec}secrets: {{}}\n"));
    assert!(
        bad.contains("kubernetes_secrets[0].name")
            && bad.contains("`app-secrets` is the secret `secrets:` syncs from Vault"),
        "{bad}"
    );
}

#[test]
fn an_image_can_be_a_template_of_a_tag_variable() {
    let (text, body) = render(
        "name: app
containers:
  - image: {template: ['ghcr.io/owner/app-frontend:', {var: image_tag}]}
    port: 3000
    resources: {cpu: 10m, memory: 64Mi}
  - name: backend
    image: {template: ['ghcr.io/owner/app-backend:', {var: image_tag}]}
    resources: {cpu: 10m, memory: 64Mi}
variables:
  image_tag: {default: 7c41e9b2}
",
    );
    let deployment = find(&body, "resource", &["kubernetes_deployment", "app"]);
    let images: Vec<String> = child(deployment, &["spec", "template", "spec"])
        .body()
        .blocks()
        .filter(|b| b.identifier() == "container")
        .map(|c| attr(c, "image").unwrap())
        .collect();
    assert_eq!(
        images,
        [
            "\"ghcr.io/owner/app-frontend:${var.image_tag}\"",
            "\"ghcr.io/owner/app-backend:${var.image_tag}\""
        ],
        "{text}"
    );
    assert!(text.contains("variable \"image_tag\""), "{text}");
    // An image is never read from a secret, nor a bare number.
    for image in [
        "{vault: {path: app, key: image}}",
        "{template: [{eso: tag}]}",
        "12",
    ] {
        let bad = errors(&BASE.replace("ghcr.io/owner/app:1.0", image));
        assert!(
            bad.contains("containers[0].image")
                && bad.contains("an image is its reference, or a template of text and variables"),
            "{image}: {bad}"
        );
    }
}

#[test]
fn an_image_left_out_of_keels_ignores_needs_no_reason_when_keel_is_opted_out() {
    let sidecar =
        "  - name: exporter\n    image: nginx/nginx-prometheus-exporter:1.3\n    keel: false\n";
    let (text, _) = render(&format!("{BASE}{sidecar}keel_owns: {{policy: never}}\n"));
    assert!(text.contains("container[0].image"), "{text}");
    assert!(!text.contains("container[1].image"), "{text}");
    assert!(!text.contains("dlgen:allow keel-ignores"), "{text}");
    // A reason would explain nothing, and write a suppression that silences nothing.
    let bad = errors(&format!(
        "{BASE}{sidecar}    keel_why: pinned\nkeel_owns: {{policy: never}}\n"
    ));
    assert!(
        bad.contains("containers[1].keel_why") && bad.contains("opts out of Keel"),
        "{bad}"
    );
    // Keel on, the same container needs its reason.
    let bad = errors(&format!("{BASE}{sidecar}"));
    assert!(bad.contains("needs a written reason"), "{bad}");
}

#[test]
fn the_words_on_a_keel_image_entry_can_be_the_stacks_own() {
    // k8s-portal: `# Keel manages ghcr:latest digest` on its image entry.
    let spec = BASE.replace(
        "    port: 8080\n",
        "    port: 8080\n    keel_comment: Keel manages ghcr:latest digest\n",
    );
    let (text, _) = render(&spec);
    assert!(
        text.contains(
            "container[0].image, # KEEL_IGNORE_IMAGE — Keel manages ghcr:latest digest\n"
        ),
        "{text}"
    );
    // Without it, the conventions' words.
    let (text, _) = render(BASE);
    assert!(
        text.contains("container[0].image, # KEEL_IGNORE_IMAGE — Keel manages tag updates\n"),
        "{text}"
    );
    for (words, expect) in [
        ("KEEL_IGNORE_IMAGE again", "`KEEL_IGNORE_IMAGE` is a marker"),
        (
            "'dlgen:allow keel-ignores x'",
            "cannot suppress a lint rule",
        ),
        ("\"two\\nlines\"", "one line of words"),
    ] {
        let bad = errors(&BASE.replace(
            "    port: 8080\n",
            &format!("    port: 8080\n    keel_comment: {words}\n"),
        ));
        assert!(
            bad.contains("containers[0].keel_comment") && bad.contains(expect),
            "{words}: {bad}"
        );
    }
    // A container Keel does not update has no entry to comment.
    let bad = errors(&BASE.replace(
        "    port: 8080\n",
        "    port: 8080\n    keel: false\n    keel_why: pinned\n    keel_comment: words\n",
    ));
    assert!(
        bad.contains("containers[0].keel_comment") && bad.contains("which this container has not"),
        "{bad}"
    );
}

#[test]
fn the_stacks_own_backup_job_needs_no_reason_and_no_suppression() {
    let spec = format!(
        "{BASE}volumes:
  - {{name: data, storage: proxmox-lvm, mount: /data}}
  - {{name: backup, storage: nfs, pod: false}}
jobs:
  - name: app-dump
    address: dump
    schedule: \"0 2 * * *\"
    containers:
      - {{image: docker.io/library/alpine:3.20, command: [/bin/sh, -c, dump]}}
    volumes:
      - {{name: backup, claim: app-backup, mount: /backup}}
backup: {{job: kubernetes_cron_job_v1.dump}}
"
    );
    let (text, body) = render(&spec);
    find(&body, "resource", &["kubernetes_cron_job_v1", "dump"]);
    // dlgen's own backup CronJob is not written.
    assert!(
        !text.contains("resource \"kubernetes_cron_job_v1\" \"backup\""),
        "{text}"
    );
    assert!(!text.contains("dlgen:allow"), "{text}");

    let bad = errors(&spec.replace("cron_job_v1.dump}", "cron_job_v1.dumb}"));
    assert!(
        bad.contains("`kubernetes_cron_job_v1.dumb` is not an object of this stack")
            && bad.contains("did you mean `kubernetes_cron_job_v1.dump`?"),
        "{bad}"
    );
    let bad = errors(&spec.replace("{job:", "{why: none needed, job:"));
    assert!(
        bad.contains("`job` names the stack's own backup, which needs no switch and no reason"),
        "{bad}"
    );
}
