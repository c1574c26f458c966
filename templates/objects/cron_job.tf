resource {{ o.address.type }} {{ o.address.name }} {
{% if b.count %}
  count = {{ b.count }}
{% endif %}
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
  spec {
{% if b.concurrency_policy is not none %}
    concurrency_policy = {{ b.concurrency_policy }}
{% endif %}
{% if b.failed_jobs_history_limit is not none %}
    failed_jobs_history_limit = {{ b.failed_jobs_history_limit }}
{% endif %}
    schedule = {{ b.schedule }}
{% if b.timezone is not none %}
    timezone = {{ b.timezone }}
{% endif %}
{% if b.starting_deadline_seconds is not none %}
    starting_deadline_seconds = {{ b.starting_deadline_seconds }}
{% endif %}
{% if b.successful_jobs_history_limit is not none %}
    successful_jobs_history_limit = {{ b.successful_jobs_history_limit }}
{% endif %}
{% if b.suspend is not none %}
{% if b.suspend_comment %}
    {{ b.suspend_comment|comment }}
{% endif %}
    suspend = {{ b.suspend }}
{% endif %}
    job_template {
{% if b.job.labels %}
      metadata {
        labels = {{ b.job.labels }}
      }
{% else %}
      metadata {}
{% endif %}
      spec {
{% with job = b.job %}
{% include "parts/job_spec.tf" %}
{% endwith %}
      }
    }
  }
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/depends_on.tf" %}
{% include "parts/raw.tf" %}
}
