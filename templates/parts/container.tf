{#- The body of a container or init container `c`. -#}
name  = {{ c.name }}
image = {{ c.image }}
{% if c.command %}
command = {{ c.command }}
{% endif %}
{% if c.args %}
args = {{ c.args }}
{% endif %}
{% for e in c.env %}
{% if e.comment %}
{{ e.comment|comment }}
{% endif %}
env {
  name = {{ e.name }}
{% if e.secret %}
  value_from {
    secret_key_ref {
      name = {{ e.secret.name }}
      key  = {{ e.secret.key }}
    }
  }
{% else %}
  value = {{ e.value }}
{% endif %}
}
{% endfor %}
{% for m in c.mounts %}
volume_mount {
  name       = {{ m.name }}
  mount_path = {{ m.mount_path }}
{% if m.read_only %}
  read_only  = true
{% endif %}
}
{% endfor %}
{% for port in c.ports %}
port {
{% if port.name is not none %}
  name           = {{ port.name }}
{% endif %}
  container_port = {{ port.container_port }}
{% if port.protocol is not none %}
  protocol       = {{ port.protocol }}
{% endif %}
}
{% endfor %}
{% if c.resources %}
resources {
{% if c.resources.requests %}
  requests = {{ c.resources.requests }}
{% endif %}
{% if c.resources.limits %}
  limits = {{ c.resources.limits }}
{% endif %}
}
{% endif %}
{% for pr in c.probes %}
{% include "parts/probe.tf" %}
{% endfor %}
{% if c.raw %}
{{ c.raw.text|raw_hcl }}
{% endif %}
