{#- A pod volume `v`. -#}
volume {
  name = {{ v.name }}
{% if v.source.type == "pvc" or v.source.type == "nfs_module" %}
  persistent_volume_claim {
    claim_name = {{ v.source.claim_name }}
  }
{% endif %}
}
