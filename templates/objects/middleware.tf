resource {{ o.address.type }} {{ o.address.name }} {
{% if b.force_conflicts %}
  field_manager {
    force_conflicts = true
  }
{% endif %}
  manifest = {
    apiVersion = {{ b.api_version }}
    kind       = {{ b.manifest_kind }}
    metadata = {
      name      = {{ b.name }}
      namespace = {{ b.namespace }}
    }
    spec = {{ b.spec }}
  }
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% include "parts/raw.tf" %}
}
