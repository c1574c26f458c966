//! A synthetic infra repo for benchmarks and scale tests: `stacks/<name>/` directories of
//! hand-written-style Terraform with the size and shape of the real repo (about 150
//! stacks, 360 `.tf` files, 3.2 MB), generated deterministically from a seed.
//!
//! Stacks come in four kinds — single apps (namespace, secrets, PVC, Deployment, Service,
//! ingress, sometimes a backup CronJob), Helm releases with large YAML values, databases
//! (StatefulSets with claim templates) and platform stacks with local modules — and vary
//! in style (references or literal names, attribute or block `limits`, `_v1` types) and in
//! how well they follow the conventions, so every lint rule has work to do.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// The size and shape of a tree to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub stacks: usize,
    pub files: usize,
    pub bytes: usize,
    pub seed: u64,
}

impl Shape {
    /// The size of the real repo.
    pub const REPO: Shape = Shape {
        stacks: 150,
        files: 360,
        bytes: 3_200_000,
        seed: 7,
    };
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tree {
    pub stacks: usize,
    pub files: usize,
    pub bytes: usize,
}

/// xorshift64*: small, deterministic, good enough to vary text.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const APPS: &[&str] = &[
    "freshrss",
    "immich",
    "linkwarden",
    "tandoor",
    "affine",
    "actualbudget",
    "audiobookshelf",
    "novelapp",
    "paperless",
    "miniflux",
    "grocy",
    "mealie",
    "vikunja",
    "wallabag",
    "kavita",
    "navidrome",
    "jellyfin",
    "sonarr",
    "radarr",
    "prowlarr",
    "qbittorrent",
    "netbox",
    "phpipam",
    "uptime-kuma",
    "homepage",
    "privatebin",
    "shlink",
    "codimd",
    "wrongmove",
    "speedtest",
    "drone-logbook",
    "tripit",
    "health",
    "recruiter",
    "kms",
    "blog",
    "travel",
    "f1",
    "json",
    "openclaw",
    "ollama",
    "frigate",
    "home-assistant",
    "zigbee2mqtt",
    "mosquitto",
    "nextcloud",
    "forgejo",
    "woodpecker",
    "authentik",
    "crowdsec",
    "technitium",
    "vaultwarden",
    "anubis",
];

const IMAGES: &[&str] = &[
    "ghcr.io/linuxserver/{}:latest",
    "docker.io/{}/{}:1.4.2",
    "ghcr.io/viktorbarzin/{}:latest",
    "quay.io/{}/{}:v2.11.0",
];

/// Writes a tree of the given shape under `root` (which must exist).
pub fn generate(root: &Path, shape: &Shape) -> io::Result<Tree> {
    let mut rng = Rng::new(shape.seed);
    let stacks_dir = root.join("stacks");
    std::fs::create_dir_all(&stacks_dir)?;
    // Extra files beyond each stack's main.tf, spread at random.
    let mut extras = vec![0usize; shape.stacks];
    for _ in 0..shape.files.saturating_sub(shape.stacks) {
        let i = rng.below(shape.stacks);
        extras[i] += 1;
    }
    // Byte budgets: uneven, like real stacks, summing to about `shape.bytes`.
    let weights: Vec<usize> = (0..shape.stacks).map(|_| 40 + rng.below(160)).collect();
    let total_weight: usize = weights.iter().sum();
    let mut tree = Tree {
        stacks: 0,
        files: 0,
        bytes: 0,
    };
    for i in 0..shape.stacks {
        let base = APPS[i % APPS.len()];
        let name = if i < APPS.len() {
            base.to_owned()
        } else {
            format!("{base}-{}", i / APPS.len() + 1)
        };
        let budget = shape.bytes * weights[i] / total_weight;
        let files = stack(&mut rng, &name, extras[i], budget);
        let dir = stacks_dir.join(&name);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("terragrunt.hcl"), terragrunt(&mut rng))?;
        for (rel, text) in files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            tree.bytes += text.len();
            tree.files += 1;
            std::fs::write(path, text)?;
        }
        tree.stacks += 1;
    }
    Ok(tree)
}

fn terragrunt(rng: &mut Rng) -> String {
    let dep = if rng.chance(80) { "platform" } else { "infra" };
    format!(
        "include \"root\" {{\n  path = find_in_parent_folders()\n}}\n\ndependency \"{dep}\" {{\n  config_path  = \"../{dep}\"\n  skip_outputs = true\n}}\n"
    )
}

