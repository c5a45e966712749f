#!/usr/bin/env bash
# Stop the run started by run_data_cleaning.sh, and only that run:
#
#   bash stopall.sh [PIDFILE]        (default: $DATACLEANING_PIDFILE or ./datacleaning.pid)
#
# Sends SIGTERM to the run's process group (workers drop their unfinished unit and exit), waits
# DATACLEANING_STOP_GRACE seconds (default 30), then SIGKILLs whatever is left. Processes are found
# by the process group in the pid file, never by name. Running it twice is harmless.
set -uo pipefail

pidfile="${1:-${DATACLEANING_PIDFILE:-$PWD/datacleaning.pid}}"
grace="${DATACLEANING_STOP_GRACE:-30}"

if [ ! -f "$pidfile" ]; then
  echo "stopall: no pid file at $pidfile; nothing to stop"
  exit 0
fi
read -r pgid start_time _ < "$pidfile"
if ! [[ "${pgid:-}" =~ ^[0-9]+$ ]] || [ "$pgid" -le 1 ]; then
  echo "stopall: $pidfile does not hold a process group id" >&2
  exit 2
fi

group_alive() { kill -0 -- "-$pgid" 2>/dev/null; }

if ! group_alive; then
  echo "stopall: process group $pgid has already ended"
  rm -f "$pidfile"
  exit 0
fi
# A live leader with another start time means the id was reused by an unrelated process.
leader_start="$(awk '{print $22}' "/proc/$pgid/stat" 2>/dev/null)"
if [ -n "$leader_start" ] && [ "$leader_start" != "${start_time:-}" ]; then
  echo "stopall: process $pgid is not the recorded run (start time differs); not touching it" >&2
  rm -f "$pidfile"
  exit 0
fi

echo "stopall: SIGTERM to process group $pgid"
kill -TERM -- "-$pgid" 2>/dev/null
for _ in $(seq $((grace * 10))); do
  group_alive || break
  sleep 0.1
done
if group_alive; then
  echo "stopall: still running after ${grace}s; SIGKILL to process group $pgid"
  kill -KILL -- "-$pgid" 2>/dev/null
  for _ in $(seq 50); do
    group_alive || break
    sleep 0.1
  done
fi
rm -f "$pidfile"
if group_alive; then
  echo "stopall: process group $pgid survived SIGKILL" >&2
  exit 1
fi
echo "stopall: stopped"
