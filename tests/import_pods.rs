//! `dlgen import` on the pod and container long tail of the fact sheet (stack-patterns
//! v2, sections 3.1–3.14 and 4), probe by probe: each probe is one variant the sheet
//! records, written into a copy of a hand-written corpus stack
//! (`tests/fixtures/handwritten/<stack>/main.tf`), imported, proved plan-equal
//! independently, and checked for the spec fields it must become and for where raw HCL
//! ends up (nowhere, or exactly at one node).

mod common;

use std::fs;
use std::path::Path;

use common::ROOT;
use common::import::{copy_dir, imported, renderer};
use yaml_rust2::{Yaml, YamlLoader};

/// Where a probe's raw HCL must end up.
enum Raw {
    /// Nowhere: the spec says all of it.
    None,
    /// Only at this spec field (`containers[0].raw`).
    At(&'static str),
    /// Only in raw HCL values (`{hcl: ...}`), one line each, and no raw field.
    Values,
}

/// One variant: a corpus stack, the edits that write the variant into its `main.tf`
/// (each `from` must be there), what the imported spec must say, and where raw HCL goes.
struct Probe {
    name: &'static str,
    base: &'static str,
    edits: Vec<(&'static str, String)>,
    /// Text of the imported spec; `!text` must not be in it.
    expect: Vec<&'static str>,
    raw: Raw,
}

/// The spec paths that hold raw HCL: `raw` keys at any depth (`containers[0].raw`) and
/// the entries of the top-level `raw` mapping (`raw.stack`).
fn raw_fields(yaml: &str) -> Vec<String> {
    fn walk(y: &Yaml, at: &str, out: &mut Vec<String>) {
        match y {
            Yaml::Hash(h) => {
                for (k, v) in h {
                    let key = k.as_str().unwrap_or_default();
                    let here = if at.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{at}.{key}")
                    };
                    if key == "raw" || key == "pod_raw" {
                        match v {
                            Yaml::Hash(inner) => out.extend(
                                inner
                                    .keys()
                                    .map(|k| format!("{here}.{}", k.as_str().unwrap_or_default())),
                            ),
                            _ => out.push(here),
                        }
                    } else {
                        walk(v, &here, out);
                    }
                }
            }
            Yaml::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{at}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let docs = YamlLoader::load_from_str(yaml).expect("the spec is YAML");
    let mut out = Vec::new();
    walk(&docs[0], "", &mut out);
    out
}

fn run(probes: &[Probe]) {
    let r = renderer();
    let mut failures = Vec::new();
    for p in probes {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join(p.base);
        copy_dir(
            &Path::new(ROOT)
                .join("tests/fixtures/handwritten")
                .join(p.base),
            &dir,
        );
        let main_tf = dir.join("main.tf");
        let mut text = fs::read_to_string(&main_tf).expect("main.tf");
        for (from, to) in &p.edits {
            assert!(text.contains(from), "{}: no {from:?} in {}", p.name, p.base);
            text = text.replacen(from, to, 1);
        }
        fs::write(&main_tf, &text).expect("write");
        let got = imported(&dir, &r);
        let raw = raw_fields(&got.yaml);
        let mut wrong = Vec::new();
        for e in &p.expect {
            if let Some(absent) = e.strip_prefix('!') {
                if got.yaml.contains(absent) {
                    wrong.push(format!("the spec says `{absent}`"));
                }
            } else if !got.yaml.contains(e) {
                wrong.push(format!("the spec does not say `{e}`"));
            }
        }
        match p.raw {
            Raw::None => {
                if got.raw_lines != 0 || !raw.is_empty() {
                    wrong.push(format!("raw HCL at {raw:?} ({} lines)", got.raw_lines));
                }
            }
            Raw::At(field) => {
                if raw != [field] || got.raw_lines == 0 {
                    wrong.push(format!("raw HCL at {raw:?}, not only at {field}"));
                }
            }
            Raw::Values => {
                let values: usize = got
                    .yaml
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .map(|l| l.matches("{hcl: ").count())
                    .sum();
                if !raw.is_empty() || values == 0 || got.raw_lines != values {
                    wrong.push(format!(
                        "raw HCL at {raw:?} ({} lines), not only in {values} `{{hcl}}` values",
                        got.raw_lines
                    ));
                }
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{}", p.name, wrong.join("; "), got.yaml));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn e(from: &'static str, to: impl Into<String>) -> (&'static str, String) {
    (from, to.into())
}

// --- anchors in the corpus stacks -------------------------------------------------------

const WEB: &str = "web-shell";
const LEDGER: &str = "ledger-sync";
const REPLICAS: &str = "    replicas = 1\n";
const STRATEGY: &str = "    strategy {\n      type = \"Recreate\"\n    }\n";
const RESOURCES: &str = "          resources {\n            requests = {\n              cpu    = \"10m\"\n              memory = \"64Mi\"\n            }\n            limits = {\n              memory = \"256Mi\"\n            }\n          }\n";
/// The end of web-shell's app container: its resources and the block's end.
const APP_END: &str = "          resources {\n            requests = {\n              cpu    = \"10m\"\n              memory = \"64Mi\"\n            }\n            limits = {\n              memory = \"256Mi\"\n            }\n          }\n        }\n";
const POD: &str = "      spec {\n        container {\n";
const ENV: &str = "          env {\n            name = \"TTYD_CREDENTIAL\"\n";
const DEPLOYMENT_LABELS: &str = "      app                             = \"web-shell\"\n      \"kubernetes.io/cluster-service\" = \"true\"\n      tier                            = local.tiers.aux\n";
const POD_LABELS: &str = "        labels = {\n          app                             = \"web-shell\"\n          \"kubernetes.io/cluster-service\" = \"true\"\n        }\n";
const POD_APP_LABEL: &str = "        labels = {\n          app = \"web-shell\"\n        }\n";
const IGNORE_IMAGE: &str = "      spec[0].template[0].spec[0].container[0].image, # KEEL_IGNORE_IMAGE — Keel manages tag updates\n";
const IGNORE_LAST: &str = "      spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"], # KEEL_LIFECYCLE_V1\n";
const DEPLOYMENT_META_END: &str =
    "      tier                            = local.tiers.aux\n    }\n  }\n  spec {\n    replicas";
const TLS_VARIABLE: &str = "variable \"tls_secret_name\" {";
const DEPLOYMENT: &str = "resource \"kubernetes_deployment\" \"web_shell\" {";
const DEPENDS_ON: &str = "  depends_on = [kubernetes_manifest.external_secret]\n}";
const SERVICE_SELECTOR: &str = "    selector = {\n      app = \"web-shell\"\n    }";
const INGRESS_END: &str = "  homepage_enabled = false\n}";

/// Blocks written into web-shell's container, before its `resources`.
fn in_container(text: &str) -> Vec<(&'static str, String)> {
    vec![e(RESOURCES, format!("{text}{RESOURCES}"))]
}

/// Blocks and attributes written at the top of web-shell's pod spec.
fn in_pod(text: &str) -> Vec<(&'static str, String)> {
    vec![e(
        POD,
        format!("      spec {{\n{text}        container {{\n"),
    )]
}

/// Env written before web-shell's secret env.
fn in_env(text: &str) -> Vec<(&'static str, String)> {
    vec![e(ENV, format!("{text}{ENV}"))]
}

/// Annotations on web-shell's Deployment.
fn deployment_annotations(text: &str) -> Vec<(&'static str, String)> {
    vec![e(
        DEPLOYMENT_META_END,
        format!(
            "      tier                            = local.tiers.aux\n    }}\n    annotations = {{\n{text}    }}\n  }}\n  spec {{\n    replicas"
        ),
    )]
}

/// Annotations on web-shell's pod template.
fn pod_annotations(text: &str) -> Vec<(&'static str, String)> {
    vec![e(
        POD_LABELS,
        format!("{POD_LABELS}        annotations = {{\n{text}        }}\n"),
    )]
}

/// A variable declared before the TLS secret's.
fn variable(text: &str) -> (&'static str, String) {
    e(TLS_VARIABLE, format!("{text}\n\n{TLS_VARIABLE}"))
}

/// A top-level block before web-shell's Deployment.
fn before_deployment(text: &str) -> (&'static str, String) {
    e(DEPLOYMENT, format!("{text}\n\n{DEPLOYMENT}"))
}

fn probe(
    name: &'static str,
    base: &'static str,
    edits: Vec<(&'static str, String)>,
    expect: &[&'static str],
    raw: Raw,
) -> Probe {
    Probe {
        name,
        base,
        edits,
        expect: expect.to_vec(),
        raw,
    }
}

#[test]
fn deployment_metadata_and_spec_level_fields() {
    // Sections 3.1 and 3.3.
    let sablier_labels = "      app                   = \"web-shell\"\n      \"sablier.enable\"      = \"true\"\n      \"sablier.group\"       = \"web-shell\"\n      \"sablier.ready-after\" = \"5s\"\n      tier                  = local.tiers.aux\n";
    run(&[
        probe(
            "replicas written as a string",
            WEB,
            vec![e("replicas = 1", "replicas = \"1\"")],
            &[],
            Raw::None,
        ),
        probe(
            "replicas parked with a reason",
            WEB,
            vec![e(
                REPLICAS,
                "    # Disabled - waiting for the new image\n    replicas = 0\n",
            )],
            &[
                "replicas: 0",
                "replicas_why: Disabled - waiting for the new image",
            ],
            Raw::None,
        ),
        probe(
            "replicas omitted",
            WEB,
            vec![e(REPLICAS, "")],
            &["replicas: null"],
            Raw::None,
        ),
        probe(
            "no strategy",
            WEB,
            vec![e(STRATEGY, "")],
            &["!strategy"],
            Raw::None,
        ),
        probe(
            "one-line strategy with a trailing comment",
            WEB,
            vec![e(
                STRATEGY,
                "    strategy { type = \"Recreate\" } # RWO volume\n",
            )],
            &["strategy_why: RWO volume"],
            Raw::None,
        ),
        probe(
            "bare RollingUpdate",
            WEB,
            vec![e(
                STRATEGY,
                "    strategy {\n      type = \"RollingUpdate\"\n    }\n",
            )],
            &["strategy: RollingUpdate"],
            Raw::None,
        ),
        probe(
            "RollingUpdate with string limits",
            WEB,
            vec![e(
                STRATEGY,
                "    strategy {\n      type = \"RollingUpdate\"\n      rolling_update {\n        max_surge       = \"0\"\n        max_unavailable = \"1\"\n      }\n    }\n",
            )],
            &[
                "strategy: RollingUpdate",
                "max_surge: '0'",
                "max_unavailable: '1'",
            ],
            Raw::None,
        ),
        probe(
            "string limits without a type (wireguard, xray)",
            WEB,
            vec![e(
                STRATEGY,
                "    strategy {\n      rolling_update {\n        max_surge       = \"2\"\n        max_unavailable = \"0\"\n      }\n    }\n",
            )],
            &[
                "strategy: none",
                "rolling_update: {max_surge: '2', max_unavailable: '0'}",
            ],
            Raw::None,
        ),
        probe(
            "Keel seeds with an hourly poll",
            WEB,
            deployment_annotations(
                "      \"keel.sh/policy\"       = \"force\"\n      \"keel.sh/trigger\"      = \"poll\"\n      \"keel.sh/pollSchedule\" = \"@every 1h\"\n      \"keel.sh/match-tag\"    = \"true\"\n",
            ),
            &["pollSchedule: '@every 1h'"],
            Raw::None,
        ),
        probe(
            "Keel seeds with a daily poll and a comment",
            WEB,
            deployment_annotations(
                "      # Keel seeds only: the keys are ignored below.\n      \"keel.sh/policy\"       = \"minor\"\n      \"keel.sh/pollSchedule\" = \"@daily\"\n",
            ),
            &["pollSchedule: '@daily'", "policy: minor"],
            Raw::None,
        ),
        probe(
            // chrome-service, beads-server: Keel off for the Deployment, an image it
            // does not ignore needs no reason.
            "Keel opted out by the policy annotation, a sidecar image not ignored",
            WEB,
            [
                deployment_annotations("      \"keel.sh/policy\" = \"never\"\n"),
                vec![
                    e("      metadata[0].annotations[\"keel.sh/policy\"],\n", ""),
                    e(
                        APP_END,
                        format!(
                            "{APP_END}        container {{\n          name  = \"exporter\"\n          image = \"nginx/nginx-prometheus-exporter:1.3\"\n        }}\n"
                        ),
                    ),
                ],
            ]
            .concat(),
            &["keel_owns: {policy: never}", "keel: false", "!keel_why", "!review"],
            Raw::None,
        ),
        probe(
            // k8s-portal: its own words on the image entry, no marker.
            "the stack's own words on the image's ignore entry",
            WEB,
            vec![e(
                IGNORE_IMAGE,
                "      spec[0].template[0].spec[0].container[0].image, # Keel manages ghcr:latest digest\n",
            )],
            &["keel_comment: Keel manages ghcr:latest digest", "!review"],
            Raw::None,
        ),
        probe(
            "the conventions' words on the image's ignore entry, without the marker",
            WEB,
            vec![e(
                IGNORE_IMAGE,
                "      spec[0].template[0].spec[0].container[0].image, # Keel manages tag updates\n",
            )],
            &["!keel_comment"],
            Raw::None,
        ),
        probe(
            "secret reload annotation",
            WEB,
            deployment_annotations(
                "      \"secret.reloader.stakater.com/reload\" = \"web-shell-secrets\"\n",
            ),
            &["secret.reloader.stakater.com/reload: web-shell-secrets"],
            Raw::None,
        ),
        probe(
            "diun on the Deployment",
            WEB,
            deployment_annotations("      \"diun.enable\" = \"true\"\n"),
            &["annotations: {diun.enable: 'true'}"],
            Raw::None,
        ),
        probe(
            "labels keyed run",
            WEB,
            vec![
                e(
                    "      app                             = \"web-shell\"\n      \"kubernetes.io/cluster-service\" = \"true\"\n      tier ",
                    "      run  = \"web-shell\"\n      tier ",
                ),
                e(
                    "        app = \"web-shell\"\n      }\n    }\n    template",
                    "        run = \"web-shell\"\n      }\n    }\n    template",
                ),
                e(
                    POD_LABELS,
                    "        labels = {\n          run = \"web-shell\"\n        }\n",
                ),
                e(
                    SERVICE_SELECTOR,
                    "    selector = {\n      run = \"web-shell\"\n    }",
                ),
            ],
            &["label_key: run"],
            Raw::None,
        ),
        probe(
            "app and tier on the Deployment, app on the pods",
            WEB,
            vec![
                e(
                    DEPLOYMENT_LABELS,
                    "      app  = \"web-shell\"\n      tier = local.tiers.edge\n",
                ),
                e(POD_LABELS, POD_APP_LABEL),
            ],
            &["cluster_service_label: false", "tier: edge"],
            Raw::None,
        ),
        probe(
            "the cluster-service label on the pods only",
            WEB,
            vec![e(DEPLOYMENT_LABELS, "      app = \"web-shell\"\n")],
            &["pod_labels: {kubernetes.io/cluster-service: 'true'}"],
            Raw::None,
        ),
        probe(
            "the cluster-service label on the Deployment only",
            WEB,
            vec![e(POD_LABELS, POD_APP_LABEL)],
            &["labels: {kubernetes.io/cluster-service: 'true'}"],
            Raw::None,
        ),
        probe(
            "service-identity",
            WEB,
            vec![e(
                "      \"kubernetes.io/cluster-service\" = \"true\"\n      tier  ",
                "      \"kubernetes.io/cluster-service\" = \"true\"\n      \"service-identity\"              = \"web-shell\"\n      tier  ",
            )],
            &["service-identity: web-shell"],
            Raw::None,
        ),
        probe(
            "sablier-enrolled and parked",
            WEB,
            vec![
                e(DEPLOYMENT_LABELS, sablier_labels),
                e(POD_LABELS, POD_APP_LABEL),
                e(
                    REPLICAS,
                    "    # PARKED default; sablier-managed (ADR-0022)\n    replicas = 0\n",
                ),
                e(
                    IGNORE_LAST,
                    format!(
                        "{IGNORE_LAST}      spec[0].replicas, # SABLIER_MANAGED_REPLICAS — sablier scales 0<->1 (ADR-0022)\n"
                    ),
                ),
                e(
                    INGRESS_END,
                    "  homepage_enabled = false\n  sablier = {\n    group = \"web-shell\"\n  }\n}",
                ),
            ],
            &["scale_to_zero: true", "replicas: 0"],
            Raw::None,
        ),
        probe(
            "wait_for_rollout off",
            WEB,
            vec![e(
                "  spec {\n    replicas",
                "  wait_for_rollout = false\n  spec {\n    replicas",
            )],
            &["wait_for_rollout: false"],
            Raw::None,
        ),
    ]);
}

#[test]
fn pod_template_metadata() {
    // Section 3.2.
    run(&[
        probe(
            "diun with a tag regex",
            WEB,
            pod_annotations(
                "          \"diun.enable\"       = \"true\"\n          \"diun.include_tags\" = \"^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$\"\n",
            ),
            &[
                "diun: {include_tags: ^\\d+\\.\\d+\\.\\d+$}",
                "!pod_annotations",
            ],
            Raw::None,
        ),
        probe(
            // Two stacks: the image and diun's tag pattern both read the tag variable. The
            // pattern is an expression, so it stays an annotation of its own after the flag.
            "diun with a tag pattern built from the tag variable",
            WEB,
            [
                vec![
                    e("\"tsl0922/ttyd:1.7.7\"", "\"tsl0922/ttyd:${var.tag}\""),
                    variable("variable \"tag\" {\n  type    = string\n  default = \"1.7.7\"\n}"),
                ],
                pod_annotations(
                    "          \"diun.enable\"       = \"true\"\n          \"diun.include_tags\" = \"^${var.tag}$\"\n",
                ),
            ]
            .concat(),
            &[
                "diun.enable: 'true'",
                "diun.include_tags: {template: [^, {var: tag}, $]}",
                "variable: tag",
                "!diun:",
            ],
            Raw::None,
        ),
        probe(
            "a pod annotation naming the namespace by reference",
            WEB,
            pod_annotations(
                "          \"example.com/namespace\" = kubernetes_namespace.web_shell.metadata[0].name\n",
            ),
            // Kept as the reference the stack writes (the namespace is created first).
            &["example.com/namespace: {ref: 'kubernetes_namespace.web_shell.metadata[0].name'}"],
            Raw::None,
        ),
        probe(
            // A roll trigger over a value no config map holds: the value alone is raw HCL.
            "a pod annotation no value form says",
            WEB,
            [
                vec![variable("variable \"config_version\" { type = string }")],
                pod_annotations("          \"checksum/version\" = sha256(var.config_version)\n"),
            ]
            .concat(),
            &["checksum/version: {hcl: sha256(var.config_version)}"],
            Raw::Values,
        ),
        probe(
            // The locals it reads (and theirs) come along into `raw.stack`.
            "a config hash over a local no config map holds",
            WEB,
            vec![
                before_deployment(
                    "locals {\n  base   = \"listen 7681\"\n  config = \"${local.base}\\nlog stdout\"\n}",
                ),
                pod_annotations("          \"checksum/config\" = sha256(local.config)\n")
                    .remove(0),
            ],
            &[
                "checksum/config: {hcl: sha256(local.config)}",
                "base   = \"listen 7681\"",
            ],
            Raw::At("raw.stack"),
        ),
        probe(
            "diun off",
            WEB,
            pod_annotations("          \"diun.enable\" = \"false\"\n"),
            &["diun: {enable: false}"],
            Raw::None,
        ),
        probe(
            "Kyverno waits for two services",
            WEB,
            pod_annotations(
                "          \"dependency.kyverno.io/wait-for\" = \"postgresql.dbaas:5432,redis-master.redis:6379\"\n",
            ),
            &[
                "wait_for: [postgresql.dbaas:5432, redis-master.redis:6379]",
                "!pod_annotations",
            ],
            Raw::None,
        ),
        probe(
            "Prometheus scrape with a path",
            WEB,
            pod_annotations(
                "          \"prometheus.io/scrape\" = \"true\"\n          \"prometheus.io/port\"   = \"9113\"\n          \"prometheus.io/path\"   = \"/metrics\"\n",
            ),
            &["prometheus: {port: 9113, path: /metrics}"],
            Raw::None,
        ),
        probe(
            "no eviction",
            WEB,
            pod_annotations("          \"descheduler.alpha.kubernetes.io/evict\" = \"false\"\n"),
            &["descheduler.alpha.kubernetes.io/evict: 'false'"],
            Raw::None,
        ),
    ]);
}

#[test]
fn containers_images_and_init_containers() {
    // Sections 3.4, 3.5, 3.12 (images) and 3.15.
    let sidecar = "        container {\n          name  = \"exporter\"\n          image = \"nginx/nginx-prometheus-exporter:1.3\"\n          args  = [\"-nginx.scrape-uri\", \"http://127.0.0.1:8080/nginx_status\"]\n          port {\n            container_port = 9113\n          }\n        }\n";
    let fix_perms = "        init_container {\n          name    = \"fix-perms\"\n          image   = \"busybox:1.37\"\n          command = [\"sh\", \"-c\", \"chown -R 1000:1000 /data\"]\n          security_context {\n            run_as_user = 0\n          }\n        }\n";
    let bare_image = "  image     = \"ghcr.io/viktorbarzin/ledger-sync\"\n";
    let own_local = "  image     = \"ghcr.io/viktorbarzin/ledger-sync:${var.image_tag}\"\n";
    let app_image = "          image             = local.image\n";
    let init_image = "          image   = local.image\n";
    run(&[
        probe(
            "an exporter sidecar without resources, its image ignored",
            WEB,
            vec![
                e(APP_END, format!("{APP_END}{sidecar}")),
                e(
                    IGNORE_IMAGE,
                    format!(
                        "{IGNORE_IMAGE}      spec[0].template[0].spec[0].container[1].image,\n"
                    ),
                ),
            ],
            &[
                "name: exporter",
                "image: nginx/nginx-prometheus-exporter:1.3",
            ],
            Raw::None,
        ),
        probe(
            "a fix-perms init container without resources, its image ignored",
            WEB,
            vec![
                e(
                    POD,
                    format!("      spec {{\n{fix_perms}        container {{\n"),
                ),
                e(
                    IGNORE_IMAGE,
                    format!(
                        "{IGNORE_IMAGE}      spec[0].template[0].spec[0].init_container[0].image,\n"
                    ),
                ),
            ],
            &["init_containers:", "name: fix-perms", "run_as_user: 0"],
            Raw::None,
        ),
        probe(
            "image \"${local.image}:${local.image_tag}\"",
            LEDGER,
            vec![
                e(
                    own_local,
                    format!("{bare_image}  image_tag = var.image_tag\n"),
                ),
                e(
                    app_image,
                    "          image             = \"${local.image}:${local.image_tag}\"\n",
                ),
                e(
                    init_image,
                    "          image   = \"${local.image}:${local.image_tag}\"\n",
                ),
            ],
            &["image: {repository: ghcr.io/viktorbarzin/ledger-sync}"],
            Raw::None,
        ),
        probe(
            "image \"${local.image}:${var.image_tag}\"",
            LEDGER,
            vec![
                e(own_local, bare_image),
                e(
                    app_image,
                    "          image             = \"${local.image}:${var.image_tag}\"\n",
                ),
                e(
                    init_image,
                    "          image   = \"${local.image}:${var.image_tag}\"\n",
                ),
            ],
            &["image: {repository: ghcr.io/viktorbarzin/ledger-sync}"],
            Raw::None,
        ),
        probe(
            "an image tagged by the tag variable inline",
            WEB,
            vec![
                e(
                    "\"tsl0922/ttyd:1.7.7\"",
                    "\"tsl0922/ttyd:${var.image_tag}\"",
                ),
                variable(
                    "variable \"image_tag\" {\n  type        = string\n  default     = \"1.7.7\"\n  description = \"ttyd image tag.\"\n}",
                ),
            ],
            &["repository: tsl0922/ttyd", "tag: 1.7.7"],
            Raw::None,
        ),
        probe(
            // The diun annotations of two stacks read a tag variable named `tag`.
            "an image tagged by another variable inline, declared without a description",
            WEB,
            vec![
                e("\"tsl0922/ttyd:1.7.7\"", "\"tsl0922/ttyd:${var.tag}\""),
                variable("variable \"tag\" {\n  type    = string\n  default = \"1.7.7\"\n}"),
            ],
            &[
                "repository: tsl0922/ttyd",
                "tag: 1.7.7",
                "description: ''",
                "variable: tag",
            ],
            Raw::None,
        ),
        probe(
            "image local tagged by another variable",
            LEDGER,
            vec![
                e(
                    own_local,
                    "  image     = \"ghcr.io/viktorbarzin/ledger-sync:${var.release}\"\n",
                ),
                e("variable \"image_tag\" {", "variable \"release\" {"),
            ],
            &[
                "repository: ghcr.io/viktorbarzin/ledger-sync",
                "variable: release",
            ],
            Raw::None,
        ),
        probe(
            // priority-pass: frontend and backend images built together, one tag.
            "images of two repositories tagged by one variable inline",
            WEB,
            vec![
                e(
                    "\"tsl0922/ttyd:1.7.7\"",
                    "\"ghcr.io/owner/shell-frontend:${var.image_tag}\"",
                ),
                e(
                    APP_END,
                    format!(
                        "{APP_END}        container {{\n          name  = \"backend\"\n          image = \"ghcr.io/owner/shell-backend:${{var.image_tag}}\"\n        }}\n"
                    ),
                ),
                e(
                    IGNORE_IMAGE,
                    format!(
                        "{IGNORE_IMAGE}      spec[0].template[0].spec[0].container[1].image,\n"
                    ),
                ),
                variable(
                    "variable \"image_tag\" {\n  type    = string\n  default = \"7c41e9b2\"\n}",
                ),
            ],
            &[
                "image: {template: ['ghcr.io/owner/shell-frontend:', {var: image_tag}]}",
                "image: {template: ['ghcr.io/owner/shell-backend:', {var: image_tag}]}",
                "!repository:",
            ],
            Raw::None,
        ),
        probe(
            "an untagged image",
            WEB,
            vec![e("\"tsl0922/ttyd:1.7.7\"", "\"tsl0922/ttyd\"")],
            &["image: tsl0922/ttyd\n"],
            Raw::None,
        ),
    ]);
}

#[test]
fn security_contexts() {
    // Section 3.6.
    run(&[
        probe(
            "capabilities added",
            WEB,
            in_container(
                "          security_context {\n            capabilities {\n              add = [\"NET_ADMIN\", \"SYS_MODULE\"]\n            }\n          }\n",
            ),
            &["capabilities: {add: [NET_ADMIN, SYS_MODULE]}"],
            Raw::None,
        ),
        probe(
            "the hardened form, capabilities dropped",
            WEB,
            in_container(
                "          security_context {\n            run_as_non_root            = true\n            run_as_user                = 65532\n            run_as_group               = 65532\n            allow_privilege_escalation = false\n            read_only_root_filesystem  = true\n            capabilities {\n              drop = [\"ALL\"]\n            }\n          }\n",
            ),
            &["drop: [ALL]", "read_only_root_filesystem: true"],
            Raw::None,
        ),
        probe(
            "privileged",
            WEB,
            in_container(
                "          security_context {\n            privileged = true\n          }\n",
            ),
            &["privileged: true"],
            Raw::None,
        ),
        probe(
            "pod seccomp with the user and group",
            WEB,
            in_pod(
                "        security_context {\n          run_as_user  = 1000\n          run_as_group = 1000\n          fs_group     = 1000\n          seccomp_profile {\n            type = \"RuntimeDefault\"\n          }\n        }\n",
            ),
            &["seccomp_profile: RuntimeDefault"],
            Raw::None,
        ),
        probe(
            "pod run_as_non_root",
            WEB,
            in_pod(
                "        security_context {\n          run_as_user     = 10001\n          run_as_group    = 10001\n          fs_group        = 10001\n          run_as_non_root = true\n        }\n",
            ),
            &["run_as_non_root: true"],
            Raw::None,
        ),
        probe(
            "fs_group_change_policy",
            WEB,
            in_pod(
                "        security_context {\n          fs_group               = 1000\n          fs_group_change_policy = \"OnRootMismatch\"\n        }\n",
            ),
            &["fs_group_change_policy: OnRootMismatch"],
            Raw::None,
        ),
        probe(
            // Not in the sheet (seccomp is pod-level there), as Kubernetes allows it.
            "container seccomp",
            WEB,
            in_container(
                "          security_context {\n            seccomp_profile {\n              type = \"RuntimeDefault\"\n            }\n          }\n",
            ),
            &["security_context: {seccomp_profile: RuntimeDefault}"],
            Raw::None,
        ),
    ]);
}

#[test]
fn probes_hooks_and_resources() {
    // Sections 3.7, 3.8 and 3.9.
    let resources = |text: &str| vec![e(RESOURCES, text.to_owned())];
    run(&[
        probe(
            "http probe on a named port",
            WEB,
            in_container(
                "          liveness_probe {\n            http_get {\n              path = \"/\"\n              port = \"http\"\n            }\n            initial_delay_seconds = 15\n            period_seconds        = 30\n          }\n",
            ),
            &["port: http"],
            Raw::None,
        ),
        probe(
            "one-line tcp_socket",
            WEB,
            in_container(
                "          readiness_probe {\n            tcp_socket { port = 7681 }\n            initial_delay_seconds = 5\n            period_seconds        = 10\n          }\n",
            ),
            &["tcp: true"],
            Raw::None,
        ),
        probe(
            "all three tcp probes",
            WEB,
            in_container(
                "          liveness_probe {\n            tcp_socket {\n              port = 7681\n            }\n          }\n          readiness_probe {\n            tcp_socket {\n              port = 7681\n            }\n          }\n          startup_probe {\n            tcp_socket {\n              port = 7681\n            }\n            failure_threshold = 30\n            period_seconds    = 5\n          }\n",
            ),
            &["startup_probe:", "failure_threshold: 30"],
            Raw::None,
        ),
        probe(
            "exec probe",
            WEB,
            in_container(
                "          readiness_probe {\n            exec {\n              command = [\"redis-cli\", \"PING\"]\n            }\n            initial_delay_seconds = 5\n            timeout_seconds       = 5\n            failure_threshold     = 5\n          }\n",
            ),
            &["exec: [redis-cli, PING]"],
            Raw::None,
        ),
        probe(
            "pre_stop",
            WEB,
            in_container(
                "          lifecycle {\n            pre_stop {\n              exec {\n                command = [\"/bin/sh\", \"-c\", \"wg-quick down wg0\"]\n              }\n            }\n          }\n",
            ),
            &["lifecycle: {pre_stop: [/bin/sh, '-c', wg-quick down wg0]}"],
            Raw::None,
        ),
        probe(
            "a GPU limit without requests",
            WEB,
            resources(
                "          resources {\n            limits = {\n              \"nvidia.com/gpu\" = \"1\"\n            }\n          }\n",
            ),
            &["nvidia.com/gpu: '1'"],
            Raw::None,
        ),
        probe(
            "GPU memory",
            WEB,
            resources(
                "          resources {\n            requests = {\n              cpu    = \"100m\"\n              memory = \"2Gi\"\n            }\n            limits = {\n              memory                   = \"6Gi\"\n              \"nvidia.com/gpu\"         = \"1\"\n              \"viktorbarzin.me/gpumem\" = \"6144\"\n            }\n          }\n",
            ),
            &["viktorbarzin.me/gpumem: '6144'"],
            Raw::None,
        ),
        probe(
            "ephemeral-storage",
            WEB,
            resources(
                "          resources {\n            requests = {\n              cpu                 = \"10m\"\n              memory              = \"64Mi\"\n              \"ephemeral-storage\" = \"10Gi\"\n            }\n            limits = {\n              memory              = \"256Mi\"\n              \"ephemeral-storage\" = \"20Gi\"\n            }\n          }\n",
            ),
            &[
                "requests: {ephemeral-storage: 10Gi}",
                "limits: {ephemeral-storage: 20Gi}",
            ],
            Raw::None,
        ),
        probe(
            "one-line maps",
            WEB,
            resources(
                "          resources {\n            requests = { cpu = \"10m\", memory = \"32Mi\" }\n            limits   = { memory = \"64Mi\" }\n          }\n",
            ),
            &["resources: {cpu: 10m, memory: 32Mi, memory_limit: 64Mi}"],
            Raw::None,
        ),
    ]);
}

#[test]
fn pod_fields_and_scheduling() {
    // Sections 3.10, 3.11 and 3.12.
    run(&[
        probe(
            "pull secret",
            WEB,
            in_pod(
                "        image_pull_secrets {\n          name = \"registry-credentials\"\n        }\n",
            ),
            &["image_pull_secrets: [registry-credentials]"],
            Raw::None,
        ),
        probe(
            "ndots",
            WEB,
            in_pod(
                "        dns_config {\n          option {\n            name  = \"ndots\"\n            value = \"2\"\n          }\n        }\n",
            ),
            &["dns_options: {ndots: '2'}"],
            Raw::None,
        ),
        probe(
            "service links and the token off",
            WEB,
            in_pod(
                "        enable_service_links            = false\n        automount_service_account_token = false\n",
            ),
            &[
                "enable_service_links: false",
                "automount_service_account_token: false",
            ],
            Raw::None,
        ),
        probe(
            "GPU node selector and toleration",
            WEB,
            in_pod(
                "        node_selector = {\n          \"nvidia.com/gpu.present\" = \"true\"\n        }\n        toleration {\n          key      = \"nvidia.com/gpu\"\n          operator = \"Equal\"\n          value    = \"true\"\n          effect   = \"NoSchedule\"\n        }\n",
            ),
            &["nvidia.com/gpu.present: 'true'"],
            Raw::None,
        ),
        probe(
            "a toleration without an operator",
            WEB,
            in_pod(
                "        toleration {\n          key    = \"nvidia.com/gpu\"\n          value  = \"true\"\n          effect = \"NoSchedule\"\n        }\n",
            ),
            &["tolerations: [{key: nvidia.com/gpu, value: 'true', effect: NoSchedule}]"],
            Raw::None,
        ),
        probe(
            "preferred anti-affinity",
            WEB,
            in_pod(
                "        affinity {\n          pod_anti_affinity {\n            preferred_during_scheduling_ignored_during_execution {\n              weight = 100\n              pod_affinity_term {\n                label_selector {\n                  match_labels = {\n                    app = \"web-shell\"\n                  }\n                }\n                topology_key = \"kubernetes.io/hostname\"\n              }\n            }\n          }\n        }\n",
            ),
            &["anti_affinity: {preferred: 100}"],
            Raw::None,
        ),
        probe(
            "a UDP port before the http port",
            WEB,
            vec![e(
                "          port {\n            name           = \"http\"\n",
                "          port {\n            name           = \"wg\"\n            container_port = 51820\n            protocol       = \"UDP\"\n          }\n          port {\n            name           = \"http\"\n",
            )],
            &["protocol: UDP"],
            Raw::None,
        ),
        probe(
            "a config map file mounted by sub_path",
            WEB,
            vec![
                e(
                    POD,
                    "      spec {\n        volume {\n          name = \"cfg\"\n          config_map {\n            name         = \"web-shell-config\"\n            default_mode = \"0555\"\n          }\n        }\n        container {\n",
                ),
                e(
                    RESOURCES,
                    format!(
                        "          volume_mount {{\n            name       = \"cfg\"\n            mount_path = \"/etc/caddy/Caddyfile\"\n            sub_path   = \"Caddyfile\"\n            read_only  = true\n          }}\n{RESOURCES}"
                    ),
                ),
            ],
            &["sub_path: Caddyfile", "default_mode: '0555'"],
            Raw::None,
        ),
    ]);
}

#[test]
fn ignore_changes_and_depends_on() {
    // Sections 3.13 and 3.14.
    let job = "resource \"kubernetes_job\" \"db_init\" {\n  metadata {\n    name      = \"web-shell-db-init\"\n    namespace = kubernetes_namespace.web_shell.metadata[0].name\n  }\n  spec {\n    template {\n      metadata {}\n      spec {\n        container {\n          name    = \"db-init\"\n          image   = \"postgres:16\"\n          command = [\"psql\", \"-c\", \"select 1\"]\n        }\n        restart_policy = \"Never\"\n      }\n    }\n  }\n  wait_for_completion = true\n}";
    run(&[
        probe(
            "the six-entry older list",
            WEB,
            vec![
                e(
                    "      metadata[0].annotations[\"keel.sh/match-tag\"],\n",
                    "",
                ),
                e(
                    "      metadata[0].annotations[\"kubernetes.io/change-cause\"],\n      metadata[0].annotations[\"deployment.kubernetes.io/revision\"],\n",
                    "",
                ),
            ],
            &["drop:", "keel.sh/match-tag"],
            Raw::None,
        ),
        probe(
            "the image entry first",
            WEB,
            vec![
                e(IGNORE_IMAGE, ""),
                e(
                    "      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1\n",
                    format!(
                        "{IGNORE_IMAGE}      spec[0].template[0].spec[0].dns_config, # KYVERNO_LIFECYCLE_V1\n"
                    ),
                ),
            ],
            &[],
            Raw::None,
        ),
        probe(
            "the tier label stamped by Kyverno",
            WEB,
            vec![
                e(
                    IGNORE_LAST,
                    format!(
                        "{IGNORE_LAST}      metadata[0].labels[\"tier\"], # stamped by Kyverno sync-tier-label-from-namespace\n"
                    ),
                ),
                e(
                    "      tier                            = local.tiers.aux\n",
                    "",
                ),
            ],
            &["tier_label: false"],
            Raw::None,
        ),
        probe(
            "replicas owned by CronJobs, a plain comment",
            WEB,
            vec![e(
                IGNORE_LAST,
                format!("{IGNORE_LAST}      spec[0].replicas, # off-peak CronJobs scale it\n"),
            )],
            &[
                "path: 'spec[0].replicas'",
                "why: off-peak CronJobs scale it",
            ],
            Raw::None,
        ),
        probe(
            "the image set by CI",
            WEB,
            vec![e(
                IGNORE_IMAGE,
                "      spec[0].template[0].spec[0].container[0].image, # CI_SETS_IMAGE — .woodpecker/deploy.yml sets it\n",
            )],
            &[],
            Raw::None,
        ),
        probe(
            "depends_on a db-init Job too",
            WEB,
            vec![
                before_deployment(job),
                e(
                    DEPENDS_ON,
                    "  depends_on = [kubernetes_manifest.external_secret, kubernetes_job.db_init]\n}",
                ),
            ],
            &["depends_on: {add: [kubernetes_job.db_init]}"],
            Raw::None,
        ),
    ]);
}

#[test]
fn environment_variables() {
    // Section 4.
    let shared = "locals {\n  common_env = [\n    { name = \"TZ\", value = \"Europe/Sofia\" },\n    { name = \"DRY_RUN\", value = \"false\" },\n  ]\n}";
    let dynamic_list = "          dynamic \"env\" {\n            for_each = local.common_env\n            content {\n              name  = env.value.name\n              value = env.value.value\n            }\n          }\n";
    let sidecar = format!(
        "        container {{\n          name  = \"worker\"\n          image = \"tsl0922/ttyd:1.7.7\"\n{dynamic_list}          resources {{\n            requests = {{\n              cpu    = \"10m\"\n              memory = \"64Mi\"\n            }}\n          }}\n        }}\n"
    );
    run(&[
        probe(
            "a shared host variable",
            WEB,
            [
                in_env("          env {\n            name  = \"REDIS_URL\"\n            value = \"redis://${var.redis_host}:6379/2\"\n          }\n"),
                vec![variable("variable \"redis_host\" { type = string }")],
            ]
            .concat(),
            &["{template: [redis://, {var: redis_host}, ':6379/2']}"],
            Raw::None,
        ),
        probe(
            "a bare number",
            WEB,
            in_env("          env {\n            name  = \"PUID\"\n            value = 1000\n          }\n"),
            &["{name: PUID, value: 1000}"],
            Raw::None,
        ),
        probe(
            "an optional secret key",
            WEB,
            in_env(
                "          env {\n            name = \"OPT\"\n            value_from {\n              secret_key_ref {\n                name     = \"web-shell-secrets\"\n                key      = \"OPT\"\n                optional = true\n              }\n            }\n          }\n",
            ),
            &["optional: true"],
            Raw::None,
        ),
        probe(
            "the pod's namespace",
            WEB,
            in_env(
                "          env {\n            name = \"POD_NAMESPACE\"\n            value_from {\n              field_ref {\n                field_path = \"metadata.namespace\"\n              }\n            }\n          }\n",
            ),
            &["field_ref: metadata.namespace"],
            Raw::None,
        ),
        probe(
            "env from a config map",
            WEB,
            in_env(
                "          env_from {\n            config_map_ref {\n              name = \"web-shell-env\"\n            }\n          }\n",
            ),
            &["env_from: [{config_map: web-shell-env}]"],
            Raw::None,
        ),
        probe(
            // The local is evaluated (plan-equal) and written out as literal env in each
            // container: the spec has no shared-env field.
            "dynamic env over a list local shared by two containers",
            WEB,
            vec![
                before_deployment(shared),
                e(ENV, format!("{dynamic_list}{ENV}")),
                e(APP_END, format!("{APP_END}{sidecar}")),
            ],
            &["name: worker", "{name: TZ, value: Europe/Sofia}"],
            Raw::None,
        ),
        probe(
            // A value no form says is raw HCL at the value: the env keeps its place.
            "an env value no value form says",
            WEB,
            vec![
                variable("variable \"mode\" { type = string }"),
                e(
                    ENV,
                    format!("          env {{\n            name  = \"MODE\"\n            value = upper(var.mode)\n          }}\n{ENV}"),
                ),
            ],
            &["- {name: MODE, value: {hcl: upper(var.mode)}}"],
            Raw::Values,
        ),
        probe(
            // A data source dlgen does not write (technitium and woodpecker read Traefik's
            // Service): it comes along into `raw.stack`, the value stays in the env.
            "an env value read from a data source dlgen does not write",
            WEB,
            vec![
                before_deployment(
                    "data \"kubernetes_service\" \"traefik\" {\n  metadata {\n    name      = \"traefik\"\n    namespace = \"traefik\"\n  }\n}",
                ),
                e(
                    ENV,
                    format!("          env {{\n            name  = \"TRAEFIK_IP\"\n            value = data.kubernetes_service.traefik.status[0].load_balancer[0].ingress[0].ip\n          }}\n{ENV}"),
                ),
            ],
            &[
                "value: {hcl: 'data.kubernetes_service.traefik.status[0].load_balancer[0].ingress[0].ip'}",
                "data \"kubernetes_service\" \"traefik\"",
            ],
            Raw::At("raw.stack"),
        ),
        probe(
            // The Service's annotations read as the Deployment's: a variable, and raw HCL
            // for a value no form says.
            "Service annotations of a variable and of a function",
            WEB,
            vec![
                variable("variable \"owner\" { type = string }"),
                e(
                    "    labels = {\n      app = \"web-shell\"\n    }\n  }\n  spec {\n    selector",
                    "    labels = {\n      app = \"web-shell\"\n    }\n    annotations = {\n      \"example.com/owner\" = var.owner\n      \"example.com/team\"  = upper(var.owner)\n    }\n  }\n  spec {\n    selector",
                ),
            ],
            &[
                "example.com/owner: {var: owner}",
                "example.com/team: {hcl: upper(var.owner)}",
            ],
            Raw::Values,
        ),
        probe(
            "a config map annotation of a local's hash",
            "mqtt-broker",
            vec![e(
                "    name      = \"mosquitto-config\"\n    namespace = kubernetes_namespace.mqtt.metadata[0].name\n  }\n",
                "    name      = \"mosquitto-config\"\n    namespace = kubernetes_namespace.mqtt.metadata[0].name\n    annotations = {\n      \"example.com/rev\" = sha1(local.rev)\n    }\n  }\n",
            ), e(
                "resource \"kubernetes_config_map\" \"mosquitto\" {",
                "locals {\n  rev = \"7\"\n}\n\nresource \"kubernetes_config_map\" \"mosquitto\" {",
            )],
            &["example.com/rev: {hcl: sha1(local.rev)}", "rev = \"7\""],
            Raw::At("raw.stack"),
        ),
        probe(
            "a manifest annotation of a variable",
            WEB,
            vec![
                variable("variable \"owner\" { type = string }"),
                e(
                    "      name      = \"web-shell-ws\"\n      namespace = kubernetes_namespace.web_shell.metadata[0].name\n      labels = {\n        app = \"web-shell\"\n      }\n",
                    "      name      = \"web-shell-ws\"\n      namespace = kubernetes_namespace.web_shell.metadata[0].name\n      labels = {\n        app = \"web-shell\"\n      }\n      annotations = {\n        \"example.com/owner\" = var.owner\n      }\n",
                ),
            ],
            &["annotations: {example.com/owner: {var: owner}}"],
            Raw::None,
        ),
        probe(
            "an ingress annotation no value form says",
            WEB,
            vec![
                variable("variable \"mode\" { type = string }"),
                e(
                    INGRESS_END,
                    "  homepage_enabled = false\n  extra_annotations = {\n    \"example.com/mode\" = upper(var.mode)\n  }\n}",
                ),
            ],
            &["extra_annotations: {example.com/mode: {hcl: upper(var.mode)}}"],
            Raw::Values,
        ),
        probe(
            "dynamic env over a map local",
            WEB,
            vec![
                before_deployment(
                    "locals {\n  app_env = {\n    TZ      = \"Europe/Sofia\"\n    DRY_RUN = \"false\"\n  }\n}",
                ),
                e(
                    ENV,
                    format!("          dynamic \"env\" {{\n            for_each = local.app_env\n            content {{\n              name  = env.key\n              value = env.value\n            }}\n          }}\n{ENV}"),
                ),
            ],
            &["{name: DRY_RUN, value: 'false'}"],
            Raw::None,
        ),
        probe(
            // ebooks: an env built only when a variable is set. No spec form: raw at the
            // container, with the env after it (the order of env is kept).
            "a conditional dynamic env",
            WEB,
            [
                in_env(
                    "          dynamic \"env\" {\n            for_each = var.extra == \"\" ? [] : [var.extra]\n            content {\n              name  = \"EXTRA\"\n              value = env.value\n            }\n          }\n",
                ),
                vec![variable(
                    "variable \"extra\" {\n  type    = string\n  default = \"\"\n}",
                )],
            ]
            .concat(),
            &[],
            Raw::At("containers[0].raw"),
        ),
    ]);
}
