//! `dlgen import` on stacks that hold several objects of one kind (stack-patterns v2
//! sections 1.4, 5.1, 5.2, 5.5, 5.7, 5.8 and several Deployments): the app's object is
//! chosen by what the stack says (names, selectors, what the routes reach), never by the
//! order of the file or of the addresses, and an object the spec cannot say stays raw
//! alone. Each case edits a corpus stack, imports it (checked plan-equal independently),
//! and asserts the spec fields it must read and that the raw HCL is exactly the objects
//! expected, where expected.

mod common;

use std::fs;
use std::path::Path;

use common::ROOT;
use common::import::{copy_dir, imported, renderer};
use yaml_rust2::{Yaml, YamlLoader};

/// What a raw field of the spec must hold.
#[derive(Clone, Copy)]
enum Raw {
    /// The block of the edited `main.tf` that starts with this line (its comments above
    /// and its closing brace included).
    Block(&'static str),
    /// This text, as it stands.
    Text(&'static str),
}

struct Case {
    /// What the case probes.
    name: &'static str,
    /// The corpus stack it edits (`tests/fixtures/handwritten/<base>`).
    base: &'static str,
    edit: fn(&str) -> String,
    /// Spec paths and the scalar each must hold (`null` for a YAML null).
    fields: &'static [(&'static str, &'static str)],
    /// Spec paths that must be absent.
    absent: &'static [&'static str],
    /// Every raw field of the spec, with what it holds (several blocks of one field in the
    /// order the stack writes them); no other raw field may be set.
    raw: &'static [(&'static str, Raw)],
}

fn insert_before(main: &str, anchor: &str, text: &str) -> String {
    assert!(main.contains(anchor), "{anchor}");
    main.replacen(anchor, &format!("{text}\n{anchor}"), 1)
}

fn replace(main: &str, from: &str, to: &str) -> String {
    assert!(main.contains(from), "{from}");
    main.replace(from, to)
}

/// The block of `main` starting at the line `header`, up to its closing brace.
fn block<'a>(main: &'a str, header: &str) -> &'a str {
    let start = main.find(header).unwrap_or_else(|| panic!("{header}"));
    let end = main[start..].find("\n}\n").expect("closing brace") + start + 2;
    &main[start..end]
}

/// `block` with the comment lines directly above it.
fn block_with_comments(main: &str, header: &str) -> String {
    let start = main.find(header).unwrap_or_else(|| panic!("{header}"));
    let mut lines: Vec<&str> = main[..start].lines().collect();
    let mut above = Vec::new();
    while let Some(l) = lines.last() {
        if l.starts_with('#') {
            above.insert(0, *l);
            lines.pop();
        } else {
            break;
        }
    }
    let mut text = above.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(block(main, header));
    text
}

// --- the edits ------------------------------------------------------------------------

const WEB_SHELL_NEXT: &str = "resource \"kubernetes_manifest\" \"compress\"";

const LB_PRESET: &str = r#"resource "kubernetes_service" "lb" {
  metadata {
    name      = "web-shell-lb"
    namespace = kubernetes_namespace.web_shell.metadata[0].name
    annotations = {
      "metallb.io/loadBalancerIPs" = "10.0.20.200"
      "metallb.io/allow-shared-ip" = "shared"
    }
  }
  spec {
    type                    = "LoadBalancer"
    external_traffic_policy = "Cluster"
    selector = {
      app = "web-shell"
    }
    port {
      name        = "ssh"
      port        = 22
      target_port = 7681
    }
  }
  lifecycle {
    # METALLB_LIFECYCLE_V1: MetalLB's controller writes this annotation after it
    # assigns the address; ignoring it keeps the plan clean.
    ignore_changes = [metadata[0].annotations["metallb.io/ip-allocated-from-pool"]]
  }
}
"#;

/// A preset MetalLB Service after the app's, the app's at an address that sorts after
/// `lb` (v2 5.7).
fn lb_after_the_app_service(main: &str) -> String {
    let main = replace(
        main,
        "resource \"kubernetes_service\" \"web_shell\"",
        "resource \"kubernetes_service\" \"svc\"",
    );
    let main = replace(
        &main,
        "kubernetes_service.web_shell.metadata",
        "kubernetes_service.svc.metadata",
    );
    insert_before(&main, WEB_SHELL_NEXT, LB_PRESET)
}

