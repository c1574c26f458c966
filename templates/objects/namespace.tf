resource {{ o.address.type }} {{ o.address.name }} {
  metadata {
    name = {{ b.name }}
    labels = {{ b.labels }}
  }
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% include "parts/raw.tf" %}
}
