{#- A probe `pr` of a container. -#}
{{ pr.kind|ident }} {
{% if pr.action.type == "http_get" %}
  http_get {
    path = {{ pr.action.path }}
    port = {{ pr.action.port }}
  }
{% elif pr.action.type == "tcp_socket" %}
  tcp_socket {
    port = {{ pr.action.port }}
  }
{% else %}
  exec {
    command = {{ pr.action.command }}
  }
{% endif %}
{% for t in pr.timings %}
  {{ t.key|key }} = {{ t.value }}
{% endfor %}
}
