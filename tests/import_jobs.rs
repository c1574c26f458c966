//! `dlgen import` on the shapes of the fact sheet's CronJobs, Services and Kubernetes
//! Secrets that used to stay raw HCL: a spec that uses the field renders the shape, and
//! the stack imports back to the field, losslessly and without raw HCL.

mod common;

use std::fs;

use common::import::{imported, renderer, stack_with_files};

#[test]
fn a_kubernetes_secret_with_binary_data_of_files_is_read_back() {
    // Stack-patterns v2 sections 5.2 and 5.4: `binary_data = { "<k>" =
    // filebase64("${path.module}/<f>") }` on a secret the stack writes itself, beside
    // data read from Vault.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let keystore: &[u8] = &[0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02, 0xff];
    let extra = "kubernetes_secrets:
  - name: drone-logbook-keystore
    type: Opaque
    data:
      password: {vault: {path: drone-logbook, key: keystore_password}}
    binary_data:
      keystore.jks: {file: files/keystore.jks}
";
    let (dir, main_tf) =
        stack_with_files(&r, tmp.path(), extra, &[("files/keystore.jks", keystore)]);
    assert!(
        main_tf.contains(
            "binary_data = {\n    \"keystore.jks\" = filebase64(\"${path.module}/files/keystore.jks\")\n  }"
        ),
        "{main_tf}"
    );
    assert_eq!(
        fs::read(dir.join("files/keystore.jks")).expect("read"),
        keystore
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("keystore.jks: {file: files/keystore.jks}"),
        "{}",
        got.yaml
    );
    assert!(
        got.files
            .iter()
            .any(|(n, b)| n == "files/keystore.jks" && b.as_slice() == keystore),
        "{:?}",
        got.files
    );
    // A value the spec cannot say (base64 of a literal) leaves the secret raw, whole.
    let edited = main_tf.replace(
        "filebase64(\"${path.module}/files/keystore.jks\")",
        "base64encode(\"x\")",
    );
    assert_ne!(edited, main_tf);
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(!got.yaml.contains("binary_data:"), "{}", got.yaml);
}

