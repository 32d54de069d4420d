#!/usr/bin/env bash
# One call on a GPU machine that checks and measures the current build when
# device time is short: the CUDA tactic test, then the FP16 Kiln and eager
# PyTorch rows of the benchmark, model by model, each with a share of
# BENCH_TOTAL_S (default 360 s). The compiled PyTorch rows and the TF32 rows
# take bench/perf/run.sh on a machine with more time. BENCH_MODELS narrows the
# models (default all three). BENCH_PROFILE="bert ..." adds per-layer profiles
# of those models (bench/perf/profile.sh) at the end, and BENCH_STEM=1 the
# stem-convolution study (bench/perf/stem_study.py). Kiln's build reports (the
# timed tactics of every layer) go to $OUT/kiln-reports.tar.gz.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
source bench/perf/env.sh
total=${BENCH_TOTAL_S:-360}
timeout 120 "$(dirname "$KILN")/test_cuda_tactics" > /tmp/kiln-tactics.txt 2>&1
rc=$?
echo "tactics: $(grep -E '^[0-9]+ passed' /tmp/kiln-tactics.txt) (exit $rc)"
grep -E '^FAIL' /tmp/kiln-tactics.txt | head -20
[ -z "${OUT:-}" ] || cp /tmp/kiln-tactics.txt "$OUT/tactics.txt"
read -r -a models <<< "${BENCH_MODELS:-resnet50 mobilenetv2 bert}"
for i in "${!models[@]}"; do  # each model an equal share of the time left
  share=$(( (total - SECONDS) / (${#models[@]} - i) ))
  BENCH_BUDGET_S=$share bash bench/perf/run.sh fp16 kiln eager "${models[$i]}" 2>&1 | grep -E '^(--|==)'
done
python3 bench/perf/report.py bench-out/results.jsonl --device bench-out/device.json | sed -n '/^## FP16/,/^## FP32/p'
[ -z "${OUT:-}" ] || (cd bench-out/kiln && tar -czf "$OUT/kiln-reports.tar.gz" ./*.report.json) 2>/dev/null
[ "${BENCH_STEM:-0}" != 1 ] || timeout 150 python3 bench/perf/stem_study.py "$KILN" /tmp/kiln-stem 2>&1 | grep -E '^(resnet|mobilenet)|Error'
[ -z "${BENCH_PROFILE:-}" ] || KILN_PROFILE_LINES=${KILN_PROFILE_LINES:-30} bash bench/perf/profile.sh $BENCH_PROFILE
