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
      name = {{ b.name }}
{% if b.namespace is not none %}
      namespace = {{ b.namespace }}
{% endif %}
{% if b.labels %}
      labels = {{ b.labels }}
{% endif %}
{% if b.annotations %}
      annotations = {{ b.annotations }}
{% endif %}
    }
{% for e in b.fields %}
    {{ e.key|key }} = {{ e.value }}
{% endfor %}
  }
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/raw.tf" %}
}