/// The `.tf` files of one stack: `(relative path, text)`.
fn stack(rng: &mut Rng, name: &str, extra_files: usize, budget: usize) -> Vec<(String, String)> {
    let kind = rng.below(100);
    let mut files: Vec<(String, String)> = Vec::new();
    let main = match kind {
        0..=54 => app_stack(rng, name),
        55..=74 => helm_stack(rng, name),
        75..=89 => db_stack(rng, name),
        _ => platform_stack(rng, name),
    };
    files.push(("main.tf".to_owned(), main));
    let extra_names = [
        "variables.tf",
        "outputs.tf",
        "cronjobs.tf",
        "monitoring.tf",
        "config.tf",
        "rbac.tf",
    ];
    for k in 0..extra_files {
        let rel = if k < extra_names.len() && rng.chance(70) {
            extra_names[k].to_owned()
        } else {
            format!("modules/{name}-{k}/main.tf")
        };
        let text = match rel.as_str() {
            "variables.tf" => variables(rng),
            "outputs.tf" => outputs(rng, name),
            "cronjobs.tf" => cron_job(rng, name, &format!("{name}-maintenance"), None),
            "rbac.tf" => rbac(rng, name),
            _ => {
                let count = 1 + rng.below(3);
                filler(rng, name, count)
            }
        };
        files.push((rel, text));
    }
    // Pad to the stack's byte budget with config, manifests and alert rules.
    let mut size: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut target = 0;
    while size < budget {
        let chunk = filler(rng, name, 1);
        // Stop at whichever side of the budget is closer.
        if size + chunk.len() / 2 > budget {
            break;
        }
        size += chunk.len();
        files[target].1.push_str(&chunk);
        target = (target + 1) % files.len();
    }
    files
}

fn snake(name: &str) -> String {
    name.replace('-', "_")
}

fn image(rng: &mut Rng, name: &str) -> String {
    rng.pick(IMAGES)
        .replacen("{}", name, 1)
        .replacen("{}", name, 1)
}

/// The namespace block and its resource type (`kubernetes_namespace`, or the `_v1` type
/// one time in five): every reference to it names that type.
fn namespace(rng: &mut Rng, name: &str, keel: bool) -> (String, &'static str) {
    let ty = if rng.chance(20) {
        "kubernetes_namespace_v1"
    } else {
        "kubernetes_namespace"
    };
    let tier = rng.pick(&["aux", "edge", "cluster"]);
    let keel_label = if keel {
        "      \"keel.sh/enrolled\" = \"true\"\n"
    } else {
        ""
    };
    let block = format!(
        r#"resource "{ty}" "{snake}" {{
  metadata {{
    name = "{name}"
    labels = {{
      tier               = local.tiers.{tier}
{keel_label}    }}
  }}
  lifecycle {{
    # KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps this label on every namespace.
    ignore_changes = [metadata[0].labels["goldilocks.fairwinds.com/vpa-update-mode"]]
  }}
}}

"#,
        snake = snake(name)
    );
    (block, ty)
}

fn ns_ref(rng: &mut Rng, name: &str, ty: &str) -> String {
    if rng.chance(70) {
        format!("{ty}.{}.metadata[0].name", snake(name))
    } else {
        format!("\"{name}\"")
    }
}

fn external_secret(name: &str, ty: &str) -> String {
    format!(
        r#"resource "kubernetes_manifest" "external_secret" {{
  field_manager {{
    force_conflicts = true
  }}
  manifest = {{
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {{
      name      = "{name}-secrets"
      namespace = "{name}"
    }}
    spec = {{
      refreshInterval = "15m"
      secretStoreRef = {{
        name = "vault-kv"
        kind = "ClusterSecretStore"
      }}
      target = {{
        name = "{name}-secrets"
      }}
      dataFrom = [{{
        extract = {{
          key = "{name}"
        }}
      }}]
    }}
  }}
  depends_on = [{ty}.{snake}]
}}

module "tls_secret" {{
  source          = "../../modules/kubernetes/setup_tls_secret"
  namespace       = "{name}"
  tls_secret_name = var.tls_secret_name
}}

"#,
        snake = snake(name)
    )
}

