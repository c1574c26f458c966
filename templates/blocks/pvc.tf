{% if pvc.comment %}
{{ pvc.comment|comment }}
{% endif %}
{% for a in pvc.allow %}
{{ a.why|suppression(a.rule) }}
{% endfor %}
resource "kubernetes_persistent_volume_claim" {{ pvc.address }} {
{% if not pvc.wait_until_bound %}
  wait_until_bound = false
{% endif %}
  metadata {
    name      = {{ pvc.name }}
    namespace = {{ pvc.namespace }}
    annotations = {
{% for a in pvc.annotations %}
      {{ a.key|key }} = {{ a.value }}
{% endfor %}
    }
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = {{ pvc.storage_class }}
    resources {
      requests = {
        storage = {{ pvc.size }}
      }
    }
  }
  lifecycle {
    # pvc-autoresizer grows requests.storage up to storage_limit, and a PVC cannot shrink:
    # ignore the drift so that an apply never tries to shrink it back.
    ignore_changes = [spec[0].resources[0].requests]
  }
}
