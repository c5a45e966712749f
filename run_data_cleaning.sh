#!/usr/bin/env bash
# Run the whole configured pipeline as a batch job:
#
#   nohup bash run_data_cleaning.sh [CONFIG] [datacleaning run options...] > run.log 2>&1 &
#
# CONFIG defaults to the bundled example (configs/example.toml). The job runs in a process group
# of its own, recorded in a pid file (DATACLEANING_PIDFILE, default ./datacleaning.pid) that
# stopall.sh reads. Exits with the pipeline's status: non-zero if any stage failed or was stopped.
# Running it again after a stop resumes where the stopped run left off.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="${1:-$here/configs/example.toml}"
[ $# -gt 0 ] && shift
pidfile="${DATACLEANING_PIDFILE:-$PWD/datacleaning.pid}"
python="${DATACLEANING_PYTHON:-python3}"

if [ -f "$pidfile" ]; then
  read -r old_pgid old_start _ < "$pidfile" || true
  if [ -n "${old_pgid:-}" ] && kill -0 -- "-$old_pgid" 2>/dev/null \
     && [ "$(awk '{print $22}' "/proc/$old_pgid/stat" 2>/dev/null)" = "${old_start:-}" ]; then
    echo "run_data_cleaning: a run is already going (process group $old_pgid, $pidfile)" >&2
    exit 3
  fi
fi

# setsid gives the run its own process group, so stopall.sh can signal exactly this job and
# nothing that started it.
setsid "$python" -m datacleaning.cli run --config "$config" "$@" &
leader=$!
start_time="$(awk '{print $22}' "/proc/$leader/stat" 2>/dev/null)"
echo "$leader $start_time $$" > "$pidfile"
echo "run_data_cleaning: started process group $leader (config $config, pid file $pidfile)"

forward() { kill -TERM -- "-$leader" 2>/dev/null; }
trap forward TERM INT HUP

# `wait` returns early when a trapped signal arrives; keep waiting until the run itself exits.
status=0
while kill -0 "$leader" 2>/dev/null; do
  wait "$leader"
  status=$?
done
if [ "$(cut -d' ' -f1 "$pidfile" 2>/dev/null)" = "$leader" ]; then
  rm -f "$pidfile"
fi
echo "run_data_cleaning: finished with status $status"
exit "$status"
