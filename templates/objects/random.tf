resource {{ o.address.type }} {{ o.address.name }} {
{% for e in b.attributes %}
  {{ e.key|ident }} = {{ e.value }}
{% endfor %}
{% include "parts/raw.tf" %}
}
