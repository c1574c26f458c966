data {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
  depends_on = {{ b.depends_on }}
{% include "parts/raw.tf" %}
}
