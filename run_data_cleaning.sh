#!/usr/bin/env bash
# Run the whole configured pipeline as a batch job:
#
#   nohup bash run_data_cleaning.sh [CONFIG] [datacleaning run options...] > run.log 2>&1 &
#
# CONFIG defaults to the bundled example (configs/example.toml). The job runs in a process group
# of its own, recorded in a pid file (DATACLEANING_PIDFILE, default ./datacleaning.pid) that
# stopall.sh reads; PIDFILE.lock beside it lets one job at a time start on that pid file. Exits
# with the pipeline's status: non-zero if any stage failed or was stopped (2 if the pid file
# cannot be written, 3 if a job is already going). Running it again after a stop resumes where
# the stopped run left off.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The first argument is the config unless it is an option (run_data_cleaning.sh --workers 4).
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  config="$1"
  shift
else
  config="$here/configs/example.toml"
fi
pidfile="${DATACLEANING_PIDFILE:-$PWD/datacleaning.pid}"
python="${DATACLEANING_PYTHON:-python3}"
if ! "$python" -c "import datacleaning" 2>/dev/null; then
  echo "run_data_cleaning: $python cannot import datacleaning: activate the environment it is installed in" \
       "(. .venv/bin/activate) or name its python in DATACLEANING_PYTHON" >&2
  exit 2
fi

# One start at a time: the lock is held by this script and by the run it starts (which inherits
# it) until both have ended, so of two jobs started in the same instant one refuses.
if ! exec 9>>"$pidfile.lock"; then
  echo "run_data_cleaning: cannot write $pidfile.lock (the pid file's folder must exist and be writable)" >&2
  exit 2
fi
if ! flock -n 9; then
  echo "run_data_cleaning: a run is already going ($pidfile.lock is held)" >&2
  exit 3
fi
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
if ! echo "$leader $start_time $$" > "$pidfile"; then
  # A run no pid file names is a run stopall.sh cannot stop.
  kill -TERM -- "-$leader" 2>/dev/null
  wait "$leader"
  echo "run_data_cleaning: cannot write the pid file $pidfile; stopped the run" >&2
  exit 2
fi
echo "run_data_cleaning: started process group $leader (config $config, pid file $pidfile)"

forward() { kill -TERM -- "-$leader" 2>/dev/null; }
trap forward TERM INT HUP

# `wait` returns early when a trapped signal arrives; keep waiting until the run itself exits.
status=0
while kill -0 "$leader" 2>/dev/null; do
  wait "$leader"
  status=$?
done
# The run is over; anything still in its group (a child of a leader killed outright) goes too,
# so that no part of the job outlives the pid file that names it.
if kill -0 -- "-$leader" 2>/dev/null; then
  kill -TERM -- "-$leader" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 -- "-$leader" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$leader" 2>/dev/null
fi
if [ "$(cut -d' ' -f1 "$pidfile" 2>/dev/null)" = "$leader" ]; then
  rm -f "$pidfile"
fi
echo "run_data_cleaning: finished with status $status"
exit "$status"
