{#- A label selector block named `selector_block` (`pod_selector`, `namespace_selector`)
    for the selector `s`: its labels and expressions; an empty selector selects
    everything and is written `<selector_block> {}`. -#}
{% if s.match_labels is none and not s.match_expressions %}
{{ selector_block|ident }} {}
{% else %}
{{ selector_block|ident }} {
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
}
{% endif %}
