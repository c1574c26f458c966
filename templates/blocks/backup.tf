{% set b = stack.backup %}
{% if b.comment %}
{{ b.comment|comment }}
{% endif %}
module {{ b.target.address }} {
  source     = {{ b.target.source }}
  name       = {{ b.target.name }}
  namespace  = {{ b.target.namespace }}
  nfs_server = {{ b.target.nfs_server }}
  nfs_path   = {{ b.target.nfs_path }}
}

{% with job = b.job, script = backup_script %}
{% include "blocks/cron_job.tf" %}
{% endwith %}
{% if b.integrity_check %}

{% with job = b.integrity_check.job, script = integrity_script %}
{% include "blocks/cron_job.tf" %}
{% endwith %}
{% endif %}