/// A LoadBalancer outside the presets: the older annotation key, no sharing key, `Local`,
/// the ignore with a comment of its own (v2 5.7).
fn lb_outside_the_presets(main: &str) -> String {
    let lb = LB_PRESET
        .replace(
            "      \"metallb.io/loadBalancerIPs\" = \"10.0.20.200\"\n      \"metallb.io/allow-shared-ip\" = \"shared\"\n",
            "      \"metallb.universe.tf/loadBalancerIPs\" = \"10.0.20.200\"\n",
        )
        .replace("= \"Cluster\"", "= \"Local\"")
        .replace(
            "    # METALLB_LIFECYCLE_V1: MetalLB's controller writes this annotation after it\n    # assigns the address; ignoring it keeps the plan clean.\n",
            "    # METALLB\n",
        );
    insert_before(main, WEB_SHELL_NEXT, &lb)
}

/// The preset's annotations in the other order, after an annotation of the stack's own:
/// a map's order is not the plan's, so this is still the preset (it used to leave the
/// Service whole in raw HCL).
fn lb_annotations_in_another_order(main: &str) -> String {
    let lb = LB_PRESET.replace(
        "      \"metallb.io/loadBalancerIPs\" = \"10.0.20.200\"\n      \"metallb.io/allow-shared-ip\" = \"shared\"\n",
        "      \"team/owner\"                 = \"admins\"\n      \"metallb.io/allow-shared-ip\" = \"shared\"\n      \"metallb.io/loadBalancerIPs\" = \"10.0.20.200\"\n",
    );
    assert_ne!(lb, LB_PRESET);
    insert_before(main, WEB_SHELL_NEXT, &lb)
}

const APP_DEPLOYMENT: &str = "resource \"kubernetes_deployment\" \"web_shell\"";

/// A copy of the app's Deployment under another name and labels, written after it.
fn worker_of(main: &str, app_name: &str, worker_name: &str) -> String {
    let app = block(main, APP_DEPLOYMENT).to_owned();
    let worker = app
        .replace("\"web_shell\"", "\"worker\"")
        .replace(&format!("\"{app_name}\""), &format!("\"{worker_name}\""))
        .replace("name  = \"web-shell\"", "name  = \"worker\"");
    main.replacen(&app, &format!("{app}\n{worker}"), 1)
}

/// A second Deployment beside the app's, which is named like the stack.
fn a_second_deployment(main: &str) -> String {
    worker_of(main, "web-shell", "web-shell-worker")
}

/// Two Deployments, neither named like the stack; the app's Service (the one the ingress
/// reaches, `web-shell`) selects `ttyd`. The worker is written first.
fn two_deployments_of_other_names(main: &str) -> String {
    let app = block(main, APP_DEPLOYMENT).to_owned();
    let renamed = app
        .replace("= \"web-shell\"\n", "= \"ttyd\"\n")
        .replace("name  = \"ttyd\"", "name  = \"web-shell\"");
    let main = main.replacen(&app, &renamed, 1);
    let main = replace(
        &main,
        "    selector = {\n      app = \"web-shell\"\n    }",
        "    selector = {\n      app = \"ttyd\"\n    }",
    );
    let app = block(&main, APP_DEPLOYMENT).to_owned();
    let worker = app
        .replace("\"web_shell\"", "\"worker\"")
        .replace("\"ttyd\"", "\"ttyd-worker\"")
        .replace("name  = \"web-shell\"", "name  = \"worker\"");
    let main = main.replacen(&app, &format!("{worker}\n{app}"), 1);
    // A scaler and a Service of the worker's, referring to it.
    let main = insert_before(
        &main,
        WEB_SHELL_NEXT,
        r#"resource "kubernetes_manifest" "worker_scaler" {
  manifest = {
    apiVersion = "keda.sh/v1alpha1"
    kind       = "ScaledObject"
    metadata = {
      name      = "ttyd-worker"
      namespace = kubernetes_namespace.web_shell.metadata[0].name
    }
    spec = {
      scaleTargetRef = {
        name = kubernetes_deployment.worker.metadata[0].name
      }
      maxReplicaCount = 3
    }
  }
}
"#,
    );
    insert_before(
        &main,
        WEB_SHELL_NEXT,
        r#"resource "kubernetes_service" "worker" {
  metadata {
    name      = "ttyd-worker"
    namespace = kubernetes_namespace.web_shell.metadata[0].name
  }
  spec {
    selector = {
      app = kubernetes_deployment.worker.spec[0].template[0].metadata[0].labels.app
    }
    port {
      name        = "http"
      port        = 80
      target_port = 7681
    }
  }
}
"#,
    )
}

