resource {{ o.address.type }} {{ o.address.name }} {
{% if b.force_conflicts %}
  field_manager {
    force_conflicts = true
  }
{% endif %}
  manifest = {
    apiVersion = {{ b.api_version }}
    kind       = "ExternalSecret"
    metadata = {
      name      = {{ b.name }}
      namespace = {{ b.namespace }}
    }
    spec = {
      refreshInterval = {{ b.refresh_interval }}
      secretStoreRef = {
        name = {{ b.store_name }}
        kind = {{ b.store_kind }}
      }
      target = {
        name = {{ b.target_name }}
{% if b.creation_policy is not none %}
        creationPolicy = {{ b.creation_policy }}
{% endif %}
{% if b.template %}
{% set t = b.template %}
        template = {
{% if t.engine_version is not none %}
          engineVersion = {{ t.engine_version }}
{% endif %}
{% if t.annotations %}
          metadata = {
            annotations = {{ t.annotations }}
          }
{% endif %}
{% if t.data %}
          data = {{ t.data }}
{% endif %}
        }
{% endif %}
      }
{% if b.data %}
{% if b.data|length == 1 %}
{% set d = b.data[0] %}
      data = [{
        secretKey = {{ d.secret_key }}
        remoteRef = {
          key      = {{ d.remote_key }}
          property = {{ d.property }}
        }
      }]
{% else %}
      data = [
{% for d in b.data %}
        {
          secretKey = {{ d.secret_key }}
          remoteRef = {
            key      = {{ d.remote_key }}
            property = {{ d.property }}
          }
        },
{% endfor %}
      ]
{% endif %}
{% endif %}
{% if b.extract_key is not none %}
      dataFrom = [{
        extract = {
          key = {{ b.extract_key }}
        }
      }]
{% endif %}
    }
  }
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
{% include "parts/raw.tf" %}
}
