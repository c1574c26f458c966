set -euxo pipefail
apk add --no-cache sqlite
_t0=$(date +%s)
now=$(date +"%Y_%m_%d_%H_%M")
db=/data/{{ b.database|sh }}

# Never back up a corrupt database: check the source first.
result=$(sqlite3 "$db" "PRAGMA integrity_check;")
if [ "$result" != "ok" ]; then
  echo "source database failed its integrity check: $result" >&2
  exit 1
fi

mkdir -p "/backup/$now"
sqlite3 "$db" ".backup '/backup/$now/{{ b.database|basename }}'"

# The copy must be sound too, or it is removed.
result=$(sqlite3 "/backup/$now/{{ b.database|basename }}" "PRAGMA integrity_check;")
if [ "$result" != "ok" ]; then
  echo "backup copy failed its integrity check: $result" >&2
  rm -rf "/backup/$now"
  exit 1
fi
{% if b.extra_files %}

# Files that live beside the database (skipped when absent).
for f in{% for f in b.extra_files %} {{ f|sh }}{% endfor %}; do
  if [ -e "/data/$f" ]; then
    cp -a "/data/$f" "/backup/$now/"
  fi
done
{% endif %}

# Rotate — {{ b.retention_days }} day retention
find /backup -mindepth 1 -maxdepth 1 -type d -mtime +{{ b.retention_days }} -exec rm -rf {} +

_dur=$(( $(date +%s) - _t0 ))
_read_bytes=$(du -sb "$db"{% for f in b.extra_files %} "/data/"{{ f|sh }}{% endfor %} 2>/dev/null | awk '{s += $1} END {print s + 0}')
_written_bytes=$(du -sb "/backup/$now/{{ b.database|basename }}" | cut -f1)
_out_bytes=$(du -sb "/backup/$now" | cut -f1)
echo "I/O: read ${_read_bytes} bytes, wrote ${_written_bytes} bytes of database, ${_out_bytes} bytes in all, in ${_dur}s"
wget -qO- --post-data "backup_duration_seconds ${_dur}
backup_read_bytes ${_read_bytes}
backup_written_bytes ${_written_bytes}
backup_output_bytes ${_out_bytes}
backup_last_success_timestamp $(date +%s)
" "{{ b.pushgateway }}/metrics/job/{{ b.pushgateway_job }}" || true
