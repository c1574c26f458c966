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
{% for r in stack.vault_reads %}

data "vault_kv_secret_v2" {{ r.address }} {
  mount = "secret"
  name  = {{ r.path }}
}
{% endfor %}
