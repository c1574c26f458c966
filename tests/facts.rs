//! The committed drone-logbook stack against the fact sheet of the real stacks (sections
//! 1–3), read back with hcl-rs: addresses in file order, attribute values, the order of
//! `env`, `volume_mount`, `volume` and `ignore_changes` entries, the marker comments, the
//! backup script and the auth comment rule. The scale-to-zero revision is checked for its
//! differences. When `terraform` is on PATH, the stacks are also `terraform fmt` clean.

mod common;

use std::path::Path;
use std::process::Command;

use common::ROOT;
use hcl::eval::{Context, Evaluate};
use hcl::{Block, Body, Expression};

fn committed(file: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join("stacks/drone-logbook").join(file)).unwrap()
}

fn rendered_fixture() -> String {
    let renderer = dlgen::render::Renderer::new().unwrap();
    let spec = Path::new(ROOT).join("tests/fixtures/specs/drone-logbook-scale-to-zero.yaml");
    let g = dlgen::generate::generate(&renderer, &spec, Path::new(ROOT).join("stacks").as_path())
        .unwrap();
    g.files
        .into_iter()
        .find(|f| f.name == "main.tf")
        .unwrap()
        .contents
}

/// An expression as compact HCL text.
fn text_of(expr: &Expression) -> String {
    use hcl::format::{Format, Formatter};
    let mut f = Formatter::builder().compact_arrays(true).build_vec();
    expr.format(&mut f).unwrap();
    String::from_utf8(f.into_inner()).unwrap()
}

fn address(block: &Block) -> String {
    let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
    match block.identifier() {
        "resource" => labels.join("."),
        kind => format!("{kind}.{}", labels.join(".")),
    }
}

fn top(body: &Body, addr: &str) -> Block {
    body.blocks()
        .find(|b| address(b) == addr)
        .unwrap_or_else(|| panic!("no block {addr}"))
        .clone()
}

fn child(block: &Block, name: &str) -> Block {
    children(block, name)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {name} in {}", block.identifier()))
}

fn children(block: &Block, name: &str) -> Vec<Block> {
    block
        .body()
        .blocks()
        .filter(|b| b.identifier() == name)
        .cloned()
        .collect()
}

fn path(block: &Block, names: &[&str]) -> Block {
    names.iter().fold(block.clone(), |b, n| child(&b, n))
}

/// An attribute's value as HCL text (`"x"`, `local.tiers.aux`, `80`).
fn attr(block: &Block, name: &str) -> String {
    let expr = block
        .body()
        .attributes()
        .find(|a| a.key() == name)
        .unwrap_or_else(|| panic!("no attribute {name} in {}", block.identifier()))
        .expr();
    text_of(expr)
}

fn has_attr(block: &Block, name: &str) -> bool {
    block.body().attributes().any(|a| a.key() == name)
}