const CARVE_OUT: &str = r#"module "api" {
  source          = "../../modules/kubernetes/ingress_factory"
  namespace       = kubernetes_namespace.web_shell.metadata[0].name
  name            = "web-shell-api"
  host            = "shell"
  service_name    = kubernetes_service.web_shell.metadata[0].name
  ingress_path    = ["/api"]
  auth            = "none"
  dns_type        = "none"
  tls_secret_name = var.tls_secret_name
  # secondary/non-UI ingress: no homepage tile (dedupe sweep 2026-07-14)
  homepage_enabled = false
}
"#;

/// A path carve-out written before the main call, neither labelled `ingress` (v2 1.4):
/// the carve-out's label sorts first.
fn a_carve_out_before_the_main_ingress(main: &str) -> String {
    let main = replace(main, "module \"ingress\" {", "module \"shell\" {");
    insert_before(&main, "# https://shell.viktorbarzin.me", CARVE_OUT)
}

/// A second hostname for another Service of the stack (v2 1.4, kind 3).
fn an_ingress_to_another_service(main: &str) -> String {
    let main = insert_before(
        main,
        WEB_SHELL_NEXT,
        r#"resource "kubernetes_service" "admin" {
  metadata {
    name      = "web-shell-admin"
    namespace = kubernetes_namespace.web_shell.metadata[0].name
  }
  spec {
    selector = {
      app = "web-shell"
    }
    port {
      name        = "admin"
      port        = 8080
      target_port = 7682
    }
  }
}
"#,
    );
    format!(
        "{main}{}",
        r#"
module "ingress_admin" {
  source          = "../../modules/kubernetes/ingress_factory"
  namespace       = kubernetes_namespace.web_shell.metadata[0].name
  name            = "web-shell-admin"
  host            = "shell-admin"
  service_name    = kubernetes_service.admin.metadata[0].name
  port            = 8080
  auth            = "required"
  tls_secret_name = var.tls_secret_name
}
"#
    )
}

/// A per-key ExternalSecret written before the stack's own, at an address sorting first
/// (v2 5.1).
fn a_second_external_secret(main: &str) -> String {
    insert_before(
        main,
        "resource \"kubernetes_manifest\" \"external_secret\"",
        r#"resource "kubernetes_manifest" "api_keys" {
  field_manager {
    force_conflicts = true
  }
  manifest = {
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name      = "web-shell-api-keys"
      namespace = kubernetes_namespace.web_shell.metadata[0].name
    }
    spec = {
      refreshInterval = "15m"
      secretStoreRef = {
        name = "vault-kv"
        kind = "ClusterSecretStore"
      }
      target = {
        name = "web-shell-api-keys"
      }
      data = [{
        secretKey = "WEBHOOK_BEARER_TOKEN"
        remoteRef = {
          key      = "viktor"
          property = "webhook_bearer_token"
        }
      }]
    }
  }
  depends_on = [kubernetes_namespace.web_shell]
}
"#,
    )
}

const MOSQUITTO_CONFIG: &str = "resource \"kubernetes_config_map\" \"mosquitto\"";

/// A Grafana dashboard config map the pod does not mount, written before the one it
/// mounts (v2 5.2).
fn a_second_config_map(main: &str) -> String {
    insert_before(
        main,
        MOSQUITTO_CONFIG,
        r#"resource "kubernetes_config_map" "dashboard" {
  metadata {
    name      = "mqtt-dashboard"
    namespace = kubernetes_namespace.mqtt.metadata[0].name
    labels = {
      grafana_dashboard = "1"
    }
    annotations = {
      grafana_folder = "Home"
    }
  }
  data = {
    "mqtt.json" = jsonencode({ title = "MQTT", panels = [] })
  }
}
"#,
    )
}

