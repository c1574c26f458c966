//! The hand-written-style corpus of `tests/fixtures/handwritten/`, each stack reproduced
//! from its spec alone. Each spec of `tests/fixtures/specs/<name>.yaml` is rendered in
//! memory (files beside the spec included) and compared with the hand-written stack
//! plan-semantically (`dlgen::planeq`: parsed values, references and `moved` blocks, not
//! text). A test passes when the two would plan alike: its list of remaining differences
//! is empty, or holds exactly the differences that remain for a stated reason, each with a
//! comment saying why. The specs use no raw HCL where a spec field can say it, and state
//! only what differs from the conventions.
//!
//! The last test asks `terraform validate` (when it is on `PATH`) whether every fixture
//! stack is structurally valid Terraform.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::ROOT;
use dlgen::planeq::{Stack, compare};
use dlgen::render::Renderer;

/// The differences between the stack rendered from `tests/fixtures/specs/<name>.yaml` and
/// `tests/fixtures/handwritten/<name>/`, one `address: path: rendered ≠ hand-written` line
/// each, in address order.
fn differences(name: &str) -> Vec<String> {
    let spec = Path::new(ROOT).join(format!("tests/fixtures/specs/{name}.yaml"));
    let text = fs::read_to_string(&spec).expect("the spec reads");
    let renderer = Renderer::new().expect("templates compile");
    let (stack, files) = dlgen::generate::render_text(
        &renderer,
        &spec.display().to_string(),
        &text,
        &format!("specs/{name}.yaml"),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        stack, name,
        "the stack is named after its fixture directory"
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
    compare(&rendered, &hand).lines()
}

/// Asserts that the differences of `name` are exactly `expected` (empty: plan-equivalent).
#[track_caller]
fn assert_differences(name: &str, expected: &[&str]) {
    let found = differences(name);
    assert_eq!(
        found,
        expected,
        "{name}: differences found (left) and expected (right):\n{}",
        found.join("\n")
    );
}

#[test]
fn ledger_sync() {
    // The in-house family: `image_tag` and its Terragrunt input, the alembic init container,
    // two `env_from` secrets, a per-key `data` list from two Vault paths, the `vault-database`
    // DSN secret, `depends_on` both, Service `type = "ClusterIP"`, three dependencies.
    assert_differences("ledger-sync", &[]);
}

#[test]
fn agent_runner() {
    // Two containers sharing an in-memory `empty_dir`, a service account with a RoleBinding,
    // Keel seeds, the Service's own address, `allowed_groups`, a partial homepage block, no
    // TLS module.
    assert_differences("agent-runner", &[]);
}

#[test]
fn speech_gpu() {
    // The GPU preset, a Service named `whisper` that the ingress names, an NFS claim named apart
    // from the volume, the older ignore list, every input of the LAN-only API ingress.
    assert_differences("speech-gpu", &[]);
}

#[test]
fn feed_digest() {
    // An app CronJob whose script is a heredoc config map, a per-key `data` list refreshed
    // hourly, no Deployment, no ingress, no TLS module, Terragrunt vault + external-secrets.
    assert_differences("feed-digest", &[]);
}

#[test]
fn kiosk_gallery() {
    // A parked app (`replicas = 0` with its reason), `sub_path` mounts, a literal NFS server,
    // the homepage off, its own `moved` block, an include-only `terragrunt.hcl`.
    assert_differences("kiosk-gallery", &[]);
}

#[test]
fn short_links() {
    // Labels keyed `run`, scheduling, hardened security contexts and a one-shot DB init Job.
    assert_differences("short-links", &[]);
}

#[test]
fn frame_grabber() {
    // Devices, hooks, node affinity, DNS settings and a suspended CronJob.
    assert_differences("frame-grabber", &[]);
}

#[test]
fn recipe_box() {
    // Anubis in front with an API carve-out, labels keyed `run`, two replicas, a metrics sidecar,
    // ports without `protocol`, a probe on a named port, the prometheus annotations.
    assert_differences("recipe-box", &[]);
}

#[test]
fn link_archive() {
    // `vault-database` credentials with a DSN template read by the app (so `depends_on` it),
    // the Grafana datasource in `monitoring`, the reloader, diun and Kyverno wait-for presets.
    assert_differences("link-archive", &[]);
}

#[test]
fn status_page() {
    // Files beside the spec (`file()`, `templatefile()`), checksum annotations, the config
    // map's two files mounted by `sub_path`.
    assert_differences("status-page", &[]);
}

#[test]
fn music_stream() {
    // Two NFS mounts from two servers, `fs_group_change_policy`, `image_pull_policy`, probes on
    // a named port.
    assert_differences("music-stream", &[]);
}

#[test]
fn mqtt_broker() {
    // A LoadBalancer on the shared MetalLB IP, a workload named `mosquitto`, TCP probes, config
    // map and secret volumes, a ResourceQuota, the older Keel list on a namespace Keel does
    // not watch, with the Kyverno tier label.
    assert_differences("mqtt-broker", &[]);
}

#[test]
fn webhook_relay() {
    // Kubernetes Secrets the stack writes itself from Vault reads: Opaque, a `generic` SSH
    // key mounted read-only, an htpasswd file whose drift is ignored with its marker and
    // reason, a service-account token; the pod reads them by reference.
    assert_differences("webhook-relay", &[]);
}

#[test]
fn doc_search() {
    // Traefik Middlewares of the stack (the bearer-token plugin reading a JSON list from
    // Vault, a literal namespace; a prefix strip) named by the ingress, a PodDisruptionBudget.
    assert_differences("doc-search", &[]);
}

#[test]
fn family_portal() {
    // A pod-template checksum over a local the config map also holds (`nonsensitive`), variables
    // with defaults read by the app and a CronJob, sablier with a blocking strategy, a `.lan`
    // twin and a public status carve-out, `dataFrom` with the template engine, a Grafana
    // dashboard in `monitoring`, a one-shot `kubernetes_job_v1` the Deployment waits for.
    assert_differences("family-portal", &[]);
}

#[test]
fn browser_pool() {
    // NetworkPolicies: client namespaces admitted by label on one port, Traefik by
    // namespace and pod label, egress to the internet except the LAN and to DNS by
    // expression; a deny-other-ingress policy of the older type on every pod.
    assert_differences("browser-pool", &[]);
}

#[test]
fn web_shell() {
    // A Traefik IngressRoute (`manifests:`) for a websocket path the ingress module cannot
    // match (`Host(...) && PathPrefix(...) && HeadersRegexp(...)`) behind Authentik's
    // forward auth, beside the ingress and a Middleware of the stack it names.
    assert_differences("web-shell", &[]);
}

#[test]
fn song_shelf() {
    // Inline NFS exports as pod volumes (a literal server and the shared variable) and a
    // secret volume of the stack's TLS secret, with the module's wildcard certificate.
    assert_differences("song-shelf", &[]);
}

/// Every stack of the corpus, each with a test above.
const CORPUS: &[&str] = &[
    "ledger-sync",
    "agent-runner",
    "speech-gpu",
    "feed-digest",
    "kiosk-gallery",
    "short-links",
    "frame-grabber",
    "recipe-box",
    "link-archive",
    "status-page",
    "music-stream",
    "mqtt-broker",
    "webhook-relay",
    "doc-search",
    "family-portal",
    "browser-pool",
    "web-shell",
    "song-shelf",
];

#[test]
fn every_stack_of_the_corpus_has_a_spec_and_a_test() {
    let mut found: Vec<String> = fs::read_dir(Path::new(ROOT).join("tests/fixtures/handwritten"))
        .expect("the corpus")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .map(|p| {
            p.file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    let mut listed: Vec<&str> = CORPUS.to_vec();
    listed.sort_unstable();
    assert_eq!(found, listed);
    for name in CORPUS {
        assert!(
            Path::new(ROOT)
                .join(format!("tests/fixtures/specs/{name}.yaml"))
                .is_file(),
            "{name} has no spec"
        );
    }
}

/// The raw HCL of a spec, at any depth, as field paths: `raw`, `spec_raw`, `pod_raw` and
/// `{hcl: ...}` values.
fn raw_fields(node: &yaml_rust2::Yaml, path: &str, out: &mut Vec<String>) {
    match node {
        yaml_rust2::Yaml::Hash(map) => {
            for (k, v) in map {
                let key = k.as_str().unwrap_or_default();
                let at = if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                };
                if key == "raw" || key.ends_with("_raw") || key == "hcl" {
                    out.push(at.clone());
                }
                raw_fields(v, &at, out);
            }
        }
        yaml_rust2::Yaml::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                raw_fields(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_spec_of_the_corpus_uses_raw_hcl() {
    for name in CORPUS {
        let text =
            fs::read_to_string(Path::new(ROOT).join(format!("tests/fixtures/specs/{name}.yaml")))
                .expect("the spec reads");
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("the spec is YAML");
        let mut raw = Vec::new();
        for doc in &docs {
            raw_fields(doc, "", &mut raw);
        }
        assert!(raw.is_empty(), "{name}: raw HCL at {raw:?}");
    }
}

/// `terraform validate` (without providers or modules installed) finds no structural error
/// in the stacks of the fixture specs, files beside the spec included. Runs when
/// `terraform` is on `PATH`, and says that it skipped otherwise.
#[test]
fn terraform_finds_no_structural_error_in_the_fixture_stacks() {
    let present = std::process::Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        eprintln!("skipped: terraform is not on PATH");
        return;
    }
    let renderer = Renderer::new().expect("templates compile");
    let mut checked = 0;
    let dir = Path::new(ROOT).join("tests/fixtures/specs");
    let mut specs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("the fixture specs")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    for spec in specs {
        let text = fs::read_to_string(&spec).expect("the spec reads");
        let (_, files) = dlgen::generate::render_text(
            &renderer,
            &spec.display().to_string(),
            &text,
            "specs/x.yaml",
        )
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        let tmp = tempfile::tempdir().expect("a temporary directory");
        for f in &files {
            if f.name != "terragrunt.hcl" {
                fs::write(tmp.path().join(&f.name), &f.contents).expect("written");
            }
        }
        let out = std::process::Command::new("terraform")
            .args(["validate", "-no-color"])
            .current_dir(tmp.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .expect("terraform validate runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let structural: Vec<&str> = said
            .lines()
            .filter_map(|l| l.trim_start_matches(['│', ' ']).strip_prefix("Error: "))
            .filter(|e| {
                !e.starts_with("Module not installed")
                    && !e.starts_with("Missing required provider")
            })
            .collect();
        assert!(structural.is_empty(), "{}: {said}", spec.display());
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixture stacks checked");
}

/// dlgen's own lint, every rule at every level (`info` included), has nothing to say about
/// the stacks dlgen writes for the corpus: what the generator writes and what the rules
/// ask for agree (a finding a spec suppresses with a reason is not a finding).
#[test]
fn the_rendered_corpus_is_lint_clean_at_every_level() {
    let renderer = Renderer::new().expect("templates compile");
    for name in CORPUS {
        let spec = Path::new(ROOT).join(format!("tests/fixtures/specs/{name}.yaml"));
        let text = fs::read_to_string(&spec).expect("the spec reads");
        let label = format!("specs/{name}.yaml");
        let (stack, files) =
            dlgen::generate::render_text(&renderer, &spec.display().to_string(), &text, &label)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        let generated = dlgen::generate::Generated {
            stack,
            spec_label: label,
            files,
        };
        let findings = dlgen::commands::lint_generated(&[generated], Path::new("stacks"));
        let shown: Vec<String> = findings
            .iter()
            .map(|f| format!("{}:{}: {} {}", f.path.display(), f.line, f.rule, f.message))
            .collect();
        assert!(shown.is_empty(), "{name}:\n{}", shown.join("\n"));
    }
}
