//! `dlgen import` on the objects around the pod, one variant of the fact sheet at a time
//! (stack-patterns v2 sections 5, 6 and 7, and the `terragrunt.hcl` variants): each probe
//! edits a copy of a hand-written corpus stack, imports it (losslessly: the spec is
//! rendered again and compared plan-semantically with the edited stack), and says what the
//! spec must hold and where raw HCL may be — nowhere, or exactly at the variant's node.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::ROOT;
use common::import::{imported, renderer};
use yaml_rust2::{Yaml, YamlLoader};

/// Where raw HCL may be in the imported spec.
enum Raw {
    /// Nowhere.
    None,
    /// Exactly at these places (`raw.stack`, `containers[0].raw`, ...), each holding
    /// exactly these top-level blocks (their header lines, up to the `{`), in order.
    At(&'static [(&'static str, &'static [&'static str])]),
}

struct Probe {
    /// What the fact sheet records.
    variant: &'static str,
    /// The corpus stack it edits (`tests/fixtures/handwritten/<base>`).
    base: &'static str,
    /// `main.tf` edits: every occurrence of the first text becomes the second.
    edits: &'static [(&'static str, &'static str)],
    /// Text appended to `main.tf`.
    append: &'static str,
    /// `terragrunt.hcl` edits, as `edits`.
    terragrunt: &'static [(&'static str, &'static str)],
    /// Files written beside `main.tf`.
    files: &'static [(&'static str, &'static str)],
    /// Fragments the spec's YAML must contain.
    spec: &'static [&'static str],
    raw: Raw,
}

const P: Probe = Probe {
    variant: "",
    base: "song-shelf",
    edits: &[],
    append: "",
    terragrunt: &[],
    files: &[],
    spec: &[],
    raw: Raw::None,
};

/// The namespace reference of song-shelf's objects.
const SONG_NS: &str = "kubernetes_namespace.song-shelf.metadata[0].name";

/// An env entry of ledger-sync's app container, after which probes add one.
const LEDGER_ENV: &str = "          env {
            name  = \"DRY_RUN\"
            value = \"false\"
          }
";

/// ledger-sync's last homepage annotation, after which probes add a widget.
const LEDGER_HOMEPAGE: &str = "    \"gethomepage.dev/pod-selector\" = \"\"\n";

const WIDGET_OF_LOCAL: &str = "    \"gethomepage.dev/pod-selector\"    = \"\"
    \"gethomepage.dev/widget.type\"     = \"customapi\"
    \"gethomepage.dev/widget.url\"      = \"http://ledger-sync.ledger-sync.svc.cluster.local\"
    \"gethomepage.dev/widget.username\" = local.homepage_credentials.ledger.username
    \"gethomepage.dev/widget.password\" = local.homepage_credentials[\"ledger\"][\"password\"]
";

const OPTIONAL_WIDGET: &str = "    \"gethomepage.dev/pod-selector\"    = \"\"
    \"gethomepage.dev/widget.type\"     = \"customapi\"
    \"gethomepage.dev/widget.url\"      = \"http://ledger-sync.ledger-sync.svc.cluster.local\"
    \"gethomepage.dev/widget.budget\"   = lookup(local.credentials[\"viktor\"], \"budget_id\", null)
    \"gethomepage.dev/widget.sync\"     = lookup(local.credentials, \"sync_id\", null)
    \"gethomepage.dev/widget.password\" = lookup(local.homepage_credentials[\"ledger\"], \"password\", null)
";

/// ledger-sync's plan-time read of its ExternalSecret's secret (a macro, for `concat!`).
/// song-shelf's plan-time Vault read, which probes of objects from Vault append.
macro_rules! song_vault_read {
    () => {
        "
data \"vault_kv_secret_v2\" \"secrets\" {
  mount = \"secret\"
  name  = \"song-shelf\"
}
"
    };
}

/// A Traefik Middleware of song-shelf's namespace, `spec` the lines inside its `spec = { }`.
macro_rules! song_middleware {
    ($label:literal, $name:literal, $spec:literal) => {
        concat!(
            "resource \"kubernetes_manifest\" \"",
            $label,
            "\" {\n  manifest = {\n    apiVersion = \"traefik.io/v1alpha1\"\n    kind       = \"Middleware\"\n    metadata = {\n      name      = \"",
            $name,
            "\"\n      namespace = kubernetes_namespace.song-shelf.metadata[0].name\n    }\n    spec = {\n",
            $spec,
            "    }\n  }\n}\n"
        )
    };
}

macro_rules! ledger_eso_read {
    () => {
        "
data \"kubernetes_secret\" \"eso_secrets\" {
  metadata {
    name      = \"ledger-sync-secrets\"
    namespace = local.namespace
  }
  depends_on = [kubernetes_manifest.external_secret]
}
"
    };
}

const SONG_NS_LABELS: &str = "    labels = {
      tier               = local.tiers.aux
      \"keel.sh/enrolled\" = \"true\"
    }
";