/// The items of an object attribute, as (key, value) HCL text, in file order.
fn object(block: &Block, name: &str) -> Vec<(String, String)> {
    let expr = block
        .body()
        .attributes()
        .find(|a| a.key() == name)
        .unwrap()
        .expr()
        .clone();
    let Expression::Object(items) = expr else {
        panic!("{name} is not an object")
    };
    items
        .iter()
        .map(|(k, v)| {
            let key = match k {
                hcl::ObjectKey::Identifier(i) => i.to_string(),
                hcl::ObjectKey::Expression(Expression::String(s)) => s.clone(),
                other => panic!("unexpected key {other:?}"),
            };
            (key, text_of(v))
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn ignore_changes(block: &Block) -> Vec<String> {
    let lifecycle = child(block, "lifecycle");
    let expr = lifecycle
        .body()
        .attributes()
        .find(|a| a.key() == "ignore_changes")
        .unwrap()
        .expr()
        .clone();
    let Expression::Array(items) = expr else {
        panic!("ignore_changes is not a list")
    };
    items.iter().map(text_of).collect()
}

const DEPLOYMENT_IGNORES: [&str; 9] = [
    "spec[0].template[0].spec[0].dns_config",
    "metadata[0].annotations[\"keel.sh/policy\"]",
    "metadata[0].annotations[\"keel.sh/trigger\"]",
    "metadata[0].annotations[\"keel.sh/pollSchedule\"]",
    "metadata[0].annotations[\"keel.sh/match-tag\"]",
    "spec[0].template[0].spec[0].container[0].image",
    "metadata[0].annotations[\"kubernetes.io/change-cause\"]",
    "metadata[0].annotations[\"deployment.kubernetes.io/revision\"]",
    "spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"]",
];

#[test]
fn addresses_in_file_order() {
    let body = hcl::parse(&committed("main.tf")).unwrap();
    let addresses: Vec<String> = body.blocks().map(address).collect();
    assert_eq!(
        addresses,
        [
            "variable.tls_secret_name",
            "variable.nfs_server",
            "kubernetes_namespace.drone_logbook",
            "kubernetes_manifest.external_secret",
            "module.tls_secret",
            "kubernetes_persistent_volume_claim.data",
            "module.nfs_sync_logs",
            "kubernetes_deployment.drone_logbook",
            "kubernetes_service.drone_logbook",
            "module.nfs_backup",
            "kubernetes_cron_job_v1.backup",
            "module.ingress",
        ]
    );
    let tls = top(&body, "variable.tls_secret_name");
    assert_eq!(attr(&tls, "type"), "string");
    assert_eq!(attr(&tls, "sensitive"), "true");
    assert_eq!(attr(&top(&body, "variable.nfs_server"), "type"), "string");
    assert!(committed("main.tf").contains("\nvariable \"nfs_server\" { type = string }\n"));
}

#[test]
fn every_file_says_it_is_generated_and_from_which_spec() {
    for file in ["main.tf", "terragrunt.hcl"] {
        assert!(
            committed(file).starts_with(
                "# Generated by dlgen from specs/drone-logbook.yaml. DO NOT EDIT BY HAND:\n"
            ),
            "{file}"
        );
    }
}

#[test]
fn terragrunt_has_the_two_blocks() {
    let body = hcl::parse(&committed("terragrunt.hcl")).unwrap();
    let blocks: Vec<String> = body.blocks().map(address).collect();
    assert_eq!(blocks, ["include.root", "dependency.platform"]);
    assert_eq!(
        attr(&top(&body, "include.root"), "path"),
        "find_in_parent_folders()"
    );
    let dep = top(&body, "dependency.platform");
    assert_eq!(attr(&dep, "config_path"), "\"../platform\"");
    assert_eq!(attr(&dep, "skip_outputs"), "true");
    let link = std::fs::read_link(Path::new(ROOT).join("stacks/drone-logbook/secrets")).unwrap();
    assert_eq!(link, Path::new("../../secrets"));
}

#[test]
fn namespace_secret_and_tls() {
    let text = committed("main.tf");
    let body = hcl::parse(&text).unwrap();
    let ns = top(&body, "kubernetes_namespace.drone_logbook");
    let meta = child(&ns, "metadata");
    assert_eq!(attr(&meta, "name"), "\"drone-logbook\"");
    assert_eq!(
        object(&meta, "labels"),
        pairs(&[
            ("tier", "local.tiers.aux"),
            ("keel.sh/enrolled", "\"true\"")
        ])
    );
    assert_eq!(
        ignore_changes(&ns),
        ["metadata[0].labels[\"goldilocks.fairwinds.com/vpa-update-mode\"]"]
    );
    assert!(text.contains("    # KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps"));
    // The header comment names the upstream project, the drone, the image and the design.
    let header = text
        .split("resource \"kubernetes_namespace\"")
        .next()
        .unwrap();
    for fact in [
        "arpanghosh8453/open-dronelog",
        "DJI Mini 4 Pro",
        "NOT the",
        "docs/plans/2026-07-04-drone-logbook-design.md",
    ] {
        assert!(header.contains(fact), "namespace comment lacks {fact}");
    }

    let es = top(&body, "kubernetes_manifest.external_secret");
    assert_eq!(
        attr(&child(&es, "field_manager"), "force_conflicts"),
        "true"
    );
    let manifest = es
        .body()
        .attributes()
        .find(|a| a.key() == "manifest")
        .unwrap()
        .expr()
        .evaluate(&Context::new())
        .unwrap();
    let expected = hcl::parse(
        r#"m = {
          apiVersion = "external-secrets.io/v1"
          kind = "ExternalSecret"
          metadata = { name = "drone-logbook-secrets", namespace = "drone-logbook" }
          spec = {
            refreshInterval = "15m"
            secretStoreRef = { name = "vault-kv", kind = "ClusterSecretStore" }
            target = { name = "drone-logbook-secrets" }
            dataFrom = [{ extract = { key = "drone-logbook" } }]
          }
        }"#,
    )
    .unwrap()
    .attributes()
    .next()
    .unwrap()
    .expr()
    .evaluate(&Context::new())
    .unwrap();
    assert_eq!(manifest, expected);
    assert_eq!(
        attr(&es, "depends_on"),
        "[kubernetes_namespace.drone_logbook]"
    );

    let tls = top(&body, "module.tls_secret");
    assert_eq!(
        attr(&tls, "source"),
        "\"../../modules/kubernetes/setup_tls_secret\""
    );
    assert_eq!(
        attr(&tls, "namespace"),
        "kubernetes_namespace.drone_logbook.metadata[0].name"
    );
    assert_eq!(attr(&tls, "tls_secret_name"), "var.tls_secret_name");
}

#[test]
fn volumes() {
    let body = hcl::parse(&committed("main.tf")).unwrap();
    let pvc = top(&body, "kubernetes_persistent_volume_claim.data");
    assert_eq!(
        pvc.body().attributes().next().unwrap().key(),
        "wait_until_bound",
        "wait_until_bound comes first"
    );
    assert_eq!(attr(&pvc, "wait_until_bound"), "false");
    let meta = child(&pvc, "metadata");
    assert_eq!(attr(&meta, "name"), "\"drone-logbook-data-encrypted\"");
    assert_eq!(
        object(&meta, "annotations"),
        pairs(&[
            ("resize.topolvm.io/threshold", "\"10%\""),
            ("resize.topolvm.io/increase", "\"100%\""),
            ("resize.topolvm.io/storage_limit", "\"10Gi\""),
        ])
    );
    let spec = child(&pvc, "spec");
    assert_eq!(attr(&spec, "access_modes"), "[\"ReadWriteOnce\"]");
    assert_eq!(
        attr(&spec, "storage_class_name"),
        "\"proxmox-lvm-encrypted\""
    );
    assert_eq!(
        object(&child(&spec, "resources"), "requests"),
        pairs(&[("storage", "\"2Gi\"")])
    );
    assert_eq!(ignore_changes(&pvc), ["spec[0].resources[0].requests"]);

    let sync = top(&body, "module.nfs_sync_logs");
    assert_eq!(
        attr(&sync, "source"),
        "\"../../modules/kubernetes/nfs_volume\""
    );
    assert_eq!(attr(&sync, "name"), "\"drone-logbook-sync-logs\"");
    assert_eq!(attr(&sync, "nfs_server"), "var.nfs_server");
    assert_eq!(
        attr(&sync, "nfs_path"),
        "\"/srv/nfs/drone-logbook/sync-logs\""
    );
    assert_eq!(attr(&sync, "storage"), "\"5Gi\"");

    let backup = top(&body, "module.nfs_backup");
    assert_eq!(attr(&backup, "name"), "\"drone-logbook-backup-host\"");
    assert_eq!(
        attr(&backup, "nfs_path"),
        "\"/srv/nfs/drone-logbook-backup\""
    );
    assert!(
        !has_attr(&backup, "storage"),
        "the backup target takes the module's default size"
    );
}

#[test]
fn deployment() {
    let text = committed("main.tf");
    let body = hcl::parse(&text).unwrap();
    let d = top(&body, "kubernetes_deployment.drone_logbook");
    let meta = child(&d, "metadata");
    assert_eq!(attr(&meta, "name"), "\"drone-logbook\"");
    assert_eq!(
        object(&meta, "labels"),
        pairs(&[
            ("app", "\"drone-logbook\""),
            ("kubernetes.io/cluster-service", "\"true\""),
            ("tier", "local.tiers.aux")
        ])
    );
    let spec = child(&d, "spec");
    assert_eq!(attr(&spec, "replicas"), "1");
    assert_eq!(attr(&child(&spec, "strategy"), "type"), "\"Recreate\"");
    assert!(
        text.contains("    # DuckDB is an embedded, single-writer database"),
        "the strategy says why"
    );
    assert_eq!(
        object(&child(&spec, "selector"), "match_labels"),
        pairs(&[("app", "\"drone-logbook\"")])
    );
    assert_eq!(
        object(&path(&spec, &["template", "metadata"]), "labels"),
        pairs(&[
            ("app", "\"drone-logbook\""),
            ("kubernetes.io/cluster-service", "\"true\"")
        ])
    );
    let pod = path(&spec, &["template", "spec"]);
    let c = child(&pod, "container");
    assert_eq!(
        attr(&c, "image"),
        "\"ghcr.io/arpanghosh8453/open-dronelog:latest\""
    );
    let env: Vec<(String, String)> = children(&c, "env")
        .iter()
        .map(|e| {
            let value = if has_attr(e, "value") {
                attr(e, "value")
            } else {
                let r = path(e, &["value_from", "secret_key_ref"]);
                format!("secret {} {}", attr(&r, "name"), attr(&r, "key"))
            };
            (attr(e, "name"), value)
        })
        .collect();
    assert_eq!(
        env,
        pairs(&[
            ("\"RUST_LOG\"", "\"info\""),
            ("\"KEEP_UPLOADED_FILES\"", "\"true\""),
            ("\"SYNC_LOGS_PATH\"", "\"/sync-logs\""),
            ("\"SYNC_INTERVAL\"", "\"0 0 */8 * * *\""),
            (
                "\"PROFILE_CREATION_PASS\"",
                "secret \"drone-logbook-secrets\" \"profile_creation_pass\""
            ),
        ])
    );
    let mounts: Vec<(String, String, bool)> = children(&c, "volume_mount")
        .iter()
        .map(|m| {
            (
                attr(m, "name"),
                attr(m, "mount_path"),
                has_attr(m, "read_only") && attr(m, "read_only") == "true",
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            (
                "\"data\"".to_owned(),
                "\"/data/drone-logbook\"".to_owned(),
                false
            ),
            (
                "\"sync-logs\"".to_owned(),
                "\"/sync-logs\"".to_owned(),
                true
            ),
        ]
    );
    let port = child(&c, "port");
    assert_eq!(
        (
            attr(&port, "name"),
            attr(&port, "container_port"),
            attr(&port, "protocol")
        ),
        ("\"http\"".into(), "80".into(), "\"TCP\"".into())
    );
    let res = child(&c, "resources");
    assert_eq!(
        object(&res, "requests"),
        pairs(&[("cpu", "\"25m\""), ("memory", "\"512Mi\"")])
    );
    assert_eq!(
        object(&res, "limits"),
        pairs(&[("memory", "\"512Mi\"")]),
        "no CPU limit, memory limit = request"
    );
    let volumes: Vec<(String, String)> = children(&pod, "volume")
        .iter()
        .map(|v| {
            (
                attr(v, "name"),
                attr(&child(v, "persistent_volume_claim"), "claim_name"),
            )
        })
        .collect();
    assert_eq!(
        volumes,
        pairs(&[
            (
                "\"data\"",
                "kubernetes_persistent_volume_claim.data.metadata[0].name"
            ),
            ("\"sync-logs\"", "module.nfs_sync_logs.claim_name"),
        ])
    );
    assert_eq!(ignore_changes(&d), DEPLOYMENT_IGNORES);
    for (entry, marker) in [
        (
            "spec[0].template[0].spec[0].dns_config,",
            "# KYVERNO_LIFECYCLE_V1",
        ),
        (
            "metadata[0].annotations[\"keel.sh/pollSchedule\"],",
            "# KYVERNO_LIFECYCLE_V2",
        ),
        (
            "spec[0].template[0].spec[0].container[0].image,",
            "# KEEL_IGNORE_IMAGE — Keel manages tag updates",
        ),
        (
            "spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"],",
            "# KEEL_LIFECYCLE_V1",
        ),
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(entry))
            .unwrap();
        assert!(
            line.trim_end().ends_with(marker),
            "{entry} lacks {marker}: {line}"
        );
    }
    assert_eq!(
        attr(&d, "depends_on"),
        "[kubernetes_manifest.external_secret]"
    );
}