fn pvc(rng: &mut Rng, name: &str, class: &str, ns: &str) -> String {
    let suffix = if class == "proxmox-lvm" {
        "proxmox"
    } else {
        "encrypted"
    };
    let wait = if rng.chance(90) {
        "  wait_until_bound = false\n"
    } else {
        ""
    };
    let ceiling = rng.pick(&["5Gi", "10Gi", "20Gi", "50Gi"]);
    let ceiling_line = if rng.chance(92) {
        format!("      \"resize.topolvm.io/storage_limit\" = \"{ceiling}\"\n")
    } else {
        String::new()
    };
    let lifecycle = if rng.chance(90) {
        "  lifecycle {\n    # pvc-autoresizer grows the request; PVCs cannot shrink.\n    ignore_changes = [spec[0].resources[0].requests]\n  }\n"
    } else {
        ""
    };
    format!(
        r#"resource "kubernetes_persistent_volume_claim" "data" {{
{wait}  metadata {{
    name      = "{name}-data-{suffix}"
    namespace = {ns}
    annotations = {{
      "resize.topolvm.io/threshold"     = "10%"
      "resize.topolvm.io/increase"      = "100%"
{ceiling_line}    }}
  }}
  spec {{
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "{class}"
    resources {{
      requests = {{
        storage = "{size}"
      }}
    }}
  }}
{lifecycle}}}

"#,
        size = rng.pick(&["1Gi", "2Gi", "5Gi"])
    )
}

fn nfs_module(rng: &mut Rng, name: &str, purpose: &str, ns: &str) -> String {
    let storage = if rng.chance(50) {
        format!("  storage    = \"{}Gi\"\n", 1 + rng.below(20))
    } else {
        String::new()
    };
    format!(
        r#"module "nfs_{p}" {{
  source     = "../../modules/kubernetes/nfs_volume"
  name       = "{name}-{purpose}"
  namespace  = {ns}
  nfs_server = var.nfs_server
  nfs_path   = "/srv/nfs/{name}/{purpose}"
{storage}}}

"#,
        p = snake(purpose)
    )
}

fn env_blocks(rng: &mut Rng, name: &str, indent: &str) -> String {
    let mut out = String::new();
    for k in 0..(2 + rng.below(10)) {
        if rng.chance(25) {
            let _ = write!(
                out,
                "{indent}env {{\n{indent}  name = \"SECRET_{k}\"\n{indent}  value_from {{\n{indent}    secret_key_ref {{\n{indent}      name = \"{name}-secrets\"\n{indent}      key  = \"secret_{k}\"\n{indent}    }}\n{indent}  }}\n{indent}}}\n"
            );
        } else {
            let value = rng.pick(&[
                "info",
                "true",
                "/data",
                "0 0 */8 * * *",
                "https://example.org",
                "8080",
            ]);
            let _ = write!(
                out,
                "{indent}env {{\n{indent}  name  = \"{}_{k}\"\n{indent}  value = \"{value}\"\n{indent}}}\n",
                snake(name).to_uppercase()
            );
        }
    }
    out
}

fn resources_block(rng: &mut Rng, indent: &str) -> String {
    let mem = rng.pick(&["64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi"]);
    let limit_mem = if rng.chance(15) { "4Gi" } else { mem };
    let cpu_limit = if rng.chance(15) {
        format!("{indent}    cpu    = \"{}m\"\n", 100 * (1 + rng.below(10)))
    } else {
        String::new()
    };
    if rng.chance(25) {
        // Older provider style: maps as blocks.
        format!(
            "{indent}resources {{\n{indent}  requests {{\n{indent}    cpu    = \"{cpu}m\"\n{indent}    memory = \"{mem}\"\n{indent}  }}\n{indent}  limits {{\n{cpu_limit}{indent}    memory = \"{limit_mem}\"\n{indent}  }}\n{indent}}}\n",
            cpu = 5 * (1 + rng.below(40))
        )
    } else {
        format!(
            "{indent}resources {{\n{indent}  requests = {{\n{indent}    cpu    = \"{cpu}m\"\n{indent}    memory = \"{mem}\"\n{indent}  }}\n{indent}  limits = {{\n{cpu_limit}{indent}    memory = \"{limit_mem}\"\n{indent}  }}\n{indent}}}\n",
            cpu = 5 * (1 + rng.below(40))
        )
    }
}

