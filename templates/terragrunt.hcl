{#- terragrunt.hcl of a stack: includes, dependencies, inputs, raw blocks. -#}
{% set tg = stack.terragrunt %}
{{ header|comment }}
{% for i in tg.includes %}

include {{ i.name }} {
  path = {{ i.path }}
}
{% endfor %}
{% for d in tg.dependencies %}

dependency {{ d.name }} {
  config_path  = {{ d.config_path }}
  skip_outputs = {{ d.skip_outputs }}
}
{% endfor %}
{% if tg.inputs %}

inputs = {{ tg.inputs }}
{% endif %}
{% if tg.raw %}

{{ tg.raw.text|raw_hcl }}
{% endif %}