/// An immutable config map before the mounted one: `immutable` stays raw in it alone.
fn an_immutable_config_map(main: &str) -> String {
    insert_before(
        main,
        MOSQUITTO_CONFIG,
        r#"resource "kubernetes_config_map" "acl" {
  metadata {
    name      = "mosquitto-acl"
    namespace = kubernetes_namespace.mqtt.metadata[0].name
  }
  immutable = true
  data = {
    acl = "topic readwrite sensors/#"
  }
}
"#,
    )
}

const CLEANUP: &str = "resource \"kubernetes_cron_job_v1\" \"cleanup\"";

fn vacuum_of(main: &str) -> String {
    block(main, CLEANUP)
        .replace("\"cleanup\"", "\"vacuum\"")
        .replace("frame-grabber-cleanup", "frame-grabber-vacuum")
        .replace("0 3 * * *", "0 4 * * *")
}

/// A second CronJob, written after the first (v2 5.5).
fn a_second_cron_job(main: &str) -> String {
    let cleanup = block(main, CLEANUP).to_owned();
    main.replacen(&cleanup, &format!("{cleanup}\n{}", vacuum_of(main)), 1)
}

/// A second CronJob whose pod has a setting no job field says, written first.
fn a_cron_job_the_spec_cannot_say(main: &str) -> String {
    let cleanup = block(main, CLEANUP).to_owned();
    let vacuum = vacuum_of(main).replace(
        "restart_policy = \"Never\"",
        "restart_policy          = \"Never\"\n            share_process_namespace = true",
    );
    main.replacen(&cleanup, &format!("{vacuum}\n{cleanup}"), 1)
}

const DATA_PVC: &str = "resource \"kubernetes_persistent_volume_claim\" \"data_proxmox\"";

/// A second PVC, mounted by the pod, after the first (v2 5.8).
fn a_second_mounted_pvc(main: &str) -> String {
    let pvc = block(main, DATA_PVC).to_owned();
    let cache = pvc
        .replace("\"data_proxmox\"", "\"cache_encrypted\"")
        .replace("mqtt-data-proxmox", "mqtt-cache-encrypted")
        .replace("\"proxmox-lvm\"", "\"proxmox-lvm-encrypted\"");
    let main = main.replacen(&pvc, &format!("{pvc}\n{cache}"), 1);
    let main = replace(
        &main,
        "            mount_path = \"/mosquitto/data\"\n          }\n",
        "            mount_path = \"/mosquitto/data\"\n          }\n          volume_mount {\n            name       = \"cache\"\n            mount_path = \"/mosquitto/cache\"\n          }\n",
    );
    replace(
        &main,
        "            claim_name = kubernetes_persistent_volume_claim.data_proxmox.metadata[0].name\n          }\n        }\n",
        "            claim_name = kubernetes_persistent_volume_claim.data_proxmox.metadata[0].name\n          }\n        }\n        volume {\n          name = \"cache\"\n          persistent_volume_claim {\n            claim_name = kubernetes_persistent_volume_claim.cache_encrypted.metadata[0].name\n          }\n        }\n",
    )
}

/// A second PVC no volume of the pod names, written before the mounted one: the spec has
/// no block-storage volume outside the pod, so it stays raw, alone.
fn an_unmounted_pvc(main: &str) -> String {
    let pvc = block(main, DATA_PVC).to_owned();
    let backup = pvc
        .replace("\"data_proxmox\"", "\"backup_encrypted\"")
        .replace("mqtt-data-proxmox", "mqtt-backup-encrypted")
        .replace("\"proxmox-lvm\"", "\"proxmox-lvm-encrypted\"");
    main.replacen(&pvc, &format!("{backup}\n{pvc}"), 1)
}

