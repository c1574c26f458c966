resource {{ o.address.type }} {{ o.address.name }} {
  field_manager {
    force_conflicts = true
  }
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
      }
      dataFrom = [{
        extract = {
          key = {{ b.extract_key }}
        }
      }]
    }
  }
  depends_on = {{ b.depends_on }}
{% include "parts/raw.tf" %}
}