fn probes(rng: &mut Rng, indent: &str) -> String {
    let mut out = String::new();
    for probe in ["liveness_probe", "readiness_probe", "startup_probe"] {
        if rng.chance(50) {
            let _ = write!(
                out,
                "{indent}{probe} {{\n{indent}  http_get {{\n{indent}    path = \"/{}\"\n{indent}    port = 80\n{indent}  }}\n{indent}  initial_delay_seconds = {}\n{indent}  period_seconds        = 30\n{indent}  timeout_seconds       = 5\n{indent}  failure_threshold     = 3\n{indent}}}\n",
                rng.pick(&["healthz", "alive", "api/health", "ping"]),
                5 + rng.below(30)
            );
        }
    }
    out
}

fn deployment(rng: &mut Rng, name: &str, ns: &str, claim: Option<&str>, keel: bool) -> String {
    let v1 = if rng.chance(20) { "_v1" } else { "" };
    let strategy = if claim.is_some() && rng.chance(88) || rng.chance(30) {
        "    strategy {\n      type = \"Recreate\"\n    }\n"
    } else {
        ""
    };
    let ind = "          ";
    let mut containers = String::new();
    let count = if rng.chance(20) { 2 } else { 1 };
    for c in 0..count {
        let cname = if c == 0 {
            name.to_owned()
        } else {
            format!("{name}-sidecar")
        };
        let mounts = match (c, claim) {
            (0, Some(_)) => format!(
                "{ind}volume_mount {{\n{ind}  name       = \"data\"\n{ind}  mount_path = \"/data\"\n{ind}}}\n"
            ),
            _ => String::new(),
        };
        let _ = write!(
            containers,
            "        container {{\n{ind}name  = \"{cname}\"\n{ind}image = \"{img}\"\n{env}{mounts}{ind}port {{\n{ind}  name           = \"http\"\n{ind}  container_port = {port}\n{ind}  protocol       = \"TCP\"\n{ind}}}\n{probes}{res}        }}\n",
            img = image(rng, name),
            env = env_blocks(rng, name, ind),
            port = rng.pick(&["80", "8080", "3000", "9000"]),
            probes = probes(rng, ind),
            res = resources_block(rng, ind),
        );
    }
    let volumes = match claim {
        Some(claim) => format!(
            "        volume {{\n          name = \"data\"\n          persistent_volume_claim {{\n            claim_name = {claim}\n          }}\n        }}\n"
        ),
        None => String::new(),
    };
    let dns_tag = if rng.chance(90) {
        " # KYVERNO_LIFECYCLE_V1"
    } else {
        ""
    };
    let keel_entries = if keel && rng.chance(90) {
        "      metadata[0].annotations[\"keel.sh/policy\"],\n      metadata[0].annotations[\"keel.sh/trigger\"],\n      metadata[0].annotations[\"keel.sh/pollSchedule\"], # KYVERNO_LIFECYCLE_V2\n      metadata[0].annotations[\"keel.sh/match-tag\"],\n      spec[0].template[0].spec[0].container[0].image, # KEEL_IGNORE_IMAGE — Keel manages tag updates\n      metadata[0].annotations[\"kubernetes.io/change-cause\"],\n      metadata[0].annotations[\"deployment.kubernetes.io/revision\"],\n      spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"], # KEEL_LIFECYCLE_V1\n"
    } else {
        ""
    };
    format!(
        r#"resource "kubernetes_deployment{v1}" "{snake}" {{
  metadata {{
    name      = "{name}"
    namespace = {ns}
    labels = {{
      app                             = "{name}"
      "kubernetes.io/cluster-service" = "true"
      tier                            = local.tiers.aux
    }}
  }}
  spec {{
    replicas = 1
{strategy}    selector {{
      match_labels = {{
        app = "{name}"
      }}
    }}
    template {{
      metadata {{
        labels = {{
          app                             = "{name}"
          "kubernetes.io/cluster-service" = "true"
        }}
      }}
      spec {{
{containers}{volumes}      }}
    }}
  }}
  lifecycle {{
    ignore_changes = [
      spec[0].template[0].spec[0].dns_config,{dns_tag}
{keel_entries}    ]
  }}
}}

"#,
        snake = snake(name)
    )
}

fn service(name: &str, ns: &str) -> String {
    format!(
        r#"resource "kubernetes_service" "{snake}" {{
  metadata {{
    name      = "{name}"
    namespace = {ns}
    labels = {{
      "app" = "{name}"
    }}
  }}

  spec {{
    selector = {{
      app = "{name}"
    }}
    port {{
      port        = "80"
      target_port = "80"
    }}
  }}
}}

"#,
        snake = snake(name)
    )
}

