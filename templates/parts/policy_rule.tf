{#- The inside of a NetworkPolicy rule `r`: one `peers_block` block (`from` or `to`) per
    peer, then its ports. -#}
{% for peer in r.peers %}
{{ peers_block|ident }} {
{% if peer.namespace_selector is not none %}
{% with s = peer.namespace_selector, selector_block = "namespace_selector" %}
{% include "parts/label_selector.tf" %}
{% endwith %}
{% endif %}
{% if peer.pod_selector is not none %}
{% with s = peer.pod_selector, selector_block = "pod_selector" %}
{% include "parts/label_selector.tf" %}
{% endwith %}
{% endif %}
{% if peer.ip_block is not none %}
  ip_block {
    cidr = {{ peer.ip_block.cidr }}
{% if peer.ip_block.except %}
    except = {{ peer.ip_block.except }}
{% endif %}
  }
{% endif %}
}
{% endfor %}
{% for port in r.ports %}
ports {
{% if port.port is not none %}
  port = {{ port.port }}
{% endif %}
{% if port.end_port is not none %}
  end_port = {{ port.end_port }}
{% endif %}
{% if port.protocol is not none %}
  protocol = {{ port.protocol }}
{% endif %}
}
{% endfor %}
