{#- The spec of a job `job` (a Job's `spec`, a CronJob's `job_template.spec`). -#}
{% if job.active_deadline_seconds is not none %}
active_deadline_seconds = {{ job.active_deadline_seconds }}
{% endif %}
{% if job.backoff_limit is not none %}
backoff_limit = {{ job.backoff_limit }}
{% endif %}
{% if job.ttl_seconds_after_finished is not none %}
ttl_seconds_after_finished = {{ job.ttl_seconds_after_finished }}
{% endif %}
template {
{% if job.pod_labels or job.pod_annotations %}
  metadata {
{% if job.pod_labels %}
    labels = {{ job.pod_labels }}
{% endif %}
{% if job.pod_annotations %}
    annotations = {{ job.pod_annotations }}
{% endif %}
  }
{% else %}
  metadata {}
{% endif %}
  spec {
{% with pod = job.pod %}
{% include "parts/pod.tf" %}
{% endwith %}
  }
}