#[test]
fn service() {
    let text = committed("main.tf");
    let body = hcl::parse(&text).unwrap();
    let s = top(&body, "kubernetes_service.drone_logbook");
    assert!(
        text.contains("      \"app\" = \"drone-logbook\"\n"),
        "the service label key is quoted"
    );
    let port = path(&s, &["spec", "port"]);
    assert_eq!(
        (attr(&port, "port"), attr(&port, "target_port")),
        ("\"80\"".into(), "\"80\"".into())
    );
    assert_eq!(
        object(&child(&s, "spec"), "selector"),
        pairs(&[("app", "\"drone-logbook\"")])
    );
}

#[test]
fn backup_cron_job() {
    let text = committed("main.tf");
    let body = hcl::parse(&text).unwrap();
    let cj = top(&body, "kubernetes_cron_job_v1.backup");
    assert_eq!(
        attr(&child(&cj, "metadata"), "name"),
        "\"drone-logbook-backup\""
    );
    let spec = child(&cj, "spec");
    for (name, value) in [
        ("concurrency_policy", "\"Replace\""),
        ("failed_jobs_history_limit", "5"),
        ("schedule", "\"30 1 * * *\""),
        ("starting_deadline_seconds", "300"),
        ("successful_jobs_history_limit", "3"),
    ] {
        assert_eq!(attr(&spec, name), value, "{name}");
    }
    let job = path(&spec, &["job_template", "spec"]);
    assert_eq!(attr(&job, "backoff_limit"), "3");
    assert_eq!(attr(&job, "ttl_seconds_after_finished"), "10");
    let pod = path(&job, &["template", "spec"]);
    let required = path(
        &pod,
        &[
            "affinity",
            "pod_affinity",
            "required_during_scheduling_ignored_during_execution",
        ],
    );
    assert_eq!(
        object(&child(&required, "label_selector"), "match_labels"),
        pairs(&[("app", "\"drone-logbook\"")])
    );
    assert_eq!(
        attr(&required, "topology_key"),
        "\"kubernetes.io/hostname\""
    );
    let c = child(&pod, "container");
    assert_eq!(attr(&c, "name"), "\"drone-logbook-backup\"");
    assert_eq!(attr(&c, "image"), "\"docker.io/library/alpine\"");
    let command = c
        .body()
        .attributes()
        .find(|a| a.key() == "command")
        .unwrap()
        .expr()
        .evaluate(&Context::new())
        .unwrap();
    let hcl::Value::Array(command) = command else {
        panic!("command is not a list")
    };
    assert_eq!(
        command[..2],
        [hcl::Value::from("/bin/sh"), hcl::Value::from("-c")]
    );
    let script = command[2].as_str().unwrap();
    let steps = [
        "set -euxo pipefail",
        "_t0=$(date +%s)",
        "now=$(date +\"%Y_%m_%d_%H_%M\")",
        "mkdir -p \"/backup/$now\"",
        "cp -a /data/. \"/backup/$now/\"",
        "# Rotate — 30 day retention",
        "find /backup -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} +",
        "_dur=",
        "_out_bytes=$(du -sb",
        "wget -qO- --post-data \"backup_duration_seconds ${_dur}",
        "backup_output_bytes ${_out_bytes}",
        "backup_last_success_timestamp $(date +%s)",
        "http://prometheus-prometheus-pushgateway.monitoring:9091/metrics/job/drone-logbook-backup\" || true",
    ];
    let mut rest = script;
    for step in steps {
        let at = rest
            .find(step)
            .unwrap_or_else(|| panic!("script lacks (or misorders) {step:?}:\n{script}"));
        rest = &rest[at + step.len()..];
    }
    assert!(
        !script.starts_with(' '),
        "the flush heredoc strips the indentation"
    );
    let mounts: Vec<(String, String, bool)> = children(&c, "volume_mount")
        .iter()
        .map(|m| {
            (
                attr(m, "name"),
                attr(m, "mount_path"),
                has_attr(m, "read_only"),
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            ("\"data\"".to_owned(), "\"/data\"".to_owned(), true),
            ("\"backup\"".to_owned(), "\"/backup\"".to_owned(), false)
        ]
    );
    let volumes: Vec<(String, String)> = children(&pod, "volume")
        .iter()
        .map(|v| {
            (
                attr(v, "name"),
                attr(&child(v, "persistent_volume_claim"), "claim_name"),
            )
        })
        .collect();
    assert_eq!(
        volumes,
        pairs(&[
            (
                "\"data\"",
                "kubernetes_persistent_volume_claim.data.metadata[0].name"
            ),
            ("\"backup\"", "module.nfs_backup.claim_name"),
        ])
    );
    let option = path(&pod, &["dns_config", "option"]);
    assert_eq!(
        (attr(&option, "name"), attr(&option, "value")),
        ("\"ndots\"".into(), "\"2\"".into())
    );
    assert_eq!(
        ignore_changes(&cj),
        ["spec[0].job_template[0].spec[0].template[0].spec[0].dns_config"]
    );
    assert!(text.contains("    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config"));
    let section = &text[..text.find("module \"nfs_backup\"").unwrap()];
    let comment = section.rsplit("\n\n").next().unwrap();
    assert!(
        comment.contains("01:30")
            && comment.contains("00:00/08:00/16:00")
            && comment.contains("co-schedules"),
        "{comment}"
    );
}

#[test]
fn ingress_and_the_auth_comment() {
    let text = committed("main.tf");
    let body = hcl::parse(&text).unwrap();
    let i = top(&body, "module.ingress");
    assert!(text.contains("\n# https://dronelog.viktorbarzin.me\nmodule \"ingress\" {\n"));
    assert_eq!(
        attr(&i, "source"),
        "\"../../modules/kubernetes/ingress_factory\""
    );
    assert_eq!(attr(&i, "auth"), "\"required\"");
    let auth_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("auth "))
        .unwrap();
    assert!(
        auth_line.contains("# Authentik forward-auth") && auth_line.contains("GPS traces"),
        "{auth_line}"
    );
    assert_eq!(attr(&i, "dns_type"), "\"proxied\"");
    assert_eq!(attr(&i, "name"), "\"dronelog\"");
    assert_eq!(attr(&i, "service_name"), "\"drone-logbook\"");
    assert_eq!(attr(&i, "tls_secret_name"), "var.tls_secret_name");
    assert_eq!(
        object(&i, "extra_annotations"),
        pairs(&[
            ("gethomepage.dev/enabled", "\"true\""),
            ("gethomepage.dev/name", "\"Drone Logbook\""),
            ("gethomepage.dev/description", "\"DJI flight log analyzer\""),
            ("gethomepage.dev/icon", "\"mdi-quadcopter\""),
            ("gethomepage.dev/group", "\"Media & Entertainment\""),
            ("gethomepage.dev/pod-selector", "\"\""),
        ])
    );
    assert!(!has_attr(&i, "sablier"));
}

