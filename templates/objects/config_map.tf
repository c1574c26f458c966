resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
{% if b.immutable is not none %}
  immutable = {{ b.immutable }}
{% endif %}
{% if b.data %}
  data = {{ b.data }}
{% endif %}
{% if b.binary_data %}
  binary_data = {{ b.binary_data }}
{% endif %}
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/raw.tf" %}
}
