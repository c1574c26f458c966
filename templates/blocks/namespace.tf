{% set ns = stack.namespace %}
{% if ns.comment %}
{{ ns.comment|comment }}
{% endif %}
resource "kubernetes_namespace" {{ ns.address }} {
  metadata {
    name = {{ ns.name }}
    labels = {
{% for l in ns.labels %}
      {{ l.key|key }} = {{ l.value }}
{% endfor %}
    }
  }
  lifecycle {
    # KYVERNO_LIFECYCLE_V1: a Kyverno ClusterPolicy stamps the goldilocks vpa-update-mode label on every namespace.
    ignore_changes = [metadata[0].labels["goldilocks.fairwinds.com/vpa-update-mode"]]
  }
{% if ns.raw %}
  {{ ns.raw|raw_hcl }}
{% endif %}
}
