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
{% if s.port_name %}
      name        = {{ s.port_name }}
{% endif %}
      port        = {{ s.port }}
{% if s.target_port %}
      target_port = {{ s.target_port }}
{% endif %}
{% if s.protocol %}
      protocol    = {{ s.protocol }}
{% endif %}
    }
  }
{% if s.raw %}
  {{ s.raw|raw_hcl }}
{% endif %}
}