fn cron_job(rng: &mut Rng, name: &str, job: &str, claim: Option<&str>) -> String {
    let ind = "            ";
    let volumes = match claim {
        Some(claim) => format!(
            "{ind}volume {{\n{ind}  name = \"data\"\n{ind}  persistent_volume_claim {{\n{ind}    claim_name = {claim}\n{ind}  }}\n{ind}}}\n{ind}volume {{\n{ind}  name = \"backup\"\n{ind}  persistent_volume_claim {{\n{ind}    claim_name = module.nfs_backup.claim_name\n{ind}  }}\n{ind}}}\n"
        ),
        None => String::new(),
    };
    let tag = if rng.chance(90) {
        "    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.\n"
    } else {
        ""
    };
    format!(
        r#"resource "kubernetes_cron_job_v1" "{snake}" {{
  metadata {{
    name      = "{job}"
    namespace = "{name}"
  }}
  spec {{
    concurrency_policy            = "Replace"
    failed_jobs_history_limit     = 5
    schedule                      = "{min} {hour} * * *"
    starting_deadline_seconds     = 300
    successful_jobs_history_limit = 3
    job_template {{
      metadata {{}}
      spec {{
        backoff_limit              = 3
        ttl_seconds_after_finished = 10
        template {{
          metadata {{}}
          spec {{
            container {{
              name  = "{job}"
              image = "docker.io/library/alpine"
              command = ["/bin/sh", "-c", <<-EOT
                set -euxo pipefail
                _t0=$(date +%s)
                now=$(date +"%Y_%m_%d_%H_%M")
                mkdir -p /backup/$now
                cp -a /data/. /backup/$now/
                # Rotate — 30 day retention
                find /backup -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {{}} +
                _dur=$(( $(date +%s) - _t0 ))
                _out_bytes=$(du -sb /backup/$now | cut -f1)
                wget -qO- --post-data "backup_duration_seconds $${{_dur}}
                backup_output_bytes $${{_out_bytes}}
                backup_last_success_timestamp $(date +%s)
                " http://prometheus-prometheus-pushgateway.monitoring:9091/metrics/job/{job} || true
              EOT
              ]
              volume_mount {{
                name       = "data"
                mount_path = "/data"
                read_only  = true
              }}
            }}
{volumes}            dns_config {{
              option {{
                name  = "ndots"
                value = "2"
              }}
            }}
          }}
        }}
      }}
    }}
  }}
  lifecycle {{
{tag}    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }}
}}

"#,
        snake = snake(job),
        min = rng.below(60),
        hour = rng.below(24)
    )
}

fn ingress(rng: &mut Rng, name: &str, ns: &str) -> String {
    let (tier, comment) = match rng.below(100) {
        0..=59 => ("required", ""),
        60..=79 => (
            "app",
            "  # auth = \"app\": the app has its own login and API tokens.\n",
        ),
        80..=89 => (
            "none",
            "  # auth = \"none\": webhook receiver; requests are signed.\n",
        ),
        _ => ("public", ""),
    };
    let (comment, trailing) = match (tier, rng.below(100)) {
        ("app" | "none", 0..=11) => ("", String::new()),
        ("app" | "none", 12..=19) => ("", format!(" # auth = \"{tier}\": own login")),
        ("required", _) => ("", " # Authentik forward-auth".to_owned()),
        _ => (comment, String::new()),
    };
    format!(
        r#"# https://{name}.viktorbarzin.me
module "ingress" {{
  source = "../../modules/kubernetes/ingress_factory"
{comment}  auth            = "{tier}"{trailing}
  dns_type        = "{dns}"
  namespace       = {ns}
  name            = "{name}"
  tls_secret_name = var.tls_secret_name
  extra_annotations = {{
    "gethomepage.dev/enabled"      = "true"
    "gethomepage.dev/name"         = "{name}"
    "gethomepage.dev/description"  = "{desc}"
    "gethomepage.dev/icon"         = "{name}.png"
    "gethomepage.dev/group"        = "{group}"
    "gethomepage.dev/pod-selector" = ""
  }}
}}

"#,
        dns = rng.pick(&["proxied", "non-proxied", "internal"]),
        desc = rng.pick(&[
            "Self-hosted app",
            "Media server",
            "Notes",
            "Dashboard",
            "Tracker"
        ]),
        group = rng.pick(&[
            "Productivity",
            "Media & Entertainment",
            "Other",
            "Infrastructure"
        ]),
    )
}

