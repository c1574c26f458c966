{% if b.sensitive or b.default is not none or b.description is not none %}
variable {{ o.address.name }} {
  type = {{ b.type }}
{% if b.sensitive %}
  sensitive = true
{% endif %}
{% if b.default is not none %}
  default = {{ b.default }}
{% endif %}
{% if b.description is not none %}
  description = {{ b.description }}
{% endif %}
}
{% else %}
variable {{ o.address.name }} { type = {{ b.type }} }
{% endif %}
