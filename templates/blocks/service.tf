{% set s = stack.service %}
resource "kubernetes_service" {{ s.address }} {
  metadata {
    name      = {{ s.name }}
    namespace = {{ s.namespace }}
    labels = {
      "app" = {{ s.app }}
    }
  }

  spec {
    selector = {
      app = {{ s.app }}
    }
    port {
      port        = {{ s.port }}
      target_port = {{ s.target_port }}
    }
  }
}
