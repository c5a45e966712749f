#!/usr/bin/env bash
# The GPU check of the model probe, on one GPU in at most 8 minutes: the kernel and model tests,
# then bench/probe_speed.py (the Triton kernel alone, the whole scorer, the PyTorch reference and
# the same network with softmax attention, in bf16 and fp32), written as OUT/gpu_check.json and
# OUT/gpu_check.md with the device's name.
#
#   bash bench/gpu_check.sh [OUT]              # default OUT: bench/out/gpu_check
#   GPU_CHECK_CPU=1 bash bench/gpu_check.sh OUT  # its wiring on a CPU: Triton's interpreter, tiny
#                                                # shapes (tests/integration/test_gpu_check.py runs this)
#
# Each step has its own time limit; a step that fails or runs out of time is recorded as such and
# the next one still runs. Exits non-zero when any step failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/bench/out/gpu_check}"
python="${PYTHON:-python}"
mkdir -p "$out"
cd "$here"

if [ -n "${GPU_CHECK_CPU:-}" ]; then
  export TRITON_INTERPRET=1
  tests_limit=300
  bench_args=(--tiny --doc-tokens 40 --docs 2 --repeat 1)
  bench_limit=300
else
  tests_limit=180
  bench_args=()
  bench_limit=270
fi

status=0
timeout "$tests_limit" "$python" -m pytest -q -p no:cacheprovider --junitxml="$out/tests.xml" \
  tests/unit/test_probe_lightning.py tests/unit/test_probe_model.py > "$out/tests.log" 2>&1
tests_rc=$?
[ "$tests_rc" -ne 0 ] && status=1

timeout "$bench_limit" "$python" bench/probe_speed.py "${bench_args[@]}" --json "$out/probe_speed.json" \
  > "$out/probe_speed.log" 2>&1
bench_rc=$?
[ "$bench_rc" -ne 0 ] && status=1

"$python" bench/gpu_check_report.py "$out" --tests-rc "$tests_rc" --bench-rc "$bench_rc" || status=1
cat "$out/gpu_check.md"
exit "$status"
