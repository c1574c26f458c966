resource {{ o.address.type }} {{ o.address.name }} {
{% if b.wait_for_rollout is not none %}
{% if b.wait_for_rollout_comment %}
  {{ b.wait_for_rollout_comment|comment }}
{% endif %}
  wait_for_rollout = {{ b.wait_for_rollout }}
{% endif %}
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
  spec {
{% if b.replicas_comment %}
    {{ b.replicas_comment|comment }}
{% endif %}
{% if b.replicas is not none %}
    replicas = {{ b.replicas }}
{% endif %}
{% if b.revision_history_limit is not none %}
    revision_history_limit = {{ b.revision_history_limit }}
{% endif %}
{% if b.progress_deadline_seconds is not none %}
    progress_deadline_seconds = {{ b.progress_deadline_seconds }}
{% endif %}
{% if b.strategy %}
{% if b.strategy.comment %}
    {{ b.strategy.comment|comment }}
{% endif %}
    strategy {
{% if b.strategy.type is not none %}
      type = {{ b.strategy.type }}
{% endif %}
{% if b.strategy.rolling_update %}
      rolling_update {
{% if b.strategy.rolling_update.max_surge is not none %}
        max_surge = {{ b.strategy.rolling_update.max_surge }}
{% endif %}
{% if b.strategy.rolling_update.max_unavailable is not none %}
        max_unavailable = {{ b.strategy.rolling_update.max_unavailable }}
{% endif %}
      }
{% endif %}
    }
{% endif %}
    selector {
      match_labels = {{ b.selector }}
    }
    template {
      metadata {
        labels = {{ b.pod_labels }}
{% if b.pod_annotations %}
        annotations = {{ b.pod_annotations }}
{% endif %}
      }
      spec {
{% with pod = b.pod %}
{% include "parts/pod.tf" %}
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
