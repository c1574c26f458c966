{% for v in stack.variables %}
{% if v.sensitive %}
variable {{ v.name }} {
  type      = string
  sensitive = true
}

{% else %}
variable {{ v.name }} { type = string }
{% endif %}
{% endfor %}
