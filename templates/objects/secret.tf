resource {{ o.address.type }} {{ o.address.name }} {
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
{% if b.type is not none %}
  type = {{ b.type }}
{% endif %}
{% if b.wait_for_service_account_token is not none %}
  wait_for_service_account_token = {{ b.wait_for_service_account_token }}
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
