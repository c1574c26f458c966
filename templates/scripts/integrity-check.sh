set -eu
apk add --no-cache sqlite
result=$(sqlite3 /data/{{ ic.database|sh }} "PRAGMA integrity_check;" 2>&1 || true)
if [ "$result" = "ok" ]; then
  ok=1
else
  ok=0
  echo "integrity check failed: $result" >&2
fi
wget -qO- --post-data "{{ ic.metric }} ${ok}
{{ ic.metric }}_last_run_timestamp $(date +%s)
" "{{ ic.pushgateway }}/metrics/job/{{ ic.pushgateway_job }}/instance/{{ ic.instance }}" || true
[ "$ok" = "1" ]
