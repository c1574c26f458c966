{% set b = stack.backup %}
{% if b.comment %}
{{ b.comment|comment }}
{% endif %}
{% with nfs = b.target %}
{% include "blocks/nfs_volume.tf" %}
{% endwith %}

{% with job = b.job, script = backup_script %}
{% include "blocks/cron_job.tf" %}
{% endwith %}
{% if b.integrity_check %}

{% with job = b.integrity_check.job, script = integrity_script %}
{% include "blocks/cron_job.tf" %}
{% endwith %}
{% endif %}
