{% set es = stack.external_secret %}
resource "kubernetes_manifest" "external_secret" {
  field_manager {
    force_conflicts = true
  }
  manifest = {
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name      = {{ es.secret_name }}
      namespace = {{ es.namespace }}
    }
    spec = {
      refreshInterval = "15m"
      secretStoreRef = {
        name = "vault-kv"
        kind = "ClusterSecretStore"
      }
      target = {
        name = {{ es.secret_name }}
      }
      dataFrom = [{
        extract = {
          key = {{ es.vault_key }}
        }
      }]
    }
  }
  depends_on = {{ es.depends_on }}
}
{% if stack.eso_data %}
{% set eso = stack.eso_data %}

# Plan-time read of the ExternalSecret (first apply: target kubernetes_manifest.external_secret first).
data "kubernetes_secret" "eso_secrets" {
  metadata {
    name      = {{ eso.secret_name }}
    namespace = {{ eso.namespace }}
  }
  depends_on = [kubernetes_manifest.external_secret]
}
{% if eso.locals %}

locals {
{% for l in eso.locals %}
  {{ l.name|key }} = jsondecode(data.kubernetes_secret.eso_secrets.data[{{ l.key }}])
{% endfor %}
}
{% endif %}
{% endif %}
