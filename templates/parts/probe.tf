{#- A probe `pr` of a container. -#}
{{ pr.kind|ident }} {
  http_get {
    path = {{ pr.http_get.path }}
    port = {{ pr.http_get.port }}
  }
{% for t in pr.timings %}
  {{ t.key|key }} = {{ t.value }}
{% endfor %}
}
