{#- A pod (anti-)affinity term `t` inside its `pod_affinity` / `pod_anti_affinity` block. -#}
{% if t.preferred_weight is not none %}
preferred_during_scheduling_ignored_during_execution {
  weight = {{ t.preferred_weight }}
  pod_affinity_term {
    label_selector {
      match_labels = {{ t.match_labels }}
    }
    topology_key = {{ t.topology_key }}
  }
}
{% else %}
required_during_scheduling_ignored_during_execution {
  label_selector {
    match_labels = {{ t.match_labels }}
  }
  topology_key = {{ t.topology_key }}
}
{% endif %}
