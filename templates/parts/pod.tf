{#- The body of a pod spec `pod`: affinity, init containers, containers, volumes, DNS
    config, raw HCL. -#}
{% if pod.affinity %}
{% set af = pod.affinity %}
affinity {
  pod_affinity {
{% if af.preferred_weight is not none %}
    preferred_during_scheduling_ignored_during_execution {
      weight = {{ af.preferred_weight }}
      pod_affinity_term {
        label_selector {
          match_labels = {{ af.match_labels }}
        }
        topology_key = {{ af.topology_key }}
      }
    }
{% else %}
    required_during_scheduling_ignored_during_execution {
      label_selector {
        match_labels = {{ af.match_labels }}
      }
      topology_key = {{ af.topology_key }}
    }
{% endif %}
  }
}
{% endif %}
{% for c in pod.init_containers %}
init_container {
{% include "parts/container.tf" %}
}
{% endfor %}
{% for c in pod.containers %}
container {
{% include "parts/container.tf" %}
}
{% endfor %}
{% for v in pod.volumes %}
{% include "parts/volume.tf" %}
{% endfor %}
{% if pod.dns_config %}
dns_config {
{% for opt in pod.dns_config.options %}
  option {
    name  = {{ opt.key }}
    value = {{ opt.value }}
  }
{% endfor %}
}
{% endif %}
{% if pod.raw %}
{{ pod.raw.text|raw_hcl }}
{% endif %}
