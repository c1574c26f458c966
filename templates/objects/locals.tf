locals {
{% for e in b.entries %}
  {{ e.key|key }} = {{ e.value }}
{% endfor %}
}