#[test]
fn scale_to_zero_revision() {
    let text = rendered_fixture();
    let body = hcl::parse(&text).unwrap();
    let d = top(&body, "kubernetes_deployment.drone_logbook");
    let labels = object(&child(&d, "metadata"), "labels");
    assert_eq!(
        labels[3..],
        pairs(&[
            ("sablier.enable", "\"true\""),
            ("sablier.group", "\"drone-logbook\""),
            ("sablier.ready-after", "\"5s\"")
        ])
    );
    let mut ignores = DEPLOYMENT_IGNORES.map(str::to_owned).to_vec();
    ignores.push("spec[0].replicas".to_owned());
    assert_eq!(ignore_changes(&d), ignores);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("spec[0].replicas,"))
        .unwrap();
    assert!(
        line.trim_end()
            .ends_with("# SABLIER_MANAGED_REPLICAS — sablier scales 0<->1 (ADR-0022)"),
        "{line}"
    );
    assert_eq!(
        object(&top(&body, "module.ingress"), "sablier"),
        pairs(&[("group", "\"drone-logbook\"")])
    );
    let affinity = path(
        &top(&body, "kubernetes_cron_job_v1.backup"),
        &[
            "spec",
            "job_template",
            "spec",
            "template",
            "spec",
            "affinity",
            "pod_affinity",
        ],
    );
    assert!(
        children(
            &affinity,
            "required_during_scheduling_ignored_during_execution"
        )
        .is_empty()
    );
    let preferred = child(
        &affinity,
        "preferred_during_scheduling_ignored_during_execution",
    );
    assert_eq!(attr(&preferred, "weight"), "100");
    let term = child(&preferred, "pod_affinity_term");
    assert_eq!(
        object(&child(&term, "label_selector"), "match_labels"),
        pairs(&[("app", "\"drone-logbook\"")])
    );
    assert_eq!(attr(&term, "topology_key"), "\"kubernetes.io/hostname\"");
}