#[test]
fn a_cron_job_suspended_unless_a_flag_is_read_back() {
    // Stack-patterns v2 section 5.5: `suspend = !var.<flag>`, the flag declared with or
    // without a default.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let extra = "jobs:
  - name: flight-sync
    schedule: \"*/30 * * * *\"
    suspend_unless: sync_enabled
    containers:
      - image: curlimages/curl:8.10.1
        command: [curl, -fsS, http://drone-logbook/api/sync]
  - name: flight-digest
    schedule: \"0 7 * * *\"
    suspend_unless: digest_enabled
    suspend_why: Turned on where the mail relay is reachable.
    containers:
      - image: curlimages/curl:8.10.1
        command: [curl, -fsS, http://drone-logbook/api/digest]
variables:
  digest_enabled: {default: true}
";
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), extra, &[]);
    assert!(
        main_tf
            .lines()
            .any(|l| l.trim_start().starts_with("suspend ")
                && l.trim_end().ends_with("= !var.sync_enabled")),
        "{main_tf}"
    );
    assert!(
        main_tf.contains("variable \"sync_enabled\" { type = bool }"),
        "{main_tf}"
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "suspend_unless: sync_enabled",
        "suspend_unless: digest_enabled",
        "suspend_why: Turned on where the mail relay is reachable.",
        "digest_enabled: {default: true}",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    assert!(!got.yaml.contains("suspend:"), "{}", got.yaml);
}

#[test]
fn a_cron_jobs_schedule_from_a_variable_is_read_back() {
    // Stack-patterns v2 section 4: `schedule = var.schedule`, the variable declared with
    // a default (ci-pipeline-health, k8s-version-upgrade). It used to leave the CronJob
    // whole in `raw.stack`.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), "", &[]);
    let schedule = "    schedule                      = \"30 1 * * *\"\n";
    assert!(main_tf.contains(schedule), "{main_tf}");
    let edited = main_tf.replacen(
        schedule,
        "    schedule                      = var.schedule\n",
        1,
    ) + "\nvariable \"schedule\" {\n  type    = string\n  default = \"30 1 * * *\"\n}\n";
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "schedule: {var: schedule}",
        "variables: {schedule: {default: 30 1 * * *}}",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
}

#[test]
fn the_app_service_of_a_container_without_a_port_is_read_back() {
    // Stack-patterns v2 section 5.7: the Service's port and target port are written, the
    // app's container declares no `port` block. The Service, the ingress routed to it and
    // the Deployment are still spec.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), "", &[]);
    let port_block = "          port {\n            name           = \"http\"\n            container_port = 80\n            protocol       = \"TCP\"\n          }\n";
    assert!(main_tf.contains(port_block), "{main_tf}");
    let edited = main_tf.replacen(port_block, "", 1);
    fs::write(dir.join("main.tf"), &edited).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(got.yaml.contains("service:"), "{}", got.yaml);
    assert!(got.yaml.contains("ingress:"), "{}", got.yaml);
}

#[test]
fn cron_jobs_generated_by_for_each_are_a_job_per_instance_moved_to_its_address() {
    // Stack-patterns v2 section 5.5: CronJobs generated from a map (`for_each =
    // local.cronjobs`, tripit). Each instance `kubernetes_cron_job_v1.jobs["<key>"]` is a
    // job of the spec at an address of its own, which `adopt.moved` moves it to: the plan
    // shows moves, never a destroy. The proof compares instance by instance.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), "", &[]);
    let jobs = r#"
locals {
  cronjobs = {
    sync = { schedule = "*/30 * * * *", path = "sync" }
    # The morning summary.
    digest = { schedule = "0 7 * * *", path = "digest" }
  }
}

resource "kubernetes_cron_job_v1" "jobs" {
  for_each = local.cronjobs
  metadata {
    name      = "drone-logbook-${each.key}"
    namespace = "drone-logbook"
  }
  spec {
    schedule           = each.value.schedule
    concurrency_policy = "Forbid"
    job_template {
      metadata {}
      spec {
        backoff_limit = 1
        template {
          metadata {}
          spec {
            container {
              name    = each.key
              image   = "curlimages/curl:8.10.1"
              # The API answers 204 when there is nothing to do.
              command = ["curl", "-fsS", "http://drone-logbook/api/${each.value.path}"]
            }
            restart_policy = "OnFailure"
          }
        }
      }
    }
  }
}
"#;
    fs::write(dir.join("main.tf"), format!("{main_tf}{jobs}")).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "{from: 'kubernetes_cron_job_v1.jobs[\"sync\"]', to: kubernetes_cron_job_v1.sync}",
        "{from: 'kubernetes_cron_job_v1.jobs[\"digest\"]', to: kubernetes_cron_job_v1.digest}",
        "name: drone-logbook-sync",
        "name: drone-logbook-digest",
        "http://drone-logbook/api/digest",
        // The map's comment above a key is that job's.
        "comment: The morning summary.",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
    // A comment inside the block is the first instance's, not repeated on each.
    assert_eq!(
        got.yaml
            .matches("The API answers 204 when there is nothing to do.")
            .count(),
        1,
        "{}",
        got.yaml
    );
    // In the order the map writes them.
    let (sync, digest) = (
        got.yaml.find("name: drone-logbook-sync"),
        got.yaml.find("name: drone-logbook-digest"),
    );
    assert!(sync < digest, "{}", got.yaml);

    // One instance the spec cannot say without `each` in raw HCL leaves every instance
    // of the block, with its map, to raw HCL: a half-read block would be declared twice.
    let odd = jobs.replace(
        "              name    = each.key\n",
        "              name    = each.key\n              termination_message_path = \"/dev/${each.key}\"\n",
    );
    assert_ne!(odd, jobs);
    fs::write(dir.join("main.tf"), format!("{main_tf}{odd}")).expect("write");
    let got = imported(&dir, &r);
    assert!(got.raw_lines > 0, "{}", got.yaml);
    assert!(
        got.yaml.contains("for_each = local.cronjobs"),
        "{}",
        got.yaml
    );
    assert!(!got.yaml.contains("jobs:\n"), "{}", got.yaml);
    for spec_field in ["containers:", "ingress:", "volumes:", "backup:"] {
        assert!(got.yaml.contains(spec_field), "{spec_field}\n{}", got.yaml);
    }
}

#[test]
fn the_depends_on_of_cron_jobs_generated_by_for_each_is_read_per_instance() {
    // Stack-patterns v2 section 5.5 (tripit): the generated CronJobs read the stack's
    // secrets and, like most of the repo's objects, list no `depends_on`, although the
    // conventions derive one on the ExternalSecret. The reader looked the list up at the
    // job's address in the spec, which is not the instance's in the stack: it read
    // nothing, the rendered jobs depended on the ExternalSecret, and the whole block went
    // raw.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), "", &[]);
    let jobs = |depends_on: &str| {
        format!(
            r#"
locals {{
  cronjobs = {{
    sync   = {{ schedule = "*/30 * * * *" }}
    digest = {{ schedule = "0 7 * * *" }}
  }}
}}

resource "kubernetes_cron_job_v1" "jobs" {{
  for_each = local.cronjobs
  metadata {{
    name      = "drone-logbook-${{each.key}}"
    namespace = "drone-logbook"
  }}
  spec {{
    schedule           = each.value.schedule
    concurrency_policy = "Forbid"
    job_template {{
      metadata {{}}
      spec {{
        template {{
          metadata {{}}
          spec {{
            container {{
              name    = each.key
              image   = "ghcr.io/viktorbarzin/drone-logbook:latest"
              command = ["drone-logbook", each.key]
              env_from {{
                secret_ref {{
                  name = "drone-logbook-secrets"
                }}
              }}
            }}
            restart_policy = "OnFailure"
          }}
        }}
      }}
    }}
  }}
{depends_on}}}
"#
        )
    };
    fs::write(dir.join("main.tf"), format!("{main_tf}{}", jobs(""))).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert_eq!(
        got.yaml
            .matches("depends_on:\n      drop: [kubernetes_manifest.external_secret]")
            .count(),
        2,
        "{}",
        got.yaml
    );
    // Listed as the conventions derive it: nothing to say.
    let listed = "  depends_on = [kubernetes_manifest.external_secret]\n";
    fs::write(dir.join("main.tf"), format!("{main_tf}{}", jobs(listed))).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert_eq!(
        got.yaml.matches("drop: [kubernetes_manifest").count(),
        0,
        "{}",
        got.yaml
    );
}

#[test]
fn counted_cron_jobs_are_a_job_per_index_the_first_at_the_blocks_address() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), "", &[]);
    let jobs = r#"
