# Adoption: these resources exist already under other addresses; `moved` makes the plan
# move them instead of destroying and re-creating them.
{% for m in stack.moved %}
moved {
  from = {{ m.from }}
  to   = {{ m.to }}
}
{% if not loop.last %}

{% endif %}
{% endfor %}