const SONG_NS_LIFECYCLE: &str = "  lifecycle {
    # KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps the goldilocks vpa-update-mode label on every namespace.
    ignore_changes = [metadata[0].labels[\"goldilocks.fairwinds.com/vpa-update-mode\"]]
  }
";

fn probes() -> Vec<Probe> {
    vec![
        // --- 5.1 ExternalSecret variants ---------------------------------------------
        Probe {
            variant: "5.1.1 dataFrom extract, literal namespace, no depends_on",
            append: "
resource \"kubernetes_manifest\" \"external_secret\" {
  field_manager {
    force_conflicts = true
  }
  manifest = {
    apiVersion = \"external-secrets.io/v1\"
    kind       = \"ExternalSecret\"
    metadata = {
      name      = \"song-shelf-secrets\"
      namespace = \"song-shelf\"
    }
    spec = {
      refreshInterval = \"1h\"
      secretStoreRef = {
        name = \"vault-kv\"
        kind = \"ClusterSecretStore\"
      }
      target = {
        name           = \"song-shelf-secrets\"
        creationPolicy = \"Owner\"
        template = {
          metadata = {
            annotations = { \"reloader.stakater.com/match\" = \"true\" }
          }
        }
      }
      dataFrom = [{
        extract = {
          key = \"viktor\"
        }
      }]
    }
  }
}
",
            spec: &[
                "vault_key: viktor",
                "refresh_interval: 1h",
                "creation_policy: Owner",
                "reloader_match: true",
            ],
            ..P
        },
        Probe {
            variant: "5.1.6 a Grafana ExternalSecret and datasource ConfigMap in monitoring",
            append: "
variable \"postgresql_host\" { type = string }

resource \"kubernetes_manifest\" \"grafana_external_secret\" {
  field_manager {
    force_conflicts = true
  }
  manifest = {
    apiVersion = \"external-secrets.io/v1\"
    kind       = \"ExternalSecret\"
    metadata = {
      name      = \"grafana-song-shelf-pg-creds\"
      namespace = \"monitoring\"
    }
    spec = {
      refreshInterval = \"1h\"
      secretStoreRef = {
        name = \"vault-database\"
        kind = \"ClusterSecretStore\"
      }
      target = {
        name = \"grafana-song-shelf-pg-creds\"
        template = {
          data = {
            GF_SONG_SHELF_PG_PASSWORD = \"{{ .password }}\"
          }
        }
      }
      data = [{
        secretKey = \"password\"
        remoteRef = {
          key      = \"static-creds/pg-song-shelf\"
          property = \"password\"
        }
      }]
    }
  }
}

resource \"kubernetes_config_map\" \"grafana_song_shelf_datasource\" {
  metadata {
    name      = \"grafana-song-shelf-datasource\"
    namespace = \"monitoring\"
    labels = {
      grafana_datasource = \"1\"
    }
  }
  data = {
    \"song-shelf-datasource.yaml\" = yamlencode({
      apiVersion = 1
      datasources = [{
        name   = \"SongShelf\"
        type   = \"postgres\"
        access = \"proxy\"
        url    = \"${var.postgresql_host}:5432\"
        user   = \"song_shelf\"
        uid    = \"song-shelf-pg\"
        jsonData = {
          database        = \"song_shelf\"
          sslmode         = \"disable\"
          postgresVersion = 1600
          timescaledb     = false
        }
        secureJsonData = {
          password = \"$__env{GF_SONG_SHELF_PG_PASSWORD}\"
        }
        editable = true
      }]
    })
  }
  depends_on = [kubernetes_manifest.grafana_external_secret]
}
",
            spec: &[
                "namespace: monitoring",
                "database: postgres",
                "grafana_datasource: '1'",
            ],
            ..P
        },
        // --- 5.2 config maps ----------------------------------------------------------
        Probe {
            variant: "5.2 kubernetes_config_map_v1 of a file, a heredoc and a templatefile",
            append: "
resource \"kubernetes_config_map_v1\" \"config\" {
  metadata {
    name      = \"song-shelf-config\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
    annotations = {
      \"reloader.stakater.com/match\" = \"true\"
    }
  }
  data = {
    \"app.py\" = file(\"${path.module}/files/app.py\")
    \"nginx.conf\" = <<-EOT
      server {
        listen 80;
      }
    EOT
    \"pgb.ini\" = templatefile(\"${path.module}/pgb.ini.tpl\", { port = 5432 })
  }
  binary_data = {
    \"logo.png\" = filebase64(\"${path.module}/logo.png\")
  }
}
",
            files: &[
                ("files/app.py", "print(1)\n"),
                ("pgb.ini.tpl", "port=${port}\n"),
                ("logo.png", "PNG"),
            ],
            spec: &["resource_type: kubernetes_config_map_v1", "reloader_match: true"],
            ..P
        },
        Probe {
            variant: "5.2 a config map the app rewrites, with the drift-workaround ignore",
            append: "
resource \"kubernetes_config_map\" \"strategy\" {
  metadata {
    name      = \"song-shelf-strategy\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  data = {
    \"strategy.yaml\" = \"stop_loss_pct: 8\"
  }
  lifecycle {
    # DRIFT_WORKAROUND: the optimiser rewrites strategy.yaml in place; TF only seeds it.
    ignore_changes = [data]
  }
}
",
            spec: &[
                "ignore_changes: [data]",
                "ignore_changes_why: the optimiser rewrites strategy.yaml in place; TF only seeds it.",
            ],
            ..P
        },
        // --- 5.3 random_* ----------------------------------------------------------------
        Probe {
            variant: "5.3 random_id read as .hex by an env value",
            edits: &[(
                "            value = \"/music\"\n          }\n",
                "            value = \"/music\"\n          }\n          env {\n            name  = \"API_KEY\"\n            value = random_id.key.hex\n          }\n",
            )],
            append: "
resource \"random_id\" \"key\" {
  byte_length = 32
}
",
            spec: &["{ref: random_id.key.hex}", "byte_length: 32"],
            ..P
        },
        // --- 5.4 kubernetes_secret -------------------------------------------------------
        Probe {
            variant: "5.4 an htpasswd secret from Vault with the drift-workaround ignore",
            append: concat!(
                song_vault_read!(),
                "
resource \"kubernetes_secret\" \"htpasswd\" {
  metadata {
    name      = \"htpasswd\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  data = {
    auth = data.vault_kv_secret_v2.secrets.data[\"htpasswd\"]
  }
  lifecycle {
    # DRIFT_WORKAROUND: bcrypt salts differ on every render
    ignore_changes = [data]
  }
}
"
            ),
            spec: &["ignore_changes: [data]", "{vault: {path: song-shelf, key: htpasswd}}"],
            ..P
        },
        Probe {
            // claude-memory: plan-time values with per-app override variables, so a
            // plain Secret under the stack's secret name, and no ExternalSecret.
            variant: "5.4 a plain secret under the stack's own secret name, read by env_from",
            edits: &[(
                "          name  = \"song-shelf\"\n          image = \"ghcr.io/owner/song-shelf:latest\"\n",
                "          name  = \"song-shelf\"\n          image = \"ghcr.io/owner/song-shelf:latest\"\n          env_from {\n            secret_ref {\n              name = kubernetes_secret.song_shelf.metadata[0].name\n            }\n          }\n",
            )],
            append: concat!(
                song_vault_read!(),
                "
variable \"api_key\" {
  type      = string
  sensitive = true
  default   = \"\"
}

resource \"kubernetes_secret\" \"song_shelf\" {
  metadata {
    name      = \"song-shelf-secrets\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  data = {
    API_KEY = var.api_key != \"\" ? var.api_key : data.vault_kv_secret_v2.secrets.data[\"api_key\"]
  }
}
"
            ),
            spec: &[
                "env_from: [{secret: song-shelf-secrets}]",
                "kubernetes_secrets:",
                "API_KEY: {if_set: [{var: api_key}, {vault: {path: song-shelf, key: api_key}}]}",
            ],
            ..P
        },
        // --- 5.5 app CronJobs ------------------------------------------------------------
        Probe {
            variant: "5.5 a CronJob suspended by a flag",
            base: "feed-digest",
            edits: &[(
                "    schedule                      = \"15 7 * * *\"\n",
                "    schedule                      = \"15 7 * * *\"\n    suspend                       = !var.digest_enabled\n",
            )],
            append: "
variable \"digest_enabled\" {
  type    = bool
  default = true
}
",
            spec: &["digest_enabled"],
            ..P
        },
        Probe {
            variant: "5.5 CronJobs generated from a map (for_each): a job per instance, each moved to its own address",
            base: "feed-digest",
            edits: &[
                (
                    "resource \"kubernetes_cron_job_v1\" \"feed_digest\" {\n  metadata {\n    name      = \"feed-digest\"",
                    "resource \"kubernetes_cron_job_v1\" \"feed_digest\" {\n  for_each = local.cronjobs\n  metadata {\n    name      = each.key",
                ),
                ("\"15 7 * * *\"", "each.value"),
            ],
            append: "
locals {
  cronjobs = {
    \"feed-digest\" = \"15 7 * * *\"
    \"feed-weekly\" = \"0 8 * * 1\"
  }
}
",
            spec: &[
                "- from: kubernetes_cron_job_v1.feed_digest[\"feed-digest\"]\n      to: kubernetes_cron_job_v1.feed_digest\n",
                "- from: kubernetes_cron_job_v1.feed_digest[\"feed-weekly\"]\n      to: kubernetes_cron_job_v1.feed_weekly\n",
                "  - name: feed-weekly\n    schedule: 0 8 * * 1\n",
            ],
            ..P
        },
        // --- 5.6 one-shot Jobs -----------------------------------------------------------
        Probe {
            variant: "5.6 a db_init Job the Deployment waits for",
            append: "
variable \"postgresql_host\" { type = string }

data \"vault_kv_secret_v2\" \"secrets\" {
  mount = \"secret\"
  name  = \"platform\"
}

