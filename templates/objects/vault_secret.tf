data {{ o.address.type }} {{ o.address.name }} {
  mount = {{ b.mount }}
  name  = {{ b.path }}
{% include "parts/raw.tf" %}
}
