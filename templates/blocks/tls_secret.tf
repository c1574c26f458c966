module "tls_secret" {
  source          = {{ stack.tls.source }}
  namespace       = {{ stack.tls.namespace }}
  tls_secret_name = var.tls_secret_name
}