resource \"kubernetes_job\" \"db_init\" {
  metadata {
    name      = \"song-shelf-db-init\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  spec {
    backoff_limit = 3
    template {
      metadata {}
      spec {
        restart_policy = \"Never\"
        container {
          name  = \"db-init\"
          image = \"postgres:16-alpine\"
          command = [\"sh\", \"-c\", <<-EOT
            psql -h ${var.postgresql_host} -U root -d postgres -tc \"SELECT 1 FROM pg_roles WHERE rolname='song_shelf'\" | grep -q 1 || psql -h ${var.postgresql_host} -U root -d postgres -c \"CREATE ROLE song_shelf LOGIN\"
          EOT
          ]
          env {
            name  = \"PGPASSWORD\"
            value = data.vault_kv_secret_v2.secrets.data[\"dbaas_root_password\"]
          }
        }
      }
    }
  }
  wait_for_completion = true
  timeouts {
    create = \"2m\"
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: a Job template is immutable, so drift would replace and re-run it.
    ignore_changes = [spec[0].template[0].spec[0].dns_config]
  }
}
",
            edits: &[(
                "      spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"], # KEEL_LIFECYCLE_V1\n    ]\n  }\n",
                "      spec[0].template[0].metadata[0].annotations[\"keel.sh/update-time\"], # KEEL_LIFECYCLE_V1\n    ]\n  }\n  depends_on = [kubernetes_job.db_init]\n",
            )],
            spec: &["image: postgres:16-alpine", "dbaas_root_password"],
            ..P
        },
        // --- 5.8 PVCs ---------------------------------------------------------------------
        Probe {
            variant: "5.8 a PVC without wait_until_bound nor a class suffix in its name",
            base: "kiosk-gallery",
            edits: &[
                ("  wait_until_bound = false\n", ""),
                ("\"kiosk-gallery-data-proxmox\"", "\"kiosk-gallery-photos\""),
                ("\"resize.topolvm.io/storage_limit\" = \"10Gi\"", "\"resize.topolvm.io/storage_limit\" = \"500Gi\""),
            ],
            spec: &["kiosk-gallery-photos", "max_size: 500Gi"],
            ..P
        },
        Probe {
            variant: "5.8 a PVC the autoresizer grows by other steps",
            base: "kiosk-gallery",
            edits: &[
                ("\"resize.topolvm.io/threshold\"     = \"10%\"", "\"resize.topolvm.io/threshold\"     = \"20%\""),
                ("\"resize.topolvm.io/increase\"      = \"100%\"", "\"resize.topolvm.io/increase\"      = \"5Gi\""),
            ],
            spec: &["resize_threshold: 20%", "resize_increase: 5Gi"],
            ..P
        },
        Probe {
            variant: "5.8 a PVC sized by a variable",
            base: "kiosk-gallery",
            edits: &[("storage = \"2Gi\"", "storage = var.storage_size")],
            append: "
variable \"storage_size\" {
  type    = string
  default = \"2Gi\"
}
",
            spec: &["size_var: storage_size", "storage_size: {default: 2Gi}"],
            ..P
        },
        Probe {
            // A convention broken on purpose, with the repo's suppression above the PVC.
            variant: "5.8 a PVC whose grown requests are not ignored, with its reason",
            base: "kiosk-gallery",
            edits: &[
                (
                    "  lifecycle {\n    # See data_proxmox in the storage docs — required for autoresizer coexistence.\n    ignore_changes = [spec[0].resources[0].requests]\n  }\n",
                    "",
                ),
                (
                    "resource \"kubernetes_persistent_volume_claim\" \"data_proxmox\" {",
                    "# dlgen:allow pvc-ignore-requests the gallery is resized by hand\nresource \"kubernetes_persistent_volume_claim\" \"data_proxmox\" {",
                ),
            ],
            spec: &[
                "ignore_requests: false",
                "ignore_requests_why: the gallery is resized by hand",
                "max_size: 10Gi",
            ],
            ..P
        },
        Probe {
            variant: "5.8 a PVC without the autoresizer nor a reason",
            base: "kiosk-gallery",
            edits: &[
                (
                    "    annotations = {\n      \"resize.topolvm.io/threshold\"     = \"10%\"\n      \"resize.topolvm.io/increase\"      = \"100%\"\n      \"resize.topolvm.io/storage_limit\" = \"10Gi\"\n    }\n",
                    "",
                ),
                (
                    "  lifecycle {\n    # See data_proxmox in the storage docs — required for autoresizer coexistence.\n    ignore_changes = [spec[0].resources[0].requests]\n  }\n",
                    "",
                ),
            ],
            spec: &[
                "autoresize: false",
                "autoresize_why: 'imported as it stands; the stack gives no reason (review: say why)'",
            ],
            ..P
        },
        // --- 5.9 manifests ------------------------------------------------------------------
        Probe {
            variant: "5.9 a basicAuth Middleware naming a hand-written htpasswd Secret, older ignore list",
            // The Secret's data is a `for` over credentials: raw HCL. The Middleware's
            // `{ref}` to it made the model refuse every draft, so the Deployment's
            // ignores (here the six-entry older list) were not read and the whole
            // Deployment went raw.
            edits: &[
                ("      metadata[0].annotations[\"keel.sh/match-tag\"],\n", ""),
                ("      metadata[0].annotations[\"kubernetes.io/change-cause\"],\n", ""),
                (
                    "      metadata[0].annotations[\"deployment.kubernetes.io/revision\"],\n",
                    "",
                ),
            ],
            append: concat!(
                "
variable \"song_users\" {
  type      = map(string)
  sensitive = true
}

resource \"kubernetes_secret\" \"basic_auth\" {
  metadata {
    name      = \"song-basic-auth\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  data = {
    users = join(\"\\n\", [for user, hash in var.song_users : \"${user}:${hash}\"])
  }
}
",
                song_middleware!(
                    "basic_auth",
                    "basic-auth",
                    "      basicAuth = {
        secret = kubernetes_secret.basic_auth.metadata[0].name
        realm  = \"Songs\"
      }
"
                )
            ),
            spec: &[
                "secret: {ref: 'kubernetes_secret.basic_auth.metadata[0].name'}",
                "    drop:\n      - metadata[0].annotations[\"keel.sh/match-tag\"]",
            ],
            raw: Raw::At(&[(
                "raw.stack",
                &["resource \"kubernetes_secret\" \"basic_auth\""],
            )]),
            ..P
        },
        Probe {
            variant: "5.9 the bearer-token Middleware plugin with tokens from Vault",
            append: concat!(
                song_vault_read!(),
                "\n",
                song_middleware!(
                    "bearer",
                    "song-bearer",
                    "      plugin = {
        api-token-middleware = {
          authenticationHeader   = false
          bearerHeader           = true
          bearerHeaderName       = \"Authorization\"
          tokens                 = jsondecode(data.vault_kv_secret_v2.secrets.data[\"bearer_tokens\"])
          removeHeadersOnSuccess = true
          authenticationErrorMsg = \"Access Denied\"
        }
      }
"
                ),
            ),
            spec: &["api-token-middleware", "bearer_tokens"],
            ..P
        },
        Probe {
            // The reference keeps the order Terraform creates them in: the Secret first.
            variant: "5.9 a basicAuth Middleware that names the stack's htpasswd Secret by reference",
            append: concat!(
                song_vault_read!(),
                "
resource \"kubernetes_secret\" \"htpasswd\" {
  metadata {
    name      = \"song-htpasswd\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  type = \"Opaque\"
  data = {
    users = data.vault_kv_secret_v2.secrets.data[\"htpasswd\"]
  }
}

",
                song_middleware!(
                    "basic_auth",
                    "song-basic-auth",
                    "      basicAuth = {
        secret = kubernetes_secret.htpasswd.metadata[0].name
      }
"
                ),
            ),
            spec: &["secret: {ref: 'kubernetes_secret.htpasswd.metadata[0].name'}"],
            ..P
        },
        Probe {
            // The spec keeps what the stack writes; a literal would drop the edge.
            variant: "3.4 an env value naming the stack's own Service by reference",
            edits: &[(
                "            name  = \"MUSIC_DIR\"\n            value = \"/music\"",
                "            name  = \"SELF_HOST\"\n            value = kubernetes_service.song-shelf.metadata[0].name",
            )],
            spec: &["value: {ref: 'kubernetes_service.song-shelf.metadata[0].name'}"],
            ..P
        },
        Probe {
            variant: "2 an ingress that depends_on its bearer Middleware, with the reason (repowise)",
            edits: &[(
                "  service_name    = kubernetes_service.song-shelf.metadata[0].name\n",
                "  service_name    = kubernetes_service.song-shelf.metadata[0].name\n  extra_middlewares = [\"song-shelf-strip@kubernetescrd\"]\n  depends_on = [kubernetes_manifest.strip] # Middleware first, or Traefik 404s the route\n",
            )],
            append: concat!(
                "\n",
                song_middleware!(
                    "strip",
                    "song-shelf-strip",
                    "      stripPrefix = { prefixes = [\"/api\"] }
"
                ),
            ),
            spec: &[
                "depends_on: [kubernetes_manifest.strip]",
                "text: Middleware first, or Traefik 404s the route",
            ],
            ..P
        },
        // --- 5.10 data sources ---------------------------------------------------------------
        Probe {
            variant: "5.10 homepage widget credentials decoded from the ExternalSecret",
            base: "ledger-sync",
            edits: &[(LEDGER_HOMEPAGE, WIDGET_OF_LOCAL)],
            append: concat!(
                ledger_eso_read!(),
                "
locals {
  homepage_credentials = jsondecode(data.kubernetes_secret.eso_secrets.data[\"homepage_credentials\"])
}
"
            ),
            spec: &["{eso: {key: homepage_credentials, path: [ledger, username]}}"],
            ..P
        },
        Probe {
            variant: "5.10 a user's credential that may be missing, `lookup(local.credentials[\"<user>\"], \"…\", null)` (actualbudget)",
            base: "ledger-sync",
            edits: &[(LEDGER_HOMEPAGE, OPTIONAL_WIDGET)],
            append: concat!(
                ledger_eso_read!(),
                "
data \"vault_kv_secret_v2\" \"secrets\" {
  mount = \"secret\"
  name  = \"platform\"
}
",
                "
locals {
  credentials          = jsondecode(data.kubernetes_secret.eso_secrets.data[\"credentials\"])
  homepage_credentials = jsondecode(data.vault_kv_secret_v2.secrets.data[\"homepage_credentials\"])
}
"
            ),
            spec: &[
                "{eso: {key: credentials, path: [viktor, budget_id], optional: true}}",
                "{eso: {key: credentials, path: [sync_id], optional: true}}",
                "vault: {path: platform, key: homepage_credentials, json: [ledger, password], optional: true}",
            ],
            ..P
        },
        Probe {
            variant: "3.4 per-app overrides `{ type = string, sensitive = true, default = \"\" }` that fall back to Vault, through locals (claude-memory)",
            base: "ledger-sync",
            edits: &[(
                LEDGER_ENV,
                "          env {
            name  = \"DRY_RUN\"
            value = \"false\"
          }
          env {
            name  = \"OPENAI_API_KEY\"
            value = local.openai_api_key
          }
          env {
            name  = \"EMBEDDING_MODEL\"
            value = local.embedding_model
          }
",
            )],
            append: "
variable \"openai_api_key\" {
  type      = string
  sensitive = true
  default   = \"\"
}

variable \"embedding_model\" {
  type    = string
  default = \"\"
}

data \"vault_kv_secret_v2\" \"secrets\" {
  mount = \"secret\"
  name  = \"ledger-sync\"
}

locals {
  openai_api_key  = coalesce(var.openai_api_key, data.vault_kv_secret_v2.secrets.data[\"openai_api_key\"])
  embedding_model = var.embedding_model != \"\" ? var.embedding_model : data.vault_kv_secret_v2.secrets.data[\"embedding_model\"]
}
",
            spec: &[
                "coalesce: [{var: openai_api_key}, {vault: {path: ledger-sync, key: openai_api_key}}]",
                "if_set: [{var: embedding_model}, {vault: {path: ledger-sync, key: embedding_model}}]",
            ],
            ..P
        },
        Probe {
            variant: "5.10 homepage widget credentials decoded from Vault (9 stacks)",
            base: "ledger-sync",
            edits: &[(LEDGER_HOMEPAGE, WIDGET_OF_LOCAL)],
            append: concat!(
                "
data \"vault_kv_secret_v2\" \"secrets\" {
  mount = \"secret\"
  name  = \"platform\"
}
",
                "
locals {
  homepage_credentials = jsondecode(data.vault_kv_secret_v2.secrets.data[\"homepage_credentials\"])
}
"
            ),
            spec: &[
                "{vault: {path: platform, key: homepage_credentials, json: [ledger, username]}}",
                "{vault: {path: platform, key: homepage_credentials, json: [ledger, password]}}",
            ],
            ..P
        },
        Probe {
            variant: "5.10 a JSON Vault key decoded inline",
            base: "ledger-sync",
            edits: &[(
                LEDGER_ENV,
                "          env {
            name  = \"DRY_RUN\"
            value = \"false\"
          }
          env {
            name  = \"TOKEN\"
            value = jsondecode(data.vault_kv_secret_v2.secrets.data[\"cfg\"])[\"token\"]
          }
",
            )],
            append: "
data \"vault_kv_secret_v2\" \"secrets\" {
  mount = \"secret\"
  name  = \"ledger-sync\"
}
",
            spec: &["{vault: {path: ledger-sync, key: cfg, json: [token]}}"],
            ..P
        },
        Probe {
            variant: "5.10 the plan-time read of the ExternalSecret that nothing reads",
            base: "ledger-sync",
            append: ledger_eso_read!(),
            spec: &["read: true"],
            ..P
        },
        Probe {
            variant: "5.10 the plan-time read without depends_on, read by the credentials local",
            base: "ledger-sync",
            edits: &[(
                LEDGER_ENV,
                "          env {
            name  = \"DRY_RUN\"
            value = \"false\"
          }
          env {
            name  = \"ADMIN_USER\"
            value = local.credentials.admin.username
          }
",
            )],
            append: "
data \"kubernetes_secret\" \"eso_secrets\" {
  metadata {
    name      = \"ledger-sync-secrets\"
    namespace = local.namespace
  }
}

locals {
  credentials = jsondecode(data.kubernetes_secret.eso_secrets.data[\"credentials\"])
}
",
            spec: &[
                "read_depends_on: false",
                "{eso: {key: credentials, path: [admin, username]}}",
            ],
            ..P
        },
        Probe {
            variant: "5.10 ebooks' per-secret reads: another Secret's key, read by its own data source",
            base: "ledger-sync",
            edits: &[(
                LEDGER_ENV,
                "          env {
            name  = \"DRY_RUN\"
            value = \"false\"
          }
          env {
            name  = \"CALIBRE_PASS\"
            value = data.kubernetes_secret.calibre.data[\"password\"]
          }
",
            )],
            append: "
data \"kubernetes_secret\" \"calibre\" {
  metadata {
    name      = \"calibre-secrets\"
    namespace = \"ledger-sync\"
  }
}
",
            spec: &["name: CALIBRE_PASS\n        value: {eso: {key: password, secret: calibre-secrets, namespace: ledger-sync}}"],
            ..P
        },
        // --- 5.11 other blocks -----------------------------------------------------------------
        Probe {
            variant: "5.11 import and moved blocks, a PDB, a ClusterRole bound to a service account",
            append: "
import {
  to = kubernetes_namespace.song-shelf
  id = \"song-shelf\"
}

moved {
  from = kubernetes_service.song_shelf
  to   = kubernetes_service.song-shelf
}

resource \"kubernetes_pod_disruption_budget_v1\" \"app\" {
  metadata {
    name      = \"song-shelf\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  spec {
    min_available = 2
    selector {
      match_labels = {
        app = \"song-shelf\"
      }
    }
  }
}

resource \"kubernetes_service_account\" \"app\" {
  metadata {
    name      = \"song-shelf\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
}

resource \"kubernetes_cluster_role\" \"reader\" {
  metadata {
    name = \"song-shelf-reader\"
  }
  rule {
    api_groups = [\"\"]
    resources  = [\"pods\"]
    verbs      = [\"get\", \"list\"]
  }
}

resource \"kubernetes_cluster_role_binding\" \"reader\" {
  metadata {
    name = \"song-shelf-reader\"
  }
  role_ref {
    api_group = \"rbac.authorization.k8s.io\"
    kind      = \"ClusterRole\"
    name      = kubernetes_cluster_role.reader.metadata[0].name
  }
  subject {
    kind      = \"ServiceAccount\"
    name      = kubernetes_service_account.app.metadata[0].name
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
}
",
            spec: &["min_available: 2", "song-shelf-reader"],
            ..P
        },
        Probe {
            variant: "5.11 an output: raw at the stack",
            append: "
output \"ns\" {
  value = kubernetes_namespace.song-shelf.metadata[0].name
}
",
            raw: Raw::At(&[("raw.stack", &["output \"ns\""])]),
            ..P
        },
        // --- 6 namespace variants ----------------------------------------------------------------
        Probe {
            variant: "6 a `_v1` namespace named by `local.name`, with `name` and client labels",
            edits: &[
                (
                    "resource \"kubernetes_namespace\" \"song-shelf\" {\n  metadata {\n    name = \"song-shelf\"\n    labels = {\n",
                    "resource \"kubernetes_namespace_v1\" \"song-shelf\" {\n  metadata {\n    name = local.name\n    labels = {\n      name                                    = local.name\n      \"chrome-service.viktorbarzin.me/client\" = \"true\"\n",
                ),
                (SONG_NS, "kubernetes_namespace_v1.song-shelf.metadata[0].name"),
            ],
            append: "
locals {
  name = \"song-shelf\"
}
",
            spec: &["resource_type: kubernetes_namespace_v1"],
            ..P
        },
        Probe {
            variant: "6 istio label with a colon, a ResourceQuota and a LimitRange",
            edits: &[(
                SONG_NS_LABELS,
                "    labels = {
      \"istio-injection\" : \"disabled\"
      tier                                    = local.tiers.aux
      \"keel.sh/enrolled\"                      = \"true\"
      \"resource-governance/custom-quota\"      = \"true\"
      \"resource-governance/custom-limitrange\" = \"true\"
    }
",
            )],
            append: "
resource \"kubernetes_resource_quota\" \"quota\" {
  metadata {
    name      = \"song-shelf-quota\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  spec {
    hard = {
      \"requests.cpu\"    = \"2\"
      \"requests.memory\" = \"4Gi\"
      \"limits.memory\"   = \"8Gi\"
      pods              = \"10\"
    }
  }
}

resource \"kubernetes_limit_range\" \"limits\" {
  metadata {
    name      = \"song-shelf-limits\"
    namespace = kubernetes_namespace.song-shelf.metadata[0].name
  }
  spec {
    limit {
      type = \"Container\"
      default = {
        memory = \"512Mi\"
      }
      default_request = {
        cpu    = \"10m\"
        memory = \"64Mi\"
      }
    }
  }
}
",
            spec: &["istio-injection: disabled", "quota:", "limit_range:"],
            ..P
        },
        Probe {
            variant: "6 a namespace named and addressed otherwise, referred to by literals",
            edits: &[
                (
                    "resource \"kubernetes_namespace\" \"song-shelf\" {\n  metadata {\n    name = \"song-shelf\"",
                    "resource \"kubernetes_namespace\" \"music\" {\n  metadata {\n    name = \"music-shelf\"",
                ),
                (SONG_NS, "\"music-shelf\""),
            ],
            spec: &["name: music-shelf", "address: music"],
            ..P
        },
        Probe {
            variant: "6 a write into kube-system",
            append: "
resource \"kubernetes_config_map\" \"dns\" {
  metadata {
    name      = \"song-shelf-dns\"
    namespace = \"kube-system\"
  }
  data = {
    \"song.server\" = \"song.lan:53 { forward . 10.0.20.201 }\"
  }
}
",
            spec: &["namespace: kube-system"],
            ..P
        },
        Probe {
            variant: "6 the tier from a wrapper's variable: the namespace stays raw",
            edits: &[("tier               = local.tiers.aux", "tier               = var.tier")],
            append: "\nvariable \"tier\" { type = string }\n",
            raw: Raw::At(&[(
                "raw.stack",
                &[
                    "resource \"kubernetes_namespace\" \"song-shelf\"",
                    "variable \"tier\"",
                ],
            )]),
            ..P
        },
        Probe {
            variant: "6 a namespace without the goldilocks ignore",
            edits: &[(SONG_NS_LIFECYCLE, "")],
            spec: &["goldilocks_ignore: false"],
            ..P
        },
        // --- 7 file order, trailing comments, unused variables, terragrunt ----------------------
        Probe {
            // Section 0: 19 ingress stacks call no setup_tls_secret; their comments say
            // Kyverno's sync-tls-secret ClusterPolicy clones the wildcard secret.
            variant: "0 no TLS module, the reason set apart between blocks",
            base: "agent-runner",
            edits: &[(
                "module \"ingress\" {",
                "# No tls_secret module: Kyverno's sync-tls-secret ClusterPolicy clones the\n# wildcard cert into every namespace.\n\nmodule \"ingress\" {",
            )],
            spec: &[
                "why: Kyverno's sync-tls-secret ClusterPolicy clones the wildcard cert into every namespace.",
            ],
            ..P
        },
        Probe {
            variant: "7 a comment above a variable the spec declares",
            edits: &[(
                "variable \"tls_secret_name\" {",
                "# The wildcard cert's secret, from config.tfvars.\nvariable \"tls_secret_name\" {",
            )],
            spec: &[
                "{at: var.tls_secret_name, text: 'The wildcard cert''s secret, from config.tfvars.'}",
            ],
            ..P
        },
        Probe {
            variant: "7 trailing CI retrigger and apply-trigger comments, unused variables",
            edits: &[(
                "variable \"tls_secret_name\" {",
                "variable \"image_tag\" {\n  type    = string\n  default = \"latest\"\n}\n\nvariable \"tls_secret_name\" {",
            )],
            append: "
variable \"unused_thing\" {
  type    = string
  default = \"x\"
}

