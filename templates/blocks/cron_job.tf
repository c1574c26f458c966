{#- A CronJob that reads the app's RWO volume at /data (co-scheduled with the app pod)
    and, for a backup, writes to the NFS target at /backup. Context: `job`, `script`. -#}
{% if job.comment %}
{{ job.comment|comment }}
{% endif %}
resource "kubernetes_cron_job_v1" {{ job.address }} {
  metadata {
    name      = {{ job.name }}
    namespace = {{ job.namespace }}
  }
  spec {
    concurrency_policy            = "Replace"
    failed_jobs_history_limit     = 5
    schedule                      = {{ job.schedule }}
    starting_deadline_seconds     = {{ job.starting_deadline_seconds }}
    successful_jobs_history_limit = {{ job.successful_jobs_history_limit }}
    job_template {
      metadata {}
      spec {
        backoff_limit              = {{ job.backoff_limit }}
        ttl_seconds_after_finished = 10
        template {
          metadata {}
          spec {
            affinity {
              pod_affinity {
{% if job.affinity_preferred %}
                preferred_during_scheduling_ignored_during_execution {
                  weight = 100
                  pod_affinity_term {
                    label_selector {
                      match_labels = {
                        app = {{ job.app }}
                      }
                    }
                    topology_key = "kubernetes.io/hostname"
                  }
                }
{% else %}
                required_during_scheduling_ignored_during_execution {
                  label_selector {
                    match_labels = {
                      app = {{ job.app }}
                    }
                  }
                  topology_key = "kubernetes.io/hostname"
                }
{% endif %}
              }
            }
            container {
              name    = {{ job.container }}
              image   = {{ job.image }}
              command = ["/bin/sh", "-c", {{ script|heredoc }}
              ]
              volume_mount {
                name       = "data"
                mount_path = "/data"
                read_only  = true
              }
{% if job.backup_claim %}
              volume_mount {
                name       = "backup"
                mount_path = "/backup"
              }
{% endif %}
            }
            volume {
              name = "data"
              persistent_volume_claim {
                claim_name = {{ job.data_claim }}
              }
            }
{% if job.backup_claim %}
            volume {
              name = "backup"
              persistent_volume_claim {
                claim_name = {{ job.backup_claim }}
              }
            }
{% endif %}
            dns_config {
              option {
                name  = "ndots"
                value = "2"
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
