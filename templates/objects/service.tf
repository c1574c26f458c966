resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}

  spec {
{% if b.type is not none %}
    type = {{ b.type }}
{% endif %}
{% if b.external_traffic_policy is not none %}
    external_traffic_policy = {{ b.external_traffic_policy }}
{% endif %}
{% if b.cluster_ip is not none %}
    cluster_ip = {{ b.cluster_ip }}
{% endif %}
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
{% if port.node_port is not none %}
      node_port   = {{ port.node_port }}
{% endif %}
    }
{% endfor %}
{% if b.spec_raw %}
{{ b.spec_raw.text|raw_hcl }}
{% endif %}
  }
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/raw.tf" %}
}
