{% if b.sensitive %}
variable {{ o.address.name }} {
  type      = {{ b.type }}
  sensitive = true
}
{% else %}
variable {{ o.address.name }} { type = {{ b.type }} }
{% endif %}
