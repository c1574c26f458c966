data {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% include "parts/raw.tf" %}
}