resource "kubernetes_cron_job_v1" "ping" {
  count = 2
  metadata {
    name      = "drone-logbook-ping-${count.index}"
    namespace = "drone-logbook"
  }
  spec {
    schedule = "*/${10 + count.index} * * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            container {
              name    = "ping"
              image   = "curlimages/curl:8.10.1"
              command = ["curl", "-fsS", "http://drone-logbook/"]
            }
          }
        }
      }
    }
  }
}
"#;
    fs::write(dir.join("main.tf"), format!("{main_tf}{jobs}")).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "{from: 'kubernetes_cron_job_v1.ping[0]', to: kubernetes_cron_job_v1.ping}",
        "{from: 'kubernetes_cron_job_v1.ping[1]', to: kubernetes_cron_job_v1.ping_1}",
        "name: drone-logbook-ping-1",
        "schedule: '*/11 * * * *'",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
}

/// An audit stack of the fact sheet's job shapes (stack-patterns v2 sections 5.5 and
/// 5.6), appended to drone-logbook: a CronJob with every spec setting, image pull secrets,
/// `dns_config`, a mounted script ConfigMap and the pushgateway URL; a suspended one with
/// its reason; a `bitnami/kubectl` one with a service account; a CronJob turned on by a
/// flag and one created only with it (`count`); and the DB bootstrap Job (`psql` heredoc over `var.postgresql_host`, the root
/// password read from Vault, `wait_for_completion`, `timeouts`).
const JOB_SHAPES: &str = r#"
data "vault_kv_secret_v2" "secrets" {
  mount = "secret"
  name  = "drone-logbook"
}

