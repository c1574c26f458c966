{#- main.tf of a stack: one include per building block, in the order of the repo's stacks.
    Every {{ value }} is printed as an HCL literal (see src/render.rs); indentation and
    alignment are fixed by the formatter afterwards. -#}
{{ header|comment }}

{% include "blocks/variables.tf" %}

{% include "blocks/namespace.tf" %}

{% if stack.external_secret %}
{% include "blocks/external_secret.tf" %}

{% endif %}
{% include "blocks/tls_secret.tf" %}

{% for pvc in stack.pvcs %}
{% include "blocks/pvc.tf" %}

{% endfor %}
{% for nfs in stack.nfs_volumes %}
{% include "blocks/nfs_volume.tf" %}

{% endfor %}
{% include "blocks/deployment.tf" %}

{% if stack.service %}
{% include "blocks/service.tf" %}

{% endif %}
{% if stack.backup %}
{% include "blocks/backup.tf" %}

{% endif %}
{% if stack.ingress %}
{% include "blocks/ingress.tf" %}

{% endif %}
{% if stack.moved %}
{% include "blocks/moved.tf" %}

{% endif %}
{% if stack.raw %}
{{ stack.raw|raw_hcl }}
{% endif %}
