{#- The body of a pod spec `pod`: its settings, affinity, tolerations, init containers,
    containers, volumes, DNS config, raw HCL. -#}
{% if pod.service_account_name is not none %}
service_account_name = {{ pod.service_account_name }}
{% endif %}
{% if pod.automount_service_account_token is not none %}
automount_service_account_token = {{ pod.automount_service_account_token }}
{% endif %}
{% if pod.enable_service_links is not none %}
enable_service_links = {{ pod.enable_service_links }}
{% endif %}
{% if pod.restart_policy is not none %}
restart_policy = {{ pod.restart_policy }}
{% endif %}
{% if pod.priority_class_name is not none %}
priority_class_name = {{ pod.priority_class_name }}
{% endif %}
{% if pod.termination_grace_period_seconds is not none %}
termination_grace_period_seconds = {{ pod.termination_grace_period_seconds }}
{% endif %}
{% if pod.dns_policy is not none %}
dns_policy = {{ pod.dns_policy }}
{% endif %}
{% if pod.node_selector %}
node_selector = {{ pod.node_selector }}
{% endif %}
{% if pod.security_context %}
{% set sc = pod.security_context %}
security_context {
{% for key in ["run_as_user", "run_as_group", "run_as_non_root", "fs_group", "fs_group_change_policy"] %}
{% if sc[key] is not none %}
  {{ key|ident }} = {{ sc[key] }}
{% endif %}
{% endfor %}
{% if sc.seccomp_profile is not none %}
  seccomp_profile {
    type = {{ sc.seccomp_profile }}
  }
{% endif %}
{% for s in sc.sysctls %}
  sysctl {
    name  = {{ s.key }}
    value = {{ s.value }}
  }
{% endfor %}
}
{% endif %}
{% if pod.image_pull_secrets and pod.image_pull_secrets_comment %}
{{ pod.image_pull_secrets_comment|comment }}
{% endif %}
{% for name in pod.image_pull_secrets %}
image_pull_secrets {
  name = {{ name }}
}
{% endfor %}
{% if pod.affinity %}
{% set af = pod.affinity %}
affinity {
{% if af.node_affinity %}
  node_affinity {
{% if af.node_affinity.required %}
    required_during_scheduling_ignored_during_execution {
      node_selector_term {
{% for e in af.node_affinity.required %}
        match_expressions {
          key      = {{ e.key }}
          operator = {{ e.operator }}
{% if e.values %}
          values   = {{ e.values }}
{% endif %}
        }
{% endfor %}
      }
    }
{% endif %}
{% for pref in af.node_affinity.preferred %}
    preferred_during_scheduling_ignored_during_execution {
      weight = {{ pref.weight }}
      preference {
{% for e in pref.expressions %}
        match_expressions {
          key      = {{ e.key }}
          operator = {{ e.operator }}
{% if e.values %}
          values   = {{ e.values }}
{% endif %}
        }
{% endfor %}
      }
    }
{% endfor %}
  }
{% endif %}
{% if af.pod_affinity %}
  pod_affinity {
{% with t = af.pod_affinity %}
{% include "parts/affinity_term.tf" %}
{% endwith %}
  }
{% endif %}
{% if af.pod_anti_affinity %}
  pod_anti_affinity {
{% with t = af.pod_anti_affinity %}
{% include "parts/affinity_term.tf" %}
{% endwith %}
  }
{% endif %}
}
{% endif %}
{% for t in pod.tolerations %}
{% if t.comment %}
{{ t.comment|comment }}
{% endif %}
toleration {
{% for key in ["key", "operator", "value", "effect", "toleration_seconds"] %}
{% if t[key] is not none %}
  {{ key|ident }} = {{ t[key] }}
{% endif %}
{% endfor %}
}
{% endfor %}
{% for t in pod.topology_spread %}
topology_spread_constraint {
  max_skew           = {{ t.max_skew }}
  topology_key       = {{ t.topology_key }}
  when_unsatisfiable = {{ t.when_unsatisfiable }}
  label_selector {
    match_labels = {{ t.match_labels }}
  }
}
{% endfor %}
{% for c in pod.init_containers %}
{% if c.comment %}
{{ c.comment|comment }}
{% endif %}
init_container {
{% include "parts/container.tf" %}
}
{% endfor %}
{% for c in pod.containers %}
{% if c.comment %}
{{ c.comment|comment }}
{% endif %}
container {
{% include "parts/container.tf" %}
}
{% endfor %}
{% for v in pod.volumes %}
{% include "parts/volume.tf" %}
{% endfor %}
{% if pod.dns_config %}
dns_config {
{% if pod.dns_config.nameservers %}
  nameservers = {{ pod.dns_config.nameservers }}
{% endif %}
{% if pod.dns_config.searches %}
  searches = {{ pod.dns_config.searches }}
{% endif %}
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
