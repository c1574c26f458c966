{% if nfs.comment %}
{{ nfs.comment|comment }}
{% endif %}
module {{ nfs.address }} {
  source     = {{ nfs.source }}
  name       = {{ nfs.name }}
  namespace  = {{ nfs.namespace }}
  nfs_server = {{ nfs.nfs_server }}
  nfs_path   = {{ nfs.nfs_path }}
{% if nfs.storage %}
  storage    = {{ nfs.storage }}
{% endif %}
}