variable "postgresql_host" { type = string }

variable "reports_enabled" {
  type    = bool
  default = false
}

resource "kubernetes_cron_job_v1" "price_sync" {
  metadata {
    name      = "price-sync"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
  }
  spec {
    concurrency_policy            = "Forbid"
    failed_jobs_history_limit     = 5
    successful_jobs_history_limit = 1
    schedule                      = "0 */6 * * *"
    starting_deadline_seconds     = 300
    timezone                      = "Europe/London"
    job_template {
      metadata {}
      spec {
        backoff_limit              = 2
        ttl_seconds_after_finished = 86400
        active_deadline_seconds    = 600
        template {
          metadata {}
          spec {
            restart_policy = "Never"
            image_pull_secrets {
              name = "registry-credentials"
            }
            dns_config {
              option {
                name  = "ndots"
                value = "2"
              }
            }
            container {
              name    = "price-sync"
              image   = "docker.io/library/python:3.12-alpine"
              command = ["python3", "/scripts/sync.py"]
              env {
                name  = "PUSHGATEWAY_URL"
                value = "http://prometheus-prometheus-pushgateway.monitoring:9091/metrics/job/price-sync"
              }
              volume_mount {
                name       = "scripts"
                mount_path = "/scripts"
              }
              resources {
                requests = {
                  cpu    = "10m"
                  memory = "64Mi"
                }
                limits = {
                  memory = "64Mi"
                }
              }
            }
            volume {
              name = "scripts"
              config_map {
                name         = "price-sync-scripts"
                default_mode = "0755"
              }
            }
          }
        }
      }
    }
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }
}

resource "kubernetes_cron_job_v1" "cleanup" {
  metadata {
    name      = "cleanup"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
  }
  spec {
    concurrency_policy            = "Replace"
    failed_jobs_history_limit     = 3
    successful_jobs_history_limit = 3
    schedule                      = "47 */6 * * *"
    # Paused until the upstream cleanup API is fixed.
    suspend = true
    job_template {
      metadata {}
      spec {
        backoff_limit = 0
        template {
          metadata {}
          spec {
            service_account_name = "cleanup"
            container {
              name    = "kubectl"
              image   = "bitnami/kubectl:latest"
              command = ["kubectl", "delete", "pod", "--field-selector=status.phase==Succeeded"]
            }
            restart_policy = "OnFailure"
          }
        }
      }
    }
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }
}

resource "kubernetes_cron_job_v1" "report" {
  metadata {
    name      = "report"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
  }
  spec {
    concurrency_policy            = "Forbid"
    failed_jobs_history_limit     = 3
    successful_jobs_history_limit = 3
    schedule                      = "0 7 * * 1"
    suspend                       = !var.reports_enabled
    job_template {
      metadata {}
      spec {
        backoff_limit = 1
        template {
          metadata {}
          spec {
            container {
              name  = "report"
              image = "curlimages/curl:8.10.1"
              args  = ["-fsS", "-X", "POST", "http://drone-logbook/api/report"]
            }
            restart_policy = "OnFailure"
          }
        }
      }
    }
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }
}

