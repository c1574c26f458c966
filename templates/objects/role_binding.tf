resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name = {{ b.name }}
{% if b.namespace is not none %}
    namespace = {{ b.namespace }}
{% endif %}
  }
  role_ref {
    api_group = {{ b.api_group }}
    kind      = {{ b.role_kind }}
    name      = {{ b.role_name }}
  }
{% for s in b.subjects %}
  subject {
    kind      = {{ s.kind }}
    name      = {{ s.name }}
    namespace = {{ s.namespace }}
  }
{% endfor %}
{% include "parts/raw.tf" %}
}
