resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}

  spec {
    selector = {{ b.selector }}
{% for port in b.ports %}
    port {
{% if port.name is not none %}
      name        = {{ port.name }}
{% endif %}
      port        = {{ port.port }}
{% if port.target_port is not none %}
      target_port = {{ port.target_port }}
{% endif %}
{% if port.protocol is not none %}
      protocol    = {{ port.protocol }}
{% endif %}
    }
{% endfor %}
  }
{% include "parts/raw.tf" %}
}
