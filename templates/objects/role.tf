resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name = {{ b.name }}
{% if b.namespace is not none %}
    namespace = {{ b.namespace }}
{% endif %}
  }
{% for r in b.rules %}
  rule {
{% for e in r.attributes %}
    {{ e.key|ident }} = {{ e.value }}
{% endfor %}
  }
{% endfor %}
{% include "parts/raw.tf" %}
}
