{#- The inside of a label selector block `s` (`pod_selector`, `namespace_selector`): its
    labels and expressions; an empty selector selects everything. -#}
{% if s.match_labels is not none %}
match_labels = {{ s.match_labels }}
{% endif %}
{% for e in s.match_expressions %}
match_expressions {
  key      = {{ e.key }}
  operator = {{ e.operator }}
{% if e.values %}
  values   = {{ e.values }}
{% endif %}
}
{% endfor %}
