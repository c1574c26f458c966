{#- A lifecycle block `lc`: a comment above `ignore_changes`, then the entries inline, or
    one per line with their trailing markers. -#}
  lifecycle {
{% if lc.comment %}
    {{ lc.comment|comment }}
{% endif %}
{% if lc.multiline %}
    ignore_changes = [
{% for i in lc.ignore_changes %}
      {{ i.path }},{% if i.comment %} {{ i.comment|trailing_comment }}{% endif %}

{% endfor %}
    ]
{% else %}
    ignore_changes = [{% for i in lc.ignore_changes %}{{ i.path }}{% if not loop.last %}, {% endif %}{% endfor %}]
{% endif %}
  }
