{% set i = stack.ingress %}
{{ i.url|comment }}
module "ingress" {
  source = {{ i.source }}
{% if i.auth_comment %}
  {{ i.auth_comment|comment }}
{% endif %}
  auth = {{ i.auth }}{% if i.auth_trailing %} {{ i.auth_trailing|trailing_comment }}{% endif %}

  dns_type        = {{ i.dns_type }}
  namespace       = {{ i.namespace }}
  name            = {{ i.name }}
{% if i.service_name %}
  service_name    = {{ i.service_name }}
{% endif %}
  tls_secret_name = var.tls_secret_name
{% if i.sablier_group %}
  sablier = {
    group = {{ i.sablier_group }}
  }
{% endif %}
{% if i.extra_annotations %}
  extra_annotations = {
{% for a in i.extra_annotations %}
    {{ a.key|key }} = {{ a.value }}
{% endfor %}
  }
{% endif %}
{% if i.raw %}
  {{ i.raw|raw_hcl }}
{% endif %}
}
