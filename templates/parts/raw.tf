{#- Raw HCL of the spec attached to the object `o`, after what dlgen generates. -#}
{% if o.raw %}
  {{ o.raw.text|raw_hcl }}
{% endif %}
