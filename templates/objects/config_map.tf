resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
  data = {{ b.data }}
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% include "parts/raw.tf" %}
}
