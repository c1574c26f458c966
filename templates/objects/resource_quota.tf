resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
  spec {
    hard = {{ b.hard }}
  }
{% include "parts/raw.tf" %}
}