# CI retrigger 2026-08-01T10:00 — new base image
# apply-trigger 3
",
            ..P
        },
        Probe {
            variant: "terragrunt: include only, inputs, a Terragrunt-generated providers.tf",
            terragrunt: &[(
                "dependency \"platform\" {\n  config_path  = \"../platform\"\n  skip_outputs = true\n}\n",
                "inputs = {\n  nfs_server = \"10.0.10.15\"\n}\n",
            )],
            files: &[(
                "providers.tf",
                "# Generated by Terragrunt. Sig: nIlQXj57tbuaRZEa\nprovider \"kubernetes\" {\n  config_path = \"~/.kube/config\"\n}\n",
            )],
            spec: &["dependencies: []", "nfs_server: 10.0.10.15"],
            ..P
        },
        Probe {
            variant: "terragrunt: infra and kyverno dependencies",
            terragrunt: &[(
                "dependency \"platform\" {",
                "dependency \"infra\" {\n  config_path  = \"../infra\"\n  skip_outputs = true\n}\n\ndependency \"kyverno\" {\n  config_path  = \"../kyverno\"\n  skip_outputs = true\n}\n\ndependency \"platform\" {",
            )],
            spec: &["dependencies: [infra, kyverno, platform]"],
            ..P
        },
        Probe {
            variant: "terragrunt: a locals block stays raw in terragrunt.hcl",
            terragrunt: &[(
                "include \"root\" {",
                "locals {\n  env = \"prod\"\n}\n\ninclude \"root\" {",
            )],
            raw: Raw::At(&[("raw.terragrunt", &["locals"])]),
            ..P
        },
    ]
}

