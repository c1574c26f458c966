{#- The `depends_on` of a workload `b`, with the reason a default entry is left out. -#}
{% if b.depends_on_comment %}
  {{ b.depends_on_comment|comment }}
{% endif %}
{% if b.depends_on %}
  depends_on = {{ b.depends_on }}
{% endif %}
