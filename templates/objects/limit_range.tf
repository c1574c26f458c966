resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
  spec {
{% for l in b.limits %}
    limit {
      type = {{ l.kind_of }}
{% for m in l.maps %}
      {{ m.key|ident }} = {{ m.value }}
{% endfor %}
    }
{% endfor %}
  }
{% include "parts/raw.tf" %}
}
