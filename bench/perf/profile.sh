#!/usr/bin/env bash
# Per-layer profiles of Kiln's plans for the benchmark models, for working
# on performance: exports the models (bench/perf/models.py), builds each at
# FP16 on cuda, and prints `kiln bench --profile` (per-layer times) and the
# CUDA-graph latency. Arguments: model names (default all). Run on the GPU
# machine from the repository root; logs go to $OUT (or ./bench-out).
set -uo pipefail
cd "$(dirname "$0")/../.."
source bench/perf/env.sh
out=${OUT:-$PWD/bench-out}
models=${*:-resnet50 mobilenetv2 bert}
work=${KILN_BENCH_MODELS:-/tmp/kiln-bench/models}
mkdir -p "$out" "$work"
for m in $models; do
  [ -f "$work/${m}_b1/model.onnx" ] || python3 bench/perf/models.py export "$work" --models "$m" 2>&1 | grep -v Warning | tail -n 3
  for d in "$work/${m}"_b*; do
    tag=$(basename "$d")
    for prec in ${KILN_PRECISIONS:-fp16}; do
      flag=""; [ "$prec" = fp16 ] && flag="--fp16"
      [ "$prec" = tf32 ] && flag="--tf32"
      "$KILN" build "$d/model.onnx" -o "$d/$prec.plan" --target cuda $flag ${KILN_BUILD_FLAGS:-} \
        --timing-cache "$work/timing.cache" --report "$out/${tag}_${prec}_report.json" > "$out/${tag}_${prec}_build.txt" 2>&1
      echo "== $tag $prec build: $(tail -n 1 "$out/${tag}_${prec}_build.txt")"
      "$KILN" bench "$d/$prec.plan" --resident --profile --duration 2 > "$out/${tag}_${prec}_profile.txt" 2>&1
      head -n "${KILN_PROFILE_LINES:-25}" "$out/${tag}_${prec}_profile.txt"
      sed -n '/layer type/,$p' "$out/${tag}_${prec}_profile.txt" | head -n 12
      "$KILN" bench "$d/$prec.plan" --resident --cuda-graph --duration 2 --json "$out/${tag}_${prec}_bench.json" \
        > "$out/${tag}_${prec}_graph.txt" 2>&1
      echo "== $tag $prec graph: $(grep -E '^(throughput|latency)' "$out/${tag}_${prec}_graph.txt" | tr '\n' ' ')"
    done
  done
done