/// A NodePort Service beside the app's (v2 5.7).
fn a_node_port_service(main: &str) -> String {
    insert_before(
        main,
        WEB_SHELL_NEXT,
        r#"resource "kubernetes_service" "ssh" {
  metadata {
    name      = "web-shell-ssh"
    namespace = kubernetes_namespace.web_shell.metadata[0].name
  }
  spec {
    type = "NodePort"
    selector = {
      app = "web-shell"
    }
    port {
      name        = "ssh"
      port        = 22
      target_port = 7681
      node_port   = 30022
    }
  }
}
"#,
    )
}

/// The app's Service with a metrics port besides its http port (v2 5.7).
fn several_ports_on_the_app_service(main: &str) -> String {
    replace(
        main,
        "      target_port = 7681\n    }\n  }\n",
        "      target_port = 7681\n    }\n    port {\n      name        = \"metrics\"\n      port        = 9090\n      target_port = 9090\n      protocol    = \"TCP\"\n    }\n  }\n",
    )
}

const DYNAMIC_PORT: &str = r#"dynamic "port" {
  for_each = range(49160, 49163)
  content {
    name        = "turn-${port.value}"
    port        = port.value
    target_port = port.value
    protocol    = "UDP"
  }
}"#;

fn indented(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}\n"))
        .collect::<String>()
}

/// A Service of a TURN-like port range, `dynamic "port"` over `range()` (v2 5.7).
fn a_dynamic_port_range(main: &str) -> String {
    insert_before(
        main,
        WEB_SHELL_NEXT,
        &format!(
            r#"resource "kubernetes_service" "turn" {{
  metadata {{
    name      = "web-shell-turn"
    namespace = kubernetes_namespace.web_shell.metadata[0].name
  }}
  spec {{
    selector = {{
      app = "web-shell"
    }}
{}  }}
}}
"#,
            indented(DYNAMIC_PORT, "    ")
        ),
    )
}

/// The range on the app's Service, after its http port.
fn a_dynamic_port_range_on_the_app_service(main: &str) -> String {
    replace(
        main,
        "      target_port = 7681\n    }\n  }\n",
        &format!(
            "      target_port = 7681\n    }}\n{}  }}\n",
            indented(DYNAMIC_PORT, "    ")
        ),
    )
}

/// A Service with `session_affinity`, which no Service field says.
fn a_service_with_session_affinity(main: &str) -> String {
    insert_before(
        main,
        WEB_SHELL_NEXT,
        r#"resource "kubernetes_service" "sticky" {
  metadata {
    name      = "web-shell-sticky"
    namespace = kubernetes_namespace.web_shell.metadata[0].name
  }
  spec {
    selector = {
      app = "web-shell"
    }
    session_affinity = "ClientIP"
    port {
      port        = 8080
      target_port = 7681
    }
  }
}
"#,
    )
}

