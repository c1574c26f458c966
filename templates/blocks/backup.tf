{% set b = stack.backup %}
{% if b.comment %}
{{ b.comment|comment }}
{% endif %}
module {{ b.target.address }} {
  source     = {{ b.target.source }}
  name       = {{ b.target.name }}
  namespace  = {{ b.target.namespace }}
  nfs_server = {{ b.target.nfs_server }}
  nfs_path   = {{ b.target.nfs_path }}
}

resource "kubernetes_cron_job_v1" {{ b.address }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
  spec {
    concurrency_policy            = "Replace"
    failed_jobs_history_limit     = 5
    schedule                      = {{ b.schedule }}
    starting_deadline_seconds     = {{ b.starting_deadline_seconds }}
    successful_jobs_history_limit = {{ b.successful_jobs_history_limit }}
    job_template {
      metadata {}
      spec {
        backoff_limit              = 3
        ttl_seconds_after_finished = 10
        template {
          metadata {}
          spec {
            affinity {
              pod_affinity {
{% if b.affinity_preferred %}
                preferred_during_scheduling_ignored_during_execution {
                  weight = 100
                  pod_affinity_term {
                    label_selector {
                      match_labels = {
                        app = {{ b.app }}
                      }
                    }
                    topology_key = "kubernetes.io/hostname"
                  }
                }
{% else %}
                required_during_scheduling_ignored_during_execution {
                  label_selector {
                    match_labels = {
                      app = {{ b.app }}
                    }
                  }
                  topology_key = "kubernetes.io/hostname"
                }
{% endif %}
              }
            }
            container {
              name    = {{ b.name }}
              image   = {{ b.image }}
              command = ["/bin/sh", "-c", {{ backup_script|heredoc }}
              ]
              volume_mount {
                name       = "data"
                mount_path = "/data"
                read_only  = true
              }
              volume_mount {
                name       = "backup"
                mount_path = "/backup"
              }
            }
            volume {
              name = "data"
              persistent_volume_claim {
                claim_name = {{ b.data_claim }}
              }
            }
            volume {
              name = "backup"
              persistent_volume_claim {
                claim_name = {{ b.backup_claim }}
              }
            }
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