#[test]
fn stacks_are_terraform_fmt_clean() {
    if Command::new("terraform").arg("version").output().is_err() {
        eprintln!("skipped: terraform is not on PATH, so `terraform fmt -check` cannot run");
        return;
    }
    let out = Command::new("terraform")
        .args(["fmt", "-check", "-diff", "-recursive", "stacks"])
        .current_dir(ROOT)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "terraform fmt -check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The fixture revision too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), rendered_fixture()).unwrap();
    let out = Command::new("terraform")
        .args(["fmt", "-check", "-diff"])
        .arg(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// --- Section 4: freshrss and vaultwarden --------------------------------------------------

fn stack(name: &str) -> (String, Body) {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join("stacks").join(name).join("main.tf")).unwrap();
    let body = hcl::parse(&text).unwrap();
    (text, body)
}

fn moved_pairs(body: &Body) -> Vec<(String, String)> {
    body.blocks()
        .filter(|b| b.identifier() == "moved")
        .map(|b| (attr(b, "from"), attr(b, "to")))
        .collect()
}

fn env_of(container: &Block) -> Vec<(String, String)> {
    children(container, "env")
        .iter()
        .map(|e| (attr(e, "name"), attr(e, "value")))
        .collect()
}

#[test]
fn freshrss_matches_section_4_1() {
    let (text, body) = stack("freshrss");
    let addresses: Vec<String> = body.blocks().map(address).collect();
    assert_eq!(
        addresses,
        [
            "variable.tls_secret_name",
            "variable.nfs_server",
            "kubernetes_namespace.freshrss",
            "kubernetes_manifest.external_secret",
            "data.kubernetes_secret.eso_secrets",
            "locals.",
            "module.tls_secret",
            "kubernetes_persistent_volume_claim.data_proxmox",
            "module.nfs_extensions",
            "kubernetes_deployment.freshrss",
            "kubernetes_service.freshrss",
            "module.ingress",
            "moved.",
        ]
    );
    // The historical namespace address moves instead of being destroyed.
    assert_eq!(
        moved_pairs(&body),
        pairs(&[(
            "kubernetes_namespace.immich",
            "kubernetes_namespace.freshrss"
        )])
    );
    let ns = top(&body, "kubernetes_namespace.freshrss");
    assert_eq!(
        object(&child(&ns, "metadata"), "labels"),
        pairs(&[
            ("tier", "local.tiers.aux"),
            ("keel.sh/enrolled", "\"true\"")
        ])
    );
    let data = top(&body, "data.kubernetes_secret.eso_secrets");
    assert_eq!(
        attr(&child(&data, "metadata"), "name"),
        "\"freshrss-secrets\""
    );
    assert_eq!(
        attr(&data, "depends_on"),
        "[kubernetes_manifest.external_secret]"
    );
    let locals = body.blocks().find(|b| b.identifier() == "locals").unwrap();
    assert_eq!(
        attr(locals, "homepage_credentials"),
        "jsondecode(data.kubernetes_secret.eso_secrets.data[\"homepage_credentials\"])"
    );
    let pvc = top(&body, "kubernetes_persistent_volume_claim.data_proxmox");
    assert_eq!(attr(&pvc, "wait_until_bound"), "false");
    assert_eq!(
        attr(&child(&pvc, "metadata"), "name"),
        "\"freshrss-data-proxmox\""
    );
    assert_eq!(
        attr(&child(&pvc, "spec"), "storage_class_name"),
        "\"proxmox-lvm\""
    );
    assert_eq!(
        object(&path(&pvc, &["spec", "resources"]), "requests"),
        pairs(&[("storage", "\"1Gi\"")])
    );
    assert_eq!(
        object(&child(&pvc, "metadata"), "annotations")[2].1,
        "\"5Gi\""
    );
    // The missing backup is a deliberate, reasoned break that lint knows about.
    let before_pvc = &text[..text
        .find("resource \"kubernetes_persistent_volume_claim\"")
        .unwrap()];
    assert!(
        before_pvc
            .lines()
            .last()
            .unwrap()
            .starts_with("# dlgen:allow block-storage-backup ")
    );
    let nfs = top(&body, "module.nfs_extensions");
    assert_eq!(attr(&nfs, "name"), "\"freshrss-extensions\"");
    assert_eq!(attr(&nfs, "nfs_path"), "\"/srv/nfs/freshrss/extensions\"");
    assert_eq!(attr(&nfs, "storage"), "\"1Gi\"");

    let d = top(&body, "kubernetes_deployment.freshrss");
    assert!(!has_attr(&d, "depends_on"));
    let spec = child(&d, "spec");
    assert_eq!(attr(&child(&spec, "strategy"), "type"), "\"Recreate\"");
    let c = path(&spec, &["template", "spec", "container"]);
    assert_eq!(attr(&c, "name"), "\"freshrss\"");
    assert_eq!(attr(&c, "image"), "\"freshrss/freshrss\"");
    assert_eq!(
        env_of(&c),
        pairs(&[
            ("\"CRON_MIN\"", "\"0,30\""),
            ("\"BASE_URL\"", "\"https://rss.viktorbarzin.me\""),
            ("\"PUBLISHED_PORT\"", "80"),
        ])
    );
    let mounts: Vec<(String, String)> = children(&c, "volume_mount")
        .iter()
        .map(|m| (attr(m, "name"), attr(m, "mount_path")))
        .collect();
    assert_eq!(
        mounts,
        pairs(&[
            ("\"data\"", "\"/var/www/FreshRSS/data\""),
            ("\"extensions\"", "\"/var/www/FreshRSS/extensions\""),
        ])
    );
    assert_eq!(
        object(&child(&c, "resources"), "requests"),
        pairs(&[("cpu", "\"15m\""), ("memory", "\"256Mi\"")])
    );
    assert_eq!(ignore_changes(&d), DEPLOYMENT_IGNORES);

    let i = top(&body, "module.ingress");
    assert_eq!(attr(&i, "auth"), "\"app\"");
    let auth_at = text
        .lines()
        .position(|l| l.trim() == "auth            = \"app\"")
        .unwrap();
    let above = text.lines().nth(auth_at - 2).unwrap();
    assert!(
        above
            .trim_start()
            .starts_with("# auth = \"app\": FreshRSS's built-in login"),
        "{above}"
    );
    assert_eq!(attr(&i, "name"), "\"rss\"");
    assert_eq!(attr(&i, "service_name"), "\"freshrss\"");
    assert_eq!(
        object(&i, "extra_annotations"),
        pairs(&[
            ("gethomepage.dev/enabled", "\"true\""),
            ("gethomepage.dev/name", "\"FreshRSS\""),
            ("gethomepage.dev/description", "\"RSS feed reader\""),
            ("gethomepage.dev/icon", "\"freshrss.png\""),
            ("gethomepage.dev/group", "\"Productivity\""),
            ("gethomepage.dev/pod-selector", "\"\""),
            ("gethomepage.dev/widget.type", "\"freshrss\""),
            (
                "gethomepage.dev/widget.url",
                "\"http://freshrss.freshrss.svc.cluster.local\""
            ),
            (
                "gethomepage.dev/widget.username",
                "local.homepage_credentials[\"freshrss\"][\"username\"]"
            ),
            (
                "gethomepage.dev/widget.password",
                "local.homepage_credentials[\"freshrss\"][\"password\"]"
            ),
        ])
    );
    assert!(
        !text.contains("kubernetes_cron_job_v1"),
        "freshrss has no backup CronJob"
    );
}

#[test]
fn vaultwarden_matches_section_4_2() {
    let (text, body) = stack("vaultwarden");
    let resources: Vec<String> = body
        .blocks()
        .filter(|b| matches!(b.identifier(), "resource" | "module"))
        .map(address)
        .collect();
    assert_eq!(
        resources,
        [
            "kubernetes_namespace.vaultwarden",
            "module.tls_secret",
            "kubernetes_persistent_volume_claim.vaultwarden_data_encrypted",
            "kubernetes_deployment.vaultwarden",
            "kubernetes_service.vaultwarden",
            "module.nfs_vaultwarden_backup_host",
            "kubernetes_cron_job_v1.vaultwarden-backup",
            "kubernetes_cron_job_v1.vaultwarden-integrity-check",
            "module.ingress",
        ]
    );
    // One moved block per wrapped resource and module.
    let moved = moved_pairs(&body);
    assert_eq!(moved.len(), resources.len());
    for (r, (from, to)) in resources.iter().zip(&moved) {
        assert_eq!(
            (from.as_str(), to.as_str()),
            (format!("module.vaultwarden.{r}").as_str(), r.as_str())
        );
    }
    // Labelled `secrets`, as the repo labels the platform path of a stack that does not
    // read its own (section 4.2: `data "vault_kv_secret_v2" "secrets"`, `name = "platform"`).
    assert_eq!(
        attr(&top(&body, "data.vault_kv_secret_v2.secrets"), "name"),
        "\"platform\""
    );
    assert_eq!(
        attr(&top(&body, "data.vault_kv_secret_v2.secrets"), "mount"),
        "\"secret\""
    );
    assert!(has_attr(&top(&body, "variable.mail_host"), "type"));
    let tg =
        std::fs::read_to_string(Path::new(ROOT).join("stacks/vaultwarden/terragrunt.hcl")).unwrap();
    assert!(tg.contains("dependency \"infra\" {\n  config_path  = \"../infra\""));

    let ns = top(&body, "kubernetes_namespace.vaultwarden");
    assert_eq!(
        object(&child(&ns, "metadata"), "labels"),
        pairs(&[
            ("tier", "local.tiers.edge"),
            ("keel.sh/enrolled", "\"true\""),
            ("istio-injection", "\"disabled\"")
        ])
    );
    let pvc = top(
        &body,
        "kubernetes_persistent_volume_claim.vaultwarden_data_encrypted",
    );
    assert!(!has_attr(&pvc, "wait_until_bound"));
    assert_eq!(
        attr(&child(&pvc, "metadata"), "name"),
        "\"vaultwarden-data-encrypted\""
    );
    assert_eq!(
        attr(&child(&pvc, "spec"), "storage_class_name"),
        "\"proxmox-lvm-encrypted\""
    );

    let d = top(&body, "kubernetes_deployment.vaultwarden");
    let meta = child(&d, "metadata");
    assert_eq!(
        object(&meta, "labels"),
        pairs(&[("app", "\"vaultwarden\""), ("tier", "local.tiers.edge")])
    );
    assert_eq!(
        object(&meta, "annotations"),
        pairs(&[
            ("reloader.stakater.com/search", "\"true\""),
            ("keel.sh/policy", "\"minor\"")
        ])
    );
    let template = path(&d, &["spec", "template"]);
    let tmeta = child(&template, "metadata");
    assert_eq!(
        object(&tmeta, "labels"),
        pairs(&[("app", "\"vaultwarden\"")])
    );
    assert_eq!(
        object(&tmeta, "annotations"),
        pairs(&[
            ("diun.enable", "\"true\""),
            ("diun.include_tags", r#""^\\d+(?:\\.\\d+)?(?:\\.\\d+)?$""#)
        ])
    );
    let c = path(&template, &["spec", "container"]);
    assert_eq!(attr(&c, "image"), "\"vaultwarden/server:latest\"");
    assert_eq!(
        env_of(&c),
        pairs(&[
            ("\"DOMAIN\"", "\"https://vaultwarden.viktorbarzin.me\""),
            ("\"SMTP_HOST\"", "var.mail_host"),
            ("\"SMTP_FROM\"", "\"vaultwarden@viktorbarzin.me\""),
            ("\"SMTP_PORT\"", "\"587\""),
            ("\"SMTP_SECURITY\"", "\"starttls\""),
            ("\"SMTP_USERNAME\"", "\"vaultwarden@viktorbarzin.me\""),
            (
                "\"SMTP_PASSWORD\"",
                "data.vault_kv_secret_v2.secrets.data[\"vaultwarden_smtp_password\"]"
            ),
        ])
    );
    let port = child(&c, "port");
    assert_eq!(
        port.body()
            .attributes()
            .map(|a| a.key().to_owned())
            .collect::<Vec<_>>(),
        ["container_port"]
    );
    assert_eq!(attr(&port, "container_port"), "80");
    assert_eq!(
        object(&child(&c, "resources"), "requests"),
        pairs(&[("cpu", "\"10m\""), ("memory", "\"512Mi\"")])
    );
    for (probe, timings) in [
        ("liveness_probe", ["15", "30", "5", "5"]),
        ("readiness_probe", ["5", "30", "5", "3"]),
    ] {
        let pr = child(&c, probe);
        let get = child(&pr, "http_get");
        assert_eq!(
            (attr(&get, "path"), attr(&get, "port")),
            ("\"/alive\"".into(), "80".into())
        );
        let got: Vec<String> = [
            "initial_delay_seconds",
            "period_seconds",
            "timeout_seconds",
            "failure_threshold",
        ]
        .iter()
        .map(|t| attr(&pr, t))
        .collect();
        assert_eq!(got, timings, "{probe}");
    }
    let option = path(&template, &["spec", "dns_config", "option"]);
    assert_eq!(
        (attr(&option, "name"), attr(&option, "value")),
        ("\"ndots\"".into(), "\"2\"".into())
    );
    let mut ignores = DEPLOYMENT_IGNORES.to_vec();
    ignores.retain(|i| !i.contains("keel.sh/policy"));
    assert_eq!(ignore_changes(&d), ignores);

    let port = path(
        &top(&body, "kubernetes_service.vaultwarden"),
        &["spec", "port"],
    );
    assert_eq!(
        (
            attr(&port, "name"),
            attr(&port, "port"),
            attr(&port, "protocol")
        ),
        ("\"http\"".into(), "\"80\"".into(), "\"TCP\"".into())
    );
    assert!(!has_attr(&port, "target_port"));

    let i = top(&body, "module.ingress");
    assert_eq!(attr(&i, "auth"), "\"app\"");
    assert!(text.contains("  # auth = \"app\": Bitwarden clients"));
    assert_eq!(attr(&i, "name"), "\"vaultwarden\"");
    assert!(!has_attr(&i, "service_name"));
    assert_eq!(
        object(&i, "extra_annotations")[1..5].to_vec(),
        pairs(&[
            ("gethomepage.dev/name", "\"Vaultwarden\""),
            ("gethomepage.dev/description", "\"Password manager\""),
            ("gethomepage.dev/icon", "\"vaultwarden.png\""),
            ("gethomepage.dev/group", "\"Other\""),
        ])
    );

    let target = top(&body, "module.nfs_vaultwarden_backup_host");
    assert_eq!(attr(&target, "name"), "\"vaultwarden-backup-host\"");
    assert_eq!(attr(&target, "nfs_server"), "\"192.168.1.127\"");
    assert_eq!(attr(&target, "nfs_path"), "\"/srv/nfs/vaultwarden-backup\"");

    for (addr, facts, backoff, container) in [
        (
            "kubernetes_cron_job_v1.vaultwarden-backup",
            ["\"0 */6 * * *\"", "10", "10"],
            "3",
            "\"vaultwarden-backup\"",
        ),
        (
            "kubernetes_cron_job_v1.vaultwarden-integrity-check",
            ["\"30 * * * *\"", "10", "3"],
            "1",
            "\"integrity-check\"",
        ),
    ] {
        let cj = top(&body, addr);
        let spec = child(&cj, "spec");
        assert_eq!(attr(&spec, "concurrency_policy"), "\"Replace\"");
        assert_eq!(attr(&spec, "failed_jobs_history_limit"), "5");
        let got = [
            "schedule",
            "starting_deadline_seconds",
            "successful_jobs_history_limit",
        ]
        .map(|a| attr(&spec, a));
        assert_eq!(got, facts, "{addr}");
        let job = path(&spec, &["job_template", "spec"]);
        assert_eq!(attr(&job, "backoff_limit"), backoff);
        assert_eq!(attr(&job, "ttl_seconds_after_finished"), "10");
        let pod = path(&job, &["template", "spec"]);
        let req = path(
            &pod,
            &[
                "affinity",
                "pod_affinity",
                "required_during_scheduling_ignored_during_execution",
            ],
        );
        assert_eq!(
            object(&child(&req, "label_selector"), "match_labels"),
            pairs(&[("app", "\"vaultwarden\"")])
        );
        let c = child(&pod, "container");
        assert_eq!(attr(&c, "name"), container);
        assert_eq!(attr(&c, "image"), "\"docker.io/library/alpine\"");
        assert_eq!(
            ignore_changes(&cj),
            ["spec[0].job_template[0].spec[0].template[0].spec[0].dns_config"]
        );
    }
    let script = |addr: &str| -> String {
        let c = path(
            &top(&body, addr),
            &[
                "spec",
                "job_template",
                "spec",
                "template",
                "spec",
                "container",
            ],
        );
        let cmd = c
            .body()
            .attributes()
            .find(|a| a.key() == "command")
            .unwrap()
            .expr()
            .evaluate(&Context::new())
            .unwrap();
        let hcl::Value::Array(cmd) = cmd else {
            panic!()
        };
        cmd[2].as_str().unwrap().to_owned()
    };
    let backup = script("kubernetes_cron_job_v1.vaultwarden-backup");
    let steps = [
        "apk add --no-cache sqlite",
        "PRAGMA integrity_check;",
        "exit 1",
        "sqlite3 \"$db\" \".backup '/backup/$now/db.sqlite3'\"",
        "PRAGMA integrity_check;",
        "rm -rf \"/backup/$now\"",
        "'rsa_key.pem' 'rsa_key.pub.pem' 'attachments' 'sends' 'config.json'",
        "if [ -e \"/data/$f\" ]",
        "-mtime +30",
        "echo \"I/O: read",
        "backup_duration_seconds",
        "backup_read_bytes",
        "backup_written_bytes",
        "backup_output_bytes",
        "backup_last_success_timestamp",
        "/metrics/job/vaultwarden-backup",
    ];
    let mut rest = backup.as_str();
    for step in steps {
        let at = rest
            .find(step)
            .unwrap_or_else(|| panic!("backup script lacks (or misorders) {step:?}:\n{backup}"));
        rest = &rest[at + step.len()..];
    }
    let check = script("kubernetes_cron_job_v1.vaultwarden-integrity-check");
    for fact in [
        "PRAGMA integrity_check;",
        "vaultwarden_sqlite_integrity_ok ${ok}",
        "/metrics/job/vaultwarden-integrity/instance/vaultwarden",
        "[ \"$ok\" = \"1\" ]",
    ] {
        assert!(
            check.contains(fact),
            "integrity check lacks {fact:?}:\n{check}"
        );
    }
    let ic = path(
        &top(&body, "kubernetes_cron_job_v1.vaultwarden-integrity-check"),
        &["spec", "job_template", "spec", "template", "spec"],
    );
    assert_eq!(
        children(&child(&ic, "container"), "volume_mount").len(),
        1,
        "the check mounts the data only"
    );
}