fn header_vars(nfs: bool) -> String {
    let mut out =
        "variable \"tls_secret_name\" {\n  type      = string\n  sensitive = true\n}\n".to_owned();
    if nfs {
        out.push_str("variable \"nfs_server\" { type = string }\n");
    }
    out.push('\n');
    out
}

fn app_stack(rng: &mut Rng, name: &str) -> String {
    let keel = rng.chance(60);
    let mut out = header_vars(true);
    let _ = writeln!(out, "# {name}: hand-maintained stack.");
    let (block, ty) = namespace(rng, name, keel);
    out.push_str(&block);
    out.push_str(&external_secret(name, ty));
    let ns = ns_ref(rng, name, ty);
    let class = match rng.below(100) {
        0..=39 => Some("proxmox-lvm-encrypted"),
        40..=69 => Some("proxmox-lvm"),
        _ => None,
    };
    let claim = class.map(|class| {
        out.push_str(&pvc(rng, name, class, &ns));
        if rng.chance(70) {
            "kubernetes_persistent_volume_claim.data.metadata[0].name".to_owned()
        } else {
            let suffix = if class == "proxmox-lvm" {
                "proxmox"
            } else {
                "encrypted"
            };
            format!("\"{name}-data-{suffix}\"")
        }
    });
    out.push_str(&nfs_module(rng, name, "media", &ns));
    out.push_str(&deployment(rng, name, &ns, claim.as_deref(), keel));
    out.push_str(&service(name, &ns));
    if let Some(claim) = claim.as_deref().filter(|_| rng.chance(70)) {
        out.push_str(&nfs_module(rng, name, "backup", &ns));
        out.push_str(&cron_job(rng, name, &format!("{name}-backup"), Some(claim)));
    }
    out.push_str(&ingress(rng, name, &ns));
    out
}

fn helm_values(rng: &mut Rng, name: &str, lines: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "fullnameOverride: {name}");
    let _ = writeln!(out, "podAnnotations:\n  diun.enable: \"true\"");
    for k in 0..lines {
        match rng.below(5) {
            0 => {
                let _ = writeln!(
                    out,
                    "component{k}:\n  enabled: true\n  replicas: {}\n  resources:\n    requests: {{ cpu: 10m, memory: 64Mi }}",
                    1 + rng.below(3)
                );
            }
            1 => {
                let _ = writeln!(
                    out,
                    "extraEnv{k}:\n  - name: LOG_LEVEL\n    value: \"{}\"",
                    rng.pick(&["info", "debug", "warn"])
                );
            }
            2 => {
                let _ = writeln!(
                    out,
                    "config{k}: |\n  [section]\n  key = \"value {{with braces}}\"\n  path = /var/lib/{name}"
                );
            }
            3 => {
                let _ = writeln!(
                    out,
                    "ingress{k}:\n  annotations: {{ \"traefik.ingress.kubernetes.io/router.middlewares\": \"{name}-{k}@kubernetescrd\" }}"
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "# values for the {name} chart, block {k}\nnodeSelector{k}: {{}}"
                );
            }
        }
    }
    out
}

fn helm_stack(rng: &mut Rng, name: &str) -> String {
    let mut out = header_vars(false);
    let (block, ty) = namespace(rng, name, false);
    out.push_str(&block);
    let lines = 30 + rng.below(120);
    let _ = write!(
        out,
        r#"resource "helm_release" "{snake}" {{
  namespace        = {ty}.{snake}.metadata[0].name
  create_namespace = false
  name             = "{name}"
  repository       = "https://charts.example.org/{name}"
  chart            = "{name}"
  version          = "{major}.{minor}.0"
  atomic           = true
  timeout          = 600

  values = [<<-EOF
{values}  EOF
  ]
}}

"#,
        snake = snake(name),
        major = rng.below(30),
        minor = rng.below(20),
        values = helm_values(rng, name, lines)
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    );
    if rng.chance(50) {
        out.push_str(&ingress(rng, name, &format!("\"{name}\"")));
    }
    out
}

