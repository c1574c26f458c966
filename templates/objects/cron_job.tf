resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
  spec {
    concurrency_policy            = {{ b.concurrency_policy }}
    failed_jobs_history_limit     = {{ b.failed_jobs_history_limit }}
    schedule                      = {{ b.schedule }}
    starting_deadline_seconds     = {{ b.starting_deadline_seconds }}
    successful_jobs_history_limit = {{ b.successful_jobs_history_limit }}
    job_template {
      metadata {}
      spec {
        backoff_limit              = {{ b.backoff_limit }}
        ttl_seconds_after_finished = {{ b.ttl_seconds_after_finished }}
        template {
          metadata {}
          spec {
{% with pod = b.pod %}
{% include "parts/pod.tf" %}
{% endwith %}
          }
        }
      }
    }
  }
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/raw.tf" %}
}
