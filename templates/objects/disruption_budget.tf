resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
  spec {
{% if b.max_unavailable is not none %}
    max_unavailable = {{ b.max_unavailable }}
{% endif %}
{% if b.min_available is not none %}
    min_available = {{ b.min_available }}
{% endif %}
    selector {
      match_labels = {{ b.selector }}
    }
  }
}
