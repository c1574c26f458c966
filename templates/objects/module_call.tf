module {{ o.address.name }} {
  source = {{ b.source }}
{% for a in b.args %}
{% if a.comment %}
  {{ a.comment|comment }}
{% endif %}
  {{ a.name|ident }} = {{ a.value }}{% if a.trailing %} {{ a.trailing|trailing_comment }}{% endif %}

{% endfor %}
{% include "parts/raw.tf" %}
}