const CASES: &[Case] = &[
    Case {
        name: "a MetalLB Service after the app's, the app's address sorting after it",
        base: "web-shell",
        edit: lb_after_the_app_service,
        fields: &[
            ("service.address", "svc"),
            ("services[0].name", "web-shell-lb"),
            ("services[0].address", "lb"),
            ("services[0].type", "LoadBalancer"),
            ("ingress.host", "shell"),
            ("manifests[0].name", "web-shell-ws"),
        ],
        absent: &["service.name", "services[1]", "ingress.service"],
        raw: &[],
    },
    Case {
        name: "the MetalLB preset's annotations in another order, after one of the stack's",
        base: "web-shell",
        edit: lb_annotations_in_another_order,
        fields: &[
            ("services[0].name", "web-shell-lb"),
            ("services[0].type", "LoadBalancer"),
            ("services[0].annotations.team/owner", "admins"),
        ],
        // The preset on the shared address: `type: LoadBalancer` says it all.
        absent: &["services[0].load_balancer", "services[1]"],
        raw: &[],
    },
    Case {
        name: "a LoadBalancer outside the presets",
        base: "web-shell",
        edit: lb_outside_the_presets,
        fields: &[
            ("services[0].name", "web-shell-lb"),
            ("services[0].load_balancer.legacy_annotations", "true"),
            ("services[0].load_balancer.shared", "null"),
            ("containers[0].port", "7681"),
            ("manifests[0].name", "web-shell-ws"),
        ],
        absent: &[
            "services[0].load_balancer.ip",
            "services[0].load_balancer.external_traffic_policy",
        ],
        raw: &[],
    },
    Case {
        name: "a second Deployment beside the one named like the stack",
        base: "web-shell",
        edit: a_second_deployment,
        fields: &[
            ("containers[0].image", "tsl0922/ttyd:1.7.7"),
            ("ingress.host", "shell"),
        ],
        absent: &["deployment", "services"],
        raw: &[(
            "raw.stack",
            Raw::Block("resource \"kubernetes_deployment\" \"worker\""),
        )],
    },
    Case {
        name: "two Deployments, neither named like the stack, the worker written first",
        base: "web-shell",
        edit: two_deployments_of_other_names,
        fields: &[
            ("deployment.name", "ttyd"),
            ("containers[0].image", "tsl0922/ttyd:1.7.7"),
            ("ingress.host", "shell"),
            ("services[0].name", "ttyd-worker"),
            ("services[0].selector.app", "ttyd-worker"),
            ("manifests[0].name", "ttyd-worker"),
            (
                "manifests[0].spec.scaleTargetRef.name.ref",
                "kubernetes_deployment.worker.metadata[0].name",
            ),
            ("manifests[1].name", "web-shell-ws"),
        ],
        absent: &[
            "deployment.address",
            "service.address",
            "services[1]",
            "manifests[2]",
        ],
        raw: &[(
            "raw.stack",
            Raw::Block("resource \"kubernetes_deployment\" \"worker\""),
        )],
    },
    Case {
        name: "a path carve-out written before the main ingress, neither labelled ingress",
        base: "web-shell",
        edit: a_carve_out_before_the_main_ingress,
        fields: &[
            ("ingress.address", "shell"),
            ("ingress.host", "shell"),
            ("ingresses[0].address", "api"),
            ("ingresses[0].name", "web-shell-api"),
            ("ingresses[0].paths[0]", "/api"),
        ],
        absent: &["ingress.name", "ingress.paths", "ingresses[1]"],
        raw: &[],
    },
    Case {
        name: "a second hostname for another Service of the stack",
        base: "web-shell",
        edit: an_ingress_to_another_service,
        fields: &[
            ("ingress.host", "shell"),
            ("ingresses[0].purpose", "admin"),
            ("ingresses[0].host", "shell-admin"),
            ("ingresses[0].service", "web-shell-admin"),
            ("ingresses[0].service_ref", "true"),
            ("services[0].name", "web-shell-admin"),
            ("service.ports[0].target_port", "7681"),
        ],
        absent: &["ingress.service", "ingresses[1]", "services[1]"],
        raw: &[],
    },
    Case {
        name: "a per-key ExternalSecret beside the stack's own, written first",
        base: "web-shell",
        edit: a_second_external_secret,
        fields: &[
            ("external_secrets[0].name", "web-shell-api-keys"),
            ("external_secrets[0].address", "api_keys"),
            ("containers[0].env[0].secret", "TTYD_CREDENTIAL"),
        ],
        absent: &["external_secrets[1]", "containers[0].env[0].secret_name"],
        raw: &[],
    },
    Case {
        name: "a config map the pod does not mount, written first",
        base: "mqtt-broker",
        edit: a_second_config_map,
        fields: &[
            ("config_maps[0].name", "mqtt-dashboard"),
            ("config_maps[0].address", "dashboard"),
            ("config_maps[1].name", "mosquitto-config"),
            ("volumes[0].config_map.name", "mosquitto-config"),
        ],
        absent: &["config_maps[2]"],
        raw: &[],
    },
    Case {
        name: "an immutable config map, written first",
        base: "mqtt-broker",
        edit: an_immutable_config_map,
        fields: &[
            ("config_maps[0].name", "mosquitto-acl"),
            ("config_maps[0].immutable", "true"),
            ("config_maps[1].name", "mosquitto-config"),
        ],
        absent: &[
            "config_maps[2]",
            "config_maps[0].raw",
            "config_maps[1].immutable",
        ],
        raw: &[],
    },
    Case {
        name: "a second CronJob",
        base: "frame-grabber",
        edit: a_second_cron_job,
        fields: &[
            ("jobs[0].name", "frame-grabber-cleanup"),
            ("jobs[1].name", "frame-grabber-vacuum"),
            ("jobs[1].schedule", "0 4 * * *"),
        ],
        absent: &["jobs[2]"],
        raw: &[],
    },
    Case {
        name: "a CronJob with a pod setting no field says, written before another",
        base: "frame-grabber",
        edit: a_cron_job_the_spec_cannot_say,
        fields: &[
            ("jobs[0].name", "frame-grabber-vacuum"),
            ("jobs[0].schedule", "0 4 * * *"),
            ("jobs[1].name", "frame-grabber-cleanup"),
        ],
        absent: &["jobs[2]", "jobs[1].pod_raw"],
        raw: &[(
            "jobs[0].pod_raw",
            Raw::Text("share_process_namespace = true"),
        )],
    },
    Case {
        name: "a second PVC the pod mounts",
        base: "mqtt-broker",
        edit: a_second_mounted_pvc,
        fields: &[
            ("volumes[2].address", "data_proxmox"),
            ("volumes[3].name", "cache"),
            ("volumes[3].address", "cache_encrypted"),
            ("volumes[3].claim_name", "mqtt-cache-encrypted"),
            ("volumes[3].mount", "/mosquitto/cache"),
        ],
        absent: &["volumes[4]"],
        raw: &[],
    },
    Case {
        name: "a PVC no volume of the pod names, written first",
        base: "mqtt-broker",
        edit: an_unmounted_pvc,
        fields: &[
            ("volumes[2].address", "data_proxmox"),
            ("volumes[2].claim_name", "mqtt-data-proxmox"),
        ],
        absent: &["volumes[3]"],
        raw: &[(
            "raw.stack",
            Raw::Block("resource \"kubernetes_persistent_volume_claim\" \"backup_encrypted\""),
        )],
    },
    Case {
        name: "a NodePort Service",
        base: "web-shell",
        edit: a_node_port_service,
        fields: &[
            ("services[0].name", "web-shell-ssh"),
            ("services[0].type", "NodePort"),
            ("services[0].ports[0].node_port", "30022"),
        ],
        absent: &["services[1]"],
        raw: &[],
    },
    Case {
        name: "the app's Service with several ports",
        base: "web-shell",
        edit: several_ports_on_the_app_service,
        fields: &[
            ("service.ports[0].name", "http"),
            ("service.ports[1].name", "metrics"),
            ("service.ports[1].port", "9090"),
            ("service.ports[1].protocol", "TCP"),
        ],
        absent: &["services"],
        raw: &[],
    },
    Case {
        name: "a Service of a dynamic port range beside the app's",
        base: "web-shell",
        edit: a_dynamic_port_range,
        fields: &[
            ("service.ports[0].name", "http"),
            ("services[0].name", "web-shell-turn"),
            ("services[0].address", "turn"),
            ("ingress.host", "shell"),
            ("containers[0].port", "7681"),
        ],
        absent: &["services[0].ports[0]", "services[1]"],
        raw: &[("services[0].spec_raw", Raw::Text(DYNAMIC_PORT))],
    },
    Case {
        name: "the app's Service with a dynamic port range after its http port",
        base: "web-shell",
        edit: a_dynamic_port_range_on_the_app_service,
        fields: &[
            ("service.ports[0].name", "http"),
            ("ingress.host", "shell"),
            ("containers[0].port", "7681"),
            ("manifests[0].name", "web-shell-ws"),
        ],
        absent: &["service.ports[1]", "services"],
        raw: &[("service.spec_raw", Raw::Text(DYNAMIC_PORT))],
    },
    Case {
        name: "a Service with a setting in its spec that no field says",
        base: "web-shell",
        edit: a_service_with_session_affinity,
        fields: &[
            ("services[0].name", "web-shell-sticky"),
            ("services[0].ports[0].port", "8080"),
        ],
        absent: &["services[1]"],
        raw: &[(
            "services[0].spec_raw",
            Raw::Text("session_affinity = \"ClientIP\""),
        )],
    },
];

