{#- A Kubernetes object's metadata `m`. -#}
  metadata {
    name      = {{ m.name }}
    namespace = {{ m.namespace }}
{% if m.labels %}
    labels = {{ m.labels }}
{% endif %}
{% if m.annotations %}
    annotations = {{ m.annotations }}
{% endif %}
  }