resource "kubernetes_cron_job_v1" "gated" {
  count = var.reports_enabled ? 1 : 0
  metadata {
    name      = "gated-report"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
  }
  spec {
    concurrency_policy            = "Forbid"
    failed_jobs_history_limit     = 3
    successful_jobs_history_limit = 3
    schedule                      = "0 3 * * *"
    job_template {
      metadata {}
      spec {
        backoff_limit = 1
        template {
          metadata {}
          spec {
            container {
              name  = "gated-report"
              image = "curlimages/curl:8.10.1"
            }
            restart_policy = "OnFailure"
          }
        }
      }
    }
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod.
    ignore_changes = [spec[0].job_template[0].spec[0].template[0].spec[0].dns_config]
  }
}

resource "kubernetes_job" "db_init" {
  metadata {
    name      = "drone-logbook-db-init"
    namespace = kubernetes_namespace.drone_logbook.metadata[0].name
  }
  spec {
    backoff_limit = 3
    template {
      metadata {}
      spec {
        restart_policy = "Never"
        container {
          name  = "db-init"
          image = "postgres:16-alpine"
          command = ["sh", "-c", <<-EOT
            psql -h ${var.postgresql_host} -U root -d postgres -tc "SELECT 1 FROM pg_roles WHERE rolname='drone'" | grep -q 1 || psql -h ${var.postgresql_host} -U root -d postgres -c "CREATE ROLE drone LOGIN"
          EOT
          ]
          env {
            name  = "PGPASSWORD"
            value = data.vault_kv_secret_v2.secrets.data["dbaas_root_password"]
          }
        }
      }
    }
  }
  wait_for_completion = true
  timeouts {
    create = "2m"
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: Kyverno mutates dns_config (ndots=2) on every pod; a Job's template is
    # immutable, so the drift would replace the Job and run it again.
    ignore_changes = [spec[0].template[0].spec[0].dns_config]
  }
}
"#;

#[test]
fn the_fact_sheets_job_shapes_are_read_without_raw() {
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_with_files(&r, tmp.path(), "", &[]);
    fs::write(dir.join("main.tf"), format!("{main_tf}{JOB_SHAPES}")).expect("write");
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    for want in [
        "name: price-sync",
        "timezone: Europe/London",
        "suspend: true",
        "suspend_why: Paused until the upstream cleanup API is fixed.",
        "suspend_unless: reports_enabled",
        "created_if: reports_enabled",
        "reports_enabled: {default: false}",
        "name: drone-logbook-db-init",
        "timeouts: {create: 2m}",
    ] {
        assert!(got.yaml.contains(want), "{want}\n{}", got.yaml);
    }
}

#[test]
fn a_job_of_a_gpu_stack_keeps_the_reason_for_its_memory_limit() {
    // A GPU Deployment puts a stack without a `tier` in the GPU tier, where a memory
    // limit above the request needs a reason, for the jobs' containers too (voice-synth's
    // scaling CronJobs). The job reader took the stack for `aux`, read no reason, and the
    // model refused the job: it went raw.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = fs::read_to_string(
        std::path::Path::new(common::ROOT).join("tests/fixtures/specs/speech-gpu.yaml"),
    )
    .expect("spec");
    let spec = format!(
        "{spec}jobs:
  - name: speech-gpu-nightly
    schedule: 0 3 * * *
    containers:
      - image: bitnami/kubectl:1.31
        command: [kubectl, rollout, restart, deployment/whisper]
        resources:
          cpu: 10m
          memory: 32Mi
          memory_limit: 64Mi
          memory_limit_why: kubectl's client caches spike at start
"
    );
    let (name, rendered) =
        dlgen::generate::render_text(&r, "specs/speech-gpu.yaml", &spec, "specs/speech-gpu.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("stacks").join(&name);
    for f in &rendered {
        let path = dir.join(&f.name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, f.bytes()).expect("write");
    }
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    assert!(
        got.yaml
            .contains("memory_limit_why: kubectl's client caches spike at start"),
        "{}",
        got.yaml
    );
}
