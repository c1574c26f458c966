resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name = {{ b.name }}
    labels = {{ b.labels }}
  }
{% if b.lifecycle.ignore_changes %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/raw.tf" %}
}
