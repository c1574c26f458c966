resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name      = {{ b.name }}
    namespace = {{ b.namespace }}
  }
  spec {
{% with s = b.pod_selector, selector_block = "pod_selector" %}
{% include "parts/label_selector.tf" %}
{% endwith %}
    policy_types = {{ b.policy_types }}
{% for r in b.ingress %}
    ingress {
{% with peers_block = "from" %}
{% include "parts/policy_rule.tf" %}
{% endwith %}
    }
{% endfor %}
{% for r in b.egress %}
    egress {
{% with peers_block = "to" %}
{% include "parts/policy_rule.tf" %}
{% endwith %}
    }
{% endfor %}
  }
{% include "parts/raw.tf" %}
}
