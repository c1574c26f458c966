//! The hand-written-style stacks of `tests/fixtures/handwritten/` as specs: each spec of
//! `tests/fixtures/specs/<name>.yaml` is rendered in memory and compared with the stack
//! plan-semantically (`dlgen::planeq`: parsed values, not text). What the spec language
//! cannot say yet is listed per stack as the exact differences that remain, each with the
//! feature it waits for; everything else must plan alike.

mod common;

use std::path::{Path, PathBuf};

use common::ROOT;
use dlgen::planeq::{Stack, compare};
use dlgen::render::Renderer;

/// Renders `tests/fixtures/specs/<name>.yaml` in memory and compares it with the
/// hand-written stack of the same name: the `address: path` of each difference, sorted.
fn differences(name: &str) -> Vec<String> {
    let spec = Path::new(ROOT).join(format!("tests/fixtures/specs/{name}.yaml"));
    let text = std::fs::read_to_string(&spec).expect("the spec reads");
    let renderer = Renderer::new().expect("templates compile");
    let label = format!("specs/{name}.yaml");
    let (stack, files) = dlgen::generate::render_text(&renderer, &label, &text, &label)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        stack, name,
        "the stack is named after the fixture directory"
    );
    let rendered = Stack::from_memory(
        &format!("rendered {name}"),
        None,
        files
            .into_iter()
            .map(|f| (PathBuf::from(f.name), f.contents)),
    )
    .expect("the rendered stack reads");
    let hand = Stack::read(&Path::new(ROOT).join(format!("tests/fixtures/handwritten/{name}")))
        .expect("the hand-written stack reads");
    let result = compare(&rendered, &hand);
    let mut lines: Vec<String> = result
        .differences
        .iter()
        .map(|d| match d {
            dlgen::planeq::Difference::OnlyIn { address, side } => format!(
                "{address}: only in {}",
                if *side == dlgen::planeq::Side::A {
                    "spec"
                } else {
                    "hand-written"
                }
            ),
            dlgen::planeq::Difference::Value { address, path, .. } => {
                format!("{address}: {path}")
            }
        })
        .collect();
    lines.sort();
    lines
}

#[track_caller]
fn assert_remaining(name: &str, expected: &[&str]) {
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(differences(name), expected, "{name}");
}

#[test]
fn ledger_sync_in_house_app_with_image_tag_alembic_and_two_env_from_secrets() {
    assert_remaining(
        "ledger-sync",
        &[
            // ExternalSecrets: a per-key `data` list instead of `dataFrom.extract`.
            "kubernetes_manifest.external_secret: manifest.spec.data",
            "kubernetes_manifest.external_secret: manifest.spec.dataFrom",
            // ExternalSecrets: the `vault-database` DSN secret (its template reads
            // `var.postgresql_host`); once declared, the Deployment's derived
            // `depends_on` names it too.
            "kubernetes_manifest.db_external_secret: only in hand-written",
            "var.postgresql_host: only in hand-written",
            "kubernetes_deployment.ledger_sync: depends_on",
            // Services: `type = "ClusterIP"` written.
            "kubernetes_service.ledger_sync: spec[0].type",
            // Terragrunt: dependencies and `inputs`.
            "dependency.vault: only in hand-written",
            "dependency.external-secrets: only in hand-written",
            "inputs: only in hand-written",
        ],
    );
}

#[test]
fn agent_runner_two_containers_sharing_an_empty_dir() {
    assert_remaining(
        "agent-runner",
        &[
            // Service accounts with a RoleBinding.
            "kubernetes_service_account.agent_runner: only in hand-written",
            "kubernetes_role_binding.agent_runner_edit: only in hand-written",
            // Services: an address of their own.
            "kubernetes_service.agent-runner: only in hand-written",
            "kubernetes_service.agent_runner: only in spec",
            // The TLS module left out (Kyverno clones the wildcard secret).
            "module.tls_secret: only in spec",
            // Ingress: `allowed_groups` and a partial homepage block.
            "module.ingress: allowed_groups",
            "module.ingress: extra_annotations",
            // Terragrunt: dependencies.
            "dependency.vault: only in hand-written",
        ],
    );
}

#[test]
fn speech_gpu_app_with_the_gpu_preset() {
    assert_remaining(
        "speech-gpu",
        &[
            // Services: a name and address of their own (`whisper`), and the ingress
            // pointing at it.
            "kubernetes_service.speech_gpu: only in spec",
            "kubernetes_service.whisper: only in hand-written",
            "module.ingress: service_name",
            // Storage: an NFS module name other than `<stack>-<volume>`.
            "module.nfs_models: name",
            // Ingress: every input of the LAN-only API.
            "module.ingress: anti_ai_scraping",
            "module.ingress: external_monitor",
            "module.ingress: extra_middlewares",
            "module.ingress: homepage_enabled",
            "module.ingress: max_body_size",
            "module.ingress: skip_default_rate_limit",
        ],
    );
}

#[test]
fn feed_digest_app_cron_job_with_a_mounted_script() {
    assert_remaining(
        "feed-digest",
        &[
            // Config maps: the script as a heredoc in `data`.
            "kubernetes_config_map.scripts: only in hand-written",
            // ExternalSecrets: a per-key `data` list and `refreshInterval`.
            "kubernetes_manifest.external_secret: manifest.spec.data",
            "kubernetes_manifest.external_secret: manifest.spec.dataFrom",
            "kubernetes_manifest.external_secret: manifest.spec.refreshInterval",
            // The TLS module left out (the stack has no ingress).
            "module.tls_secret: only in spec",
            "var.tls_secret_name: only in spec",
            // Terragrunt: dependencies other than `platform`.
            "dependency.platform: only in spec",
            "dependency.vault: only in hand-written",
            "dependency.external-secrets: only in hand-written",
        ],
    );
}

#[test]
fn kiosk_gallery_parked_app_with_replicas_zero() {
    assert_remaining(
        "kiosk-gallery",
        &[
            // Storage: the NFS server as a literal (and no `nfs_server` variable then).
            "module.nfs_photos: nfs_server",
            "var.nfs_server: only in spec",
            // Ingress: the homepage switched off.
            "module.ingress: extra_annotations",
            // Terragrunt: an include-only file.
            "dependency.platform: only in spec",
        ],
    );
}

#[test]
fn short_links_run_labels_scheduling_security_and_a_db_init_job() {
    assert_remaining("short-links", &[]);
}

#[test]
fn frame_grabber_devices_hooks_node_affinity_dns_and_a_suspended_cron_job() {
    assert_remaining("frame-grabber", &[]);
}