// --- the checks -----------------------------------------------------------------------

/// The node at `path` (`a.b[2].c`) of `doc`.
fn at<'a>(doc: &'a Yaml, path: &str) -> Option<&'a Yaml> {
    let mut node = doc;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (
                k,
                Some(
                    rest.trim_end_matches(']')
                        .parse::<usize>()
                        .expect("an index"),
                ),
            ),
            None => (part, None),
        };
        node = match node {
            Yaml::Hash(h) => h.get(&Yaml::String(key.to_owned()))?,
            _ => return None,
        };
        if let Some(i) = index {
            node = match node {
                Yaml::Array(items) => items.get(i)?,
                _ => return None,
            };
        }
    }
    Some(node)
}

fn scalar(node: &Yaml) -> String {
    match node {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(n) => n.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".to_owned(),
        other => format!("{other:?}"),
    }
}

/// Every raw field of the spec (`raw.stack`, `containers[0].raw`, …) with its text.
fn raw_fields(node: &Yaml, path: &str, out: &mut Vec<(String, String)>) {
    match node {
        Yaml::Hash(h) => {
            for (k, v) in h {
                let Yaml::String(k) = k else { continue };
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (k.as_str(), v) {
                    ("raw" | "spec_raw" | "pod_raw", Yaml::String(text)) => {
                        out.push((here, text.clone()))
                    }
                    ("raw", Yaml::Hash(fields)) => {
                        for (f, text) in fields {
                            if let (Yaml::String(f), Yaml::String(text)) = (f, text) {
                                out.push((format!("{here}.{f}"), text.clone()));
                            }
                        }
                    }
                    _ => raw_fields(v, &here, out),
                }
            }
        }
        Yaml::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                raw_fields(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn several_objects_of_a_kind_keep_only_the_one_the_spec_cannot_say_raw() {
    let r = renderer();
    let mut failures = Vec::new();
    for case in CASES {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join(case.base);
        copy_dir(
            &Path::new(ROOT)
                .join("tests/fixtures/handwritten")
                .join(case.base),
            &dir,
        );
        let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
        let edited = (case.edit)(&main);
        assert_ne!(edited, main, "{}: the edit changes nothing", case.name);
        fs::write(dir.join("main.tf"), &edited).expect("write");
        let got = imported(&dir, &r);
        let docs = YamlLoader::load_from_str(&got.yaml).expect("the spec is YAML");
        let doc = &docs[0];
        let mut wrong = Vec::new();
        for (path, want) in case.fields {
            match at(doc, path) {
                Some(node) if scalar(node) == *want => {}
                Some(node) => wrong.push(format!("{path}: {} (want {want})", scalar(node))),
                None => wrong.push(format!("{path}: absent (want {want})")),
            }
        }
        for path in case.absent {
            if let Some(node) = at(doc, path) {
                wrong.push(format!("{path}: {node:?} (want it absent)"));
            }
        }
        let mut found = Vec::new();
        raw_fields(doc, "", &mut found);
        let mut expected: Vec<(String, String)> = Vec::new();
        for (field, raw) in case.raw {
            let text = match raw {
                Raw::Block(header) => block_with_comments(&edited, header),
                Raw::Text(text) => (*text).to_owned(),
            };
            match expected.iter_mut().find(|(f, _)| f == field) {
                Some((_, all)) => {
                    all.push_str("\n\n");
                    all.push_str(&text);
                }
                None => expected.push(((*field).to_owned(), text)),
            }
        }
        let trimmed = |v: &[(String, String)]| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = v
                .iter()
                .map(|(f, t)| (f.clone(), t.trim_end().to_owned()))
                .collect();
            v.sort();
            v
        };
        if trimmed(&found) != trimmed(&expected) {
            wrong.push(format!(
                "raw fields {:#?}\nwant {:#?}",
                trimmed(&found),
                trimmed(&expected)
            ));
        }
        if case.raw.is_empty() && got.raw_lines != 0 {
            wrong.push(format!("{} raw lines, want none", got.raw_lines));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} ({}):\n  {}\n{}",
                case.name,
                case.base,
                wrong.join("\n  "),
                got.yaml
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
