#!/usr/bin/env bash
# Every row of the benchmark for one model, in one call on a GPU machine that
# allows about ten minutes a command:
#
#   bash bench/perf/model-call.sh MODEL
#
# FP16 first, all three modes (Kiln, eager, torch.compile max-autotune), then
# the TF32 rows of Kiln and eager, then compiled TF32, as long as
# BENCH_TOTAL_S (default 530 s) lasts. A max-autotune compile takes minutes,
# so one model's rows are what such a call holds; every row of a model comes
# from the same machine, side by side. Merge the calls' results.jsonl files
# (cat) and give them to bench/perf/report.py.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
model=${1:?usage: bench/perf/model-call.sh resnet50|mobilenetv2|bert}
total=${BENCH_TOTAL_S:-530}
part() {  # PARTS...: one run.sh call with the time that is left
  local left=$((total - SECONDS))
  [ "$left" -ge 30 ] || { echo "-- no time left for: $*"; return 0; }
  BENCH_BUDGET_S=$left bash bench/perf/run.sh "$@" 2>&1 | grep -E '^(--|==|   \{|not )' | cut -c 1-300
}
part fp16 "$model"
part tf32 kiln eager "$model"
part tf32 compile "$model"
python3 bench/perf/report.py bench-out/results.jsonl --device bench-out/device.json
