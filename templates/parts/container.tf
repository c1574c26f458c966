{#- The body of a container or init container `c`. -#}
{% if c.resources_comment %}
{{ c.resources_comment|comment }}
{% endif %}
name  = {{ c.name }}
image = {{ c.image }}
{% if c.image_pull_policy is not none %}
image_pull_policy = {{ c.image_pull_policy }}
{% endif %}
{% if c.command %}
command = {{ c.command }}
{% endif %}
{% if c.args %}
args = {{ c.args }}
{% endif %}
{% if c.working_dir is not none %}
working_dir = {{ c.working_dir }}
{% endif %}
{% if c.stdin is not none %}
stdin = {{ c.stdin }}
{% endif %}
{% if c.tty is not none %}
tty = {{ c.tty }}
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
{% if e.secret.optional is not none %}
      optional = {{ e.secret.optional }}
{% endif %}
    }
  }
{% elif e.field_ref is not none %}
  value_from {
    field_ref {
      field_path = {{ e.field_ref }}
    }
  }
{% else %}
  value = {{ e.value }}
{% endif %}
}
{% endfor %}
{% for ef in c.env_from %}
env_from {
  {{ ef.kind|ident }} {
    name = {{ ef.name }}
{% if ef.optional is not none %}
    optional = {{ ef.optional }}
{% endif %}
  }
}
{% endfor %}
{% for m in c.mounts %}
volume_mount {
  name       = {{ m.name }}
  mount_path = {{ m.mount_path }}
{% if m.sub_path is not none %}
  sub_path   = {{ m.sub_path }}
{% endif %}
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
{% if c.security_context %}
{% set sc = c.security_context %}
security_context {
{% for key in ["run_as_user", "run_as_group", "run_as_non_root", "privileged", "allow_privilege_escalation", "read_only_root_filesystem"] %}
{% if sc[key] is not none %}
  {{ key|ident }} = {{ sc[key] }}
{% endif %}
{% endfor %}
{% if sc.capabilities %}
  capabilities {
{% if sc.capabilities.add %}
    add = {{ sc.capabilities.add }}
{% endif %}
{% if sc.capabilities.drop %}
    drop = {{ sc.capabilities.drop }}
{% endif %}
  }
{% endif %}
{% if sc.seccomp_profile is not none %}
  seccomp_profile {
    type = {{ sc.seccomp_profile }}
  }
{% endif %}
}
{% endif %}
{% if c.lifecycle %}
lifecycle {
{% for hook in ["post_start", "pre_stop"] %}
{% if c.lifecycle[hook] is not none %}
  {{ hook|ident }} {
    exec {
      command = {{ c.lifecycle[hook] }}
    }
  }
{% endif %}
{% endfor %}
}
{% endif %}
{% if c.raw %}
{{ c.raw.text|raw_hcl }}
{% endif %}
