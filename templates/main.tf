{#- main.tf of a stack: the model's objects in file order, each laid out by the template
    of its kind (objects/<kind>.tf), after its comment and suppressions. Every {{ value }}
    is printed as an HCL literal (see src/render.rs); indentation and alignment are fixed
    by the formatter afterwards. Objects are separated by a blank line, except one-line
    variable declarations, which stand together. -#}
{{ header|comment }}
{% if files_note %}
{{ files_note|comment }}
{% endif %}
{% if stack.header_comment %}

{{ stack.header_comment|comment }}
{% endif %}
{% for o in stack.objects %}
{% set b = o.body %}
{% if loop.first or not (b is one_line_variable and loop.previtem.body is one_line_variable) %}

{% endif %}
{% if o.comment %}
{{ o.comment|comment }}
{% endif %}
{% for a in o.allow %}
{{ a.why|suppression(a.rule) }}
{% endfor %}
{% include "objects/" ~ b.kind ~ ".tf" %}
{% endfor %}
{% if stack.footer_comment %}

{{ stack.footer_comment|comment }}
{% endif %}
