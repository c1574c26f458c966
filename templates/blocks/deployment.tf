{% set d = stack.deployment %}
resource "kubernetes_deployment" {{ d.address }} {
  metadata {
    name      = {{ d.name }}
    namespace = {{ d.namespace }}
    labels = {
{% for l in d.labels %}
      {{ l.key|key }} = {{ l.value }}
{% endfor %}
    }
{% if d.annotations %}
    annotations = {
{% for a in d.annotations %}
      {{ a.key|key }} = {{ a.value }}
{% endfor %}
    }
{% endif %}
  }
  spec {
    replicas = {{ d.replicas }}
{% if d.strategy %}
{% if d.strategy.comment %}
    {{ d.strategy.comment|comment }}
{% endif %}
    strategy {
      type = {{ d.strategy.kind }}
    }
{% endif %}
    selector {
      match_labels = {
{% for l in d.selector %}
        {{ l.key|key }} = {{ l.value }}
{% endfor %}
      }
    }
    template {
      metadata {
        labels = {
{% for l in d.template_labels %}
          {{ l.key|key }} = {{ l.value }}
{% endfor %}
        }
{% if d.template_annotations %}
        annotations = {
{% for a in d.template_annotations %}
          {{ a.key|key }} = {{ a.value }}
{% endfor %}
        }
{% endif %}
      }
      spec {
{% for c in d.containers %}
        container {
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
{% if c.port %}
          port {
{% if c.port.name %}
            name           = {{ c.port.name }}
            container_port = {{ c.port.number }}
            protocol       = "TCP"
{% else %}
            container_port = {{ c.port.number }}
{% endif %}
          }
{% endif %}
{% if c.cpu or c.memory %}
          resources {
            requests = {
{% if c.cpu %}
              cpu    = {{ c.cpu }}
{% endif %}
{% if c.memory %}
              memory = {{ c.memory }}
{% endif %}
            }
{% if c.memory %}
            limits = {
              memory = {{ c.memory }}
            }
{% endif %}
          }
{% endif %}
{% for pr in c.probes %}
          {{ pr.kind|raw_hcl }} {
            http_get {
              path = {{ pr.path }}
              port = {{ pr.port }}
            }
{% for t in pr.timings %}
            {{ t.key|key }} = {{ t.value }}
{% endfor %}
          }
{% endfor %}
{% if c.raw %}
          {{ c.raw|raw_hcl }}
{% endif %}
        }
{% endfor %}
{% for v in d.volumes %}
        volume {
          name = {{ v.name }}
          persistent_volume_claim {
            claim_name = {{ v.claim_name }}
          }
        }
{% endfor %}
{% if d.dns_options %}
        dns_config {
{% for o in d.dns_options %}
          option {
            name  = {{ o.key }}
            value = {{ o.value }}
          }
{% endfor %}
        }
{% endif %}
{% if d.raw_pod %}
        {{ d.raw_pod|raw_hcl }}
{% endif %}
      }
    }
  }
  lifecycle {
    ignore_changes = [
{% for i in d.ignore_changes %}
      {{ i.path }},{% if i.comment %} {{ i.comment|trailing_comment }}{% endif %}

{% endfor %}
    ]
  }
{% if d.depends_on %}
  depends_on = {{ d.depends_on }}
{% endif %}
{% if d.raw %}
  {{ d.raw|raw_hcl }}
{% endif %}
}
