{#- A pod volume `v`. -#}
{% set s = v.source %}
{% if v.comment %}
{{ v.comment|comment }}
{% endif %}
volume {
  name = {{ v.name }}
{% if s.type == "pvc" or s.type == "nfs_module" %}
  persistent_volume_claim {
    claim_name = {{ s.claim_name }}
  }
{% elif s.type == "config_map" or s.type == "secret" %}
  {{ s.type|ident }} {
{% if s.type == "config_map" %}
    name = {{ s.name }}
{% else %}
    secret_name = {{ s.secret_name }}
{% endif %}
{% if s.default_mode is not none %}
    default_mode = {{ s.default_mode }}
{% endif %}
{% if s.optional is not none %}
    optional = {{ s.optional }}
{% endif %}
{% for item in s.items %}
    items {
      key  = {{ item.key }}
      path = {{ item.path }}
{% if item.mode is not none %}
      mode = {{ item.mode }}
{% endif %}
    }
{% endfor %}
  }
{% elif s.type == "empty_dir" %}
{% if s.medium is none and s.size_limit is none %}
  empty_dir {}
{% else %}
  empty_dir {
{% if s.medium is not none %}
    medium = {{ s.medium }}
{% endif %}
{% if s.size_limit is not none %}
    size_limit = {{ s.size_limit }}
{% endif %}
  }
{% endif %}
{% elif s.type == "host_path" %}
  host_path {
    path = {{ s.path }}
{% if s.kind is not none %}
    type = {{ s.kind }}
{% endif %}
  }
{% elif s.type == "nfs" %}
  nfs {
    server = {{ s.server }}
    path   = {{ s.path }}
{% if s.read_only is not none %}
    read_only = {{ s.read_only }}
{% endif %}
  }
{% elif s.type == "raw" and s.raw %}
{{ s.raw.text|raw_hcl }}
{% endif %}
}
