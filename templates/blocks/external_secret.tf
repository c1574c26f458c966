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