fn edit(text: &str, edits: &[(&str, &str)], what: &str) -> String {
    let mut text = text.to_owned();
    for (old, new) in edits {
        assert!(text.contains(old), "{what}: no `{old}` to edit");
        text = text.replace(old, new);
    }
    text
}

/// The probe's stack, in `<tmp>/stacks/<base>/`.
fn stack_of(p: &Probe, tmp: &Path) -> PathBuf {
    let from = Path::new(ROOT)
        .join("tests/fixtures/handwritten")
        .join(p.base);
    let dir = tmp.join("stacks").join(p.base);
    fs::create_dir_all(&dir).expect("mkdir");
    for e in fs::read_dir(&from).expect("corpus stack") {
        let e = e.expect("entry");
        fs::copy(e.path(), dir.join(e.file_name())).expect("copy");
    }
    let main_tf = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    let main_tf = edit(&main_tf, p.edits, p.variant) + p.append;
    fs::write(dir.join("main.tf"), main_tf).expect("write");
    let tg = fs::read_to_string(dir.join("terragrunt.hcl")).expect("terragrunt.hcl");
    fs::write(
        dir.join("terragrunt.hcl"),
        edit(&tg, p.terragrunt, p.variant),
    )
    .expect("write");
    for (name, text) in p.files {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    dir
}

/// Every raw HCL text of the spec: (where, the text).
fn raw_of(yaml: &str) -> Vec<(String, String)> {
    fn walk(node: &Yaml, at: &str, out: &mut Vec<(String, String)>) {
        match node {
            Yaml::Hash(h) => {
                for (k, v) in h {
                    let key = k.as_str().unwrap_or_default();
                    let here = if at.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{at}.{key}")
                    };
                    match (key, v) {
                        ("raw", Yaml::String(text)) => out.push((here, text.clone())),
                        ("raw", Yaml::Hash(parts)) => {
                            for (part, text) in parts {
                                if let (Some(part), Some(text)) = (part.as_str(), text.as_str()) {
                                    out.push((format!("{here}.{part}"), text.to_owned()));
                                }
                            }
                        }
                        _ => walk(v, &here, out),
                    }
                }
            }
            Yaml::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{at}[{i}]"), out);
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

/// The top-level blocks of raw HCL: their header lines, up to the `{`.
fn blocks(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with(char::is_whitespace)
                && !l.starts_with('}')
                && !l.starts_with('#')
        })
        .map(|l| l.split('{').next().unwrap_or(l).trim().to_owned())
        .collect()
}

#[test]
fn every_variant_around_the_pod_imports_with_raw_only_at_its_node() {
    let r = renderer();
    let mut failures = Vec::new();
    for p in probes() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = stack_of(&p, tmp.path());
        // Shown with the panic, should the variant not import.
        eprintln!("variant: {}", p.variant);
        let got = imported(&dir, &r);
        for want in p.spec {
            if !got.yaml.contains(want) {
                failures.push(format!(
                    "{}: the spec lacks `{want}`\n{}",
                    p.variant, got.yaml
                ));
            }
        }
        let raw: Vec<(String, Vec<String>)> = raw_of(&got.yaml)
            .into_iter()
            .map(|(at, text)| (at, blocks(&text)))
            .collect();
        let want: Vec<(String, Vec<String>)> = match &p.raw {
            Raw::None => Vec::new(),
            Raw::At(places) => places
                .iter()
                .map(|(at, heads)| {
                    (
                        (*at).to_owned(),
                        heads.iter().map(|h| (*h).to_owned()).collect(),
                    )
                })
                .collect(),
        };
        if raw != want {
            failures.push(format!(
                "{}: raw HCL at {raw:?}, expected {want:?}\n{}",
                p.variant, got.yaml
            ));
        }
        if matches!(p.raw, Raw::None) && got.raw_lines != 0 {
            failures.push(format!("{}: {} raw lines", p.variant, got.raw_lines));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_block_reader_of_raw_hcl_names_top_level_blocks_only() {
    // The assertion above must be able to fail: nested blocks and comments are not
    // top-level blocks.
    let text =
        "# a comment\nresource \"a\" \"b\" {\n  metadata {\n  }\n}\n\nlocals {\n  x = 1\n}\n";
    assert_eq!(blocks(text), ["resource \"a\" \"b\"", "locals"]);
    assert_eq!(
        raw_of(
            "name: x\ncontainers:\n  - raw: |\n      env {\n      }\nraw:\n  stack: |\n    locals {\n    }\n"
        ),
        [
            ("containers[0].raw".to_owned(), "env {\n}\n".to_owned()),
            ("raw.stack".to_owned(), "locals {\n}\n".to_owned()),
        ]
    );
}