fn db_stack(rng: &mut Rng, name: &str) -> String {
    let mut out = header_vars(true);
    out.push_str(&namespace(rng, name, false).0);
    let db = rng.pick(&["postgres", "mysql", "redis", "mongodb"]);
    let sts = format!("{name}-{db}");
    let ind = "          ";
    let _ = write!(
        out,
        r#"resource "kubernetes_stateful_set_v1" "{snake}" {{
  metadata {{
    name      = "{sts}"
    namespace = "{name}"
  }}
  spec {{
    service_name = "{sts}"
    replicas     = 1
    selector {{
      match_labels = {{
        app = "{sts}"
      }}
    }}
    template {{
      metadata {{
        labels = {{
          app = "{sts}"
        }}
      }}
      spec {{
        container {{
          name  = "{db}"
          image = "{db}:{ver}"
{env}{res}          volume_mount {{
            name       = "data"
            mount_path = "/var/lib/{db}"
          }}
        }}
      }}
    }}
    volume_claim_template {{
      metadata {{
        name = "data"
      }}
      spec {{
        access_modes       = ["ReadWriteOnce"]
        storage_class_name = "proxmox-lvm-encrypted"
        resources {{
          requests = {{
            storage = "{size}Gi"
          }}
        }}
      }}
    }}
  }}
  lifecycle {{
    ignore_changes = [spec[0].template[0].spec[0].dns_config] # KYVERNO_LIFECYCLE_V1
  }}
}}

"#,
        snake = snake(&sts),
        ver = rng.below(20),
        env = env_blocks(rng, name, ind),
        res = resources_block(rng, ind),
        size = 5 + rng.below(50),
    );
    if rng.chance(75) {
        out.push_str(&nfs_module(rng, name, "backup", &format!("\"{name}\"")));
        out.push_str(&cron_job(
            rng,
            name,
            &format!("{db}-backup"),
            Some(&format!("\"data-{sts}-0\"")),
        ));
    }
    out
}

fn platform_stack(rng: &mut Rng, name: &str) -> String {
    let mut out = header_vars(true);
    for k in 0..(3 + rng.below(6)) {
        let module = rng.pick(&[
            "monitoring",
            "kyverno",
            "traefik",
            "metallb",
            "cnpg",
            "redis",
            "reloader",
        ]);
        let _ = write!(
            out,
            "module \"{module}_{k}\" {{\n  source          = \"./modules/{module}\"\n  tier            = local.tiers.cluster\n  tls_secret_name = var.tls_secret_name\n  nfs_server      = var.nfs_server\n  replicas        = {}\n  enabled         = {}\n}}\n\n",
            1 + rng.below(3),
            rng.chance(80)
        );
    }
    let _ = write!(
        out,
        "locals {{\n  {snake}_settings = {{\n    retention = \"{}d\"\n    replicas  = {}\n    hosts     = [\"a.{name}.lan\", \"b.{name}.lan\"]\n  }}\n}}\n\n",
        7 + rng.below(60),
        1 + rng.below(3),
        snake = snake(name)
    );
    out
}

fn variables(rng: &mut Rng) -> String {
    let mut out = String::new();
    for k in 0..(3 + rng.below(8)) {
        let _ = write!(
            out,
            "variable \"setting_{k}\" {{\n  type        = {}\n  description = \"Tunable {k} of this stack.\"\n  default     = {}\n}}\n\n",
            rng.pick(&["string", "number", "bool"]),
            rng.pick(&["\"x\"", "3", "true"])
        );
    }
    out
}

fn outputs(rng: &mut Rng, name: &str) -> String {
    let mut out = String::new();
    for k in 0..(1 + rng.below(4)) {
        let _ = write!(
            out,
            "output \"{snake}_{k}\" {{\n  value     = \"{name}.{name}.svc.cluster.local\"\n  sensitive = false\n}}\n\n",
            snake = snake(name)
        );
    }
    out
}

fn rbac(rng: &mut Rng, name: &str) -> String {
    let verbs = rng.pick(&["\"get\", \"list\", \"watch\"", "\"get\"", "\"*\""]);
    format!(
        r#"resource "kubernetes_service_account" "{snake}" {{
  metadata {{
    name      = "{name}"
    namespace = "{name}"
  }}
}}

resource "kubernetes_cluster_role" "{snake}" {{
  metadata {{
    name = "{name}-reader"
  }}
  rule {{
    api_groups = [""]
    resources  = ["pods", "services", "endpoints"]
    verbs      = [{verbs}]
  }}
}}

"#,
        snake = snake(name)
    )
}

