resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
{% include "parts/raw.tf" %}
}
