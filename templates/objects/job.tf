resource {{ o.address.type }} {{ o.address.name }} {
{% if b.count %}
  count = {{ b.count }}
{% endif %}
{% if b.wait_for_completion is not none %}
  wait_for_completion = {{ b.wait_for_completion }}
{% endif %}
{% with m = b.metadata %}
{% include "parts/metadata.tf" %}
{% endwith %}
  spec {
{% with job = b.job %}
{% include "parts/job_spec.tf" %}
{% endwith %}
  }
{% if b.timeouts %}
  timeouts {
{% for t in b.timeouts %}
    {{ t.key|ident }} = {{ t.value }}
{% endfor %}
  }
{% endif %}
{% if b.lifecycle %}
{% with lc = b.lifecycle %}
{% include "parts/lifecycle.tf" %}
{% endwith %}
{% endif %}
{% include "parts/depends_on.tf" %}
{% include "parts/raw.tf" %}
}