/// Bulk that real stacks have and no rule reads: config maps with heredoc data, alert
/// rules as `kubernetes_manifest`, and locals.
fn filler(rng: &mut Rng, name: &str, count: usize) -> String {
    let mut out = String::new();
    for _ in 0..count {
        let id = rng.next() % 100_000;
        match rng.below(3) {
            0 => {
                let mut data = String::new();
                for k in 0..(10 + rng.below(60)) {
                    let _ = writeln!(
                        data,
                        "      {name}.setting{k} = {}",
                        rng.pick(&["on", "off", "\"${HOME}/x\"", "{ a = 1 }"])
                    );
                }
                let _ = write!(
                    out,
                    "resource \"kubernetes_config_map\" \"{snake}_{id}\" {{\n  metadata {{\n    name      = \"{name}-config-{id}\"\n    namespace = \"{name}\"\n  }}\n  data = {{\n    \"app.conf\" = <<-EOT\n{data}    EOT\n  }}\n}}\n\n",
                    snake = snake(name)
                );
            }
            1 => {
                let mut rules = String::new();
                for k in 0..(2 + rng.below(8)) {
                    let _ = write!(
                        rules,
                        "          {{\n            alert = \"{}Down{k}\"\n            expr  = \"up{{job=\\\"{name}\\\"}} == 0\"\n            for   = \"{}m\"\n            labels = {{\n              severity = \"{}\"\n            }}\n            annotations = {{\n              summary = \"{name} target {k} is down\"\n            }}\n          }},\n",
                        snake(name),
                        1 + rng.below(15),
                        rng.pick(&["warning", "critical", "info"])
                    );
                }
                let _ = write!(
                    out,
                    "resource \"kubernetes_manifest\" \"{snake}_rules_{id}\" {{\n  manifest = {{\n    apiVersion = \"monitoring.coreos.com/v1\"\n    kind       = \"PrometheusRule\"\n    metadata = {{\n      name      = \"{name}-rules-{id}\"\n      namespace = \"monitoring\"\n    }}\n    spec = {{\n      groups = [{{\n        name = \"{name}\"\n        rules = [\n{rules}        ]\n      }}]\n    }}\n  }}\n}}\n\n",
                    snake = snake(name)
                );
            }
            _ => {
                let mut entries = String::new();
                for k in 0..(5 + rng.below(30)) {
                    let _ = writeln!(
                        entries,
                        "    \"{name}-{k}\" = {{ port = {}, path = \"/srv/{name}/{k}\", enabled = {} }}",
                        1000 + rng.below(60000),
                        rng.chance(50)
                    );
                }
                let _ = write!(
                    out,
                    "locals {{\n  {snake}_map_{id} = {{\n{entries}  }}\n}}\n\n",
                    snake = snake(name)
                );
            }
        }
    }
    out
}

/// Writes `count` specs into `dir` (which must exist), copied round-robin from `sources`
/// (`(file stem, text)`), each under its own name: copy `i` of spec `foo` is
/// `foo-<i>.yaml` with its top-level `name:` line rewritten to `foo-<i>`, so every copy
/// renders its own stack (an `adopt:` section is left out: a copy adopts nothing). Returns
/// the file names, sorted as `dlgen check` reads them.
pub fn spec_copies(
    sources: &[(String, String)],
    count: usize,
    dir: &Path,
) -> io::Result<Vec<String>> {
    let width = count.max(1).to_string().len();
    let mut names = Vec::with_capacity(count);
    for i in 0..count {
        let Some((stem, text)) = sources.get(i % sources.len().max(1)) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no specs to copy",
            ));
        };
        let name = format!("{stem}-{i:0width$}");
        let mut renamed = false;
        let mut in_adopt = false;
        let mut copy = String::with_capacity(text.len() + 8);
        for line in text.split_inclusive('\n') {
            // A copy is a new stack, not an adoption: its `moved` blocks would name
            // addresses of the original stack, so the `adopt:` section is left out.
            let top_level = line.starts_with(|c: char| !c.is_whitespace() && c != '#');
            if top_level {
                in_adopt = line.starts_with("adopt:");
            }
            if in_adopt {
                continue;
            }
            if !renamed && line.starts_with("name:") {
                let _ = writeln!(copy, "name: {name}");
                renamed = true;
            } else {
                copy.push_str(line);
            }
        }
        if !renamed {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("spec `{stem}` has no top-level `name:` line to rename"),
            ));
        }
        let file = format!("{name}.yaml");
        std::fs::write(dir.join(&file), copy)?;
        names.push(file);
    }
    names.sort();
    Ok(names)
}
