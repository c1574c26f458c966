resource {{ o.address.type }} {{ o.address.name }} {
{% if b.wait_until_bound is not none %}
  wait_until_bound = {{ b.wait_until_bound }}
{% endif %}
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
{% if b.annotations %}
    annotations = {{ b.annotations }}
{% endif %}
  }
  spec {
    access_modes       = {{ b.access_modes }}
    storage_class_name = {{ b.storage_class }}
    resources {
      requests = {{ b.requests }}
    }
  }
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/raw.tf" %}
}
