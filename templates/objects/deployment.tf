resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
  spec {
    replicas = {{ b.replicas }}
{% if b.strategy %}
{% if b.strategy.comment %}
    {{ b.strategy.comment|comment }}
{% endif %}
    strategy {
      type = {{ b.strategy.type }}
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
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% include "parts/raw.tf" %}
}
