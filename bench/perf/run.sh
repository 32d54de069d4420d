#!/usr/bin/env bash
# The side-by-side benchmark of Kiln against PyTorch (eager and
# torch.compile max-autotune) on ResNet-50, MobileNetV2 and BERT-base, at
# FP16 and TF32. Run on the GPU machine from the repository root, after
# tests/gpu/bundle.sh made gpu-bundle/bundle.tar.xz:
#
#   bash bench/perf/run.sh [PARTS...]
#
# PARTS select rows; each kind of part narrows its own dimension (default all):
#   modes: kiln eager compile    models: resnet50 mobilenetv2 bert
#   precisions: fp16 tf32        batches: b1 b64 b256
# Each row is one process (bench/perf/kiln_rows.py or peers.py) under
# `timeout`, appending one JSON line to bench-out/results.jsonl. Rows already
# there without an error are skipped (FORCE=1 reruns them), so the work splits
# over calls: the script stops starting rows when BENCH_BUDGET_S (540) is
# spent, and the next call goes on. bench-out/ (models, plans, the inductor
# cache, logs) persists on the machine; results.jsonl, device.json and this
# call's logs (logs.tar.gz) are copied to $OUT when it is set.
# Environment: BENCH_TIMEOUT_S (540) per row, KILN_BENCH_MODELS (models folder).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
root=$PWD/bench-out
results=$root/results.jsonl
models_dir=${KILN_BENCH_MODELS:-$root/models}
logs=$root/logs
budget=${BENCH_BUDGET_S:-540}
row_timeout=${BENCH_TIMEOUT_S:-540}
mkdir -p "$root" "$logs" "$models_dir"
touch "$results"

modes=() models=() precisions=() batches=()
for part in "$@"; do
  case $part in
    kiln | eager) modes+=("$part") ;;
    compile | max-autotune) modes+=(max-autotune) ;;
    resnet50 | mobilenetv2 | bert) models+=("$part") ;;
    fp16 | tf32) precisions+=("$part") ;;
    b[0-9]*) batches+=("${part#b}") ;;
    *) echo "unknown part '$part' (kiln eager compile | resnet50 mobilenetv2 bert | fp16 tf32 | b1 b64 b256)" >&2; exit 2 ;;
  esac
done
[ ${#modes[@]} -gt 0 ] || modes=(kiln eager max-autotune)
[ ${#models[@]} -gt 0 ] || models=(resnet50 mobilenetv2 bert)
[ ${#precisions[@]} -gt 0 ] || precisions=(fp16 tf32)
source bench/perf/env.sh
if [[ " ${modes[*]} " == *" kiln "* ]] && [ ! -x "$KILN" ]; then
  echo "no kiln binary at $KILN: make gpu-bundle/bundle.tar.xz with tests/gpu/bundle.sh, or set KILN" >&2
  exit 2
fi

batches_of() {  # the model's batch sizes, narrowed by the b<N> parts
  local all b
  if [ "$1" = bert ]; then all="1 64"; else all="1 256"; fi
  for b in $all; do
    if [ ${#batches[@]} -eq 0 ] || [[ " ${batches[*]} " == *" $b "* ]]; then echo "$b"; fi
  done
}

left() { local l=$((budget - SECONDS)); echo $((l > 1 ? l : 1)); }

save() {  # few files come back from a GPU machine: the results, the device and one archive of the logs
  [ -n "${OUT:-}" ] || return 0
  cp "$results" "$OUT/" && { [ ! -f "$root/device.json" ] || cp "$root/device.json" "$OUT/"; }
  tar -C "$root" -czf "$OUT/logs.tar.gz" logs
}

# The compiled rows need torch's inductor cache to survive from one machine to
# the next: BENCH_KEEP_CACHE=1 packs it into $OUT/inductor-cache.tar.gz at the
# end (if under BENCH_CACHE_MAX_MB, 24), and a bench-out/inductor-cache.tar.gz
# carried to the machine is unpacked before the rows run.
if [ -f "$root/inductor-cache.tar.gz" ] && [ ! -d "$root/inductor-cache" ]; then
  tar -C "$root" -xzf "$root/inductor-cache.tar.gz" || echo "the carried inductor cache did not unpack" >&2
fi
keep_cache() {
  [ "${BENCH_KEEP_CACHE:-0}" = 1 ] && [ -n "${OUT:-}" ] && [ -d "$root/inductor-cache" ] || return 0
  tar -C "$root" -czf "$OUT/inductor-cache.tar.gz" inductor-cache
  local mb=$(( $(stat -c %s "$OUT/inductor-cache.tar.gz") / 1048576 ))
  if [ "$mb" -gt "${BENCH_CACHE_MAX_MB:-24}" ]; then
    echo "the inductor cache packs to $mb MB, more than can travel: not kept" >&2
    rm -f "$OUT/inductor-cache.tar.gz"
  fi
}

if [ ! -f "$root/device.json" ] || [ "${FORCE:-0}" = 1 ]; then
  python3 bench/perf/results.py device "$root/device.json" || echo "device information failed" >&2
fi

for m in "${models[@]}"; do
  for b in $(batches_of "$m"); do
    if [ ! -f "$models_dir/${m}_b$b/reference.npy" ]; then
      echo "== exporting $m"
      timeout -k 10 "$(left)" python3 bench/perf/models.py export "$models_dir" --models "$m" \
        > "$logs/export_$m.log" 2>&1 || { echo "export of $m failed: see bench-out/logs/export_$m.log"; tail -n 5 "$logs/export_$m.log"; }
      break
    fi
  done
done

run_row() {  # MODEL BATCH PRECISION MODE
  local m=$1 b=$2 p=$3 mode=$4 tag="$1_b$2_$3_$4" limit rc line
  local -a cmd
  if [ "${FORCE:-0}" != 1 ] && python3 bench/perf/results.py "done" "$results" "$m" "$b" "$p" "$mode"; then
    echo "-- $tag: done before"
    return 0
  fi
  limit=$(left)
  if [ "$limit" -lt 30 ]; then  # too little for a row
    echo "-- $tag: budget of ${budget} s spent; run again to go on"
    return 1
  fi
  [ "$limit" -le "$row_timeout" ] || limit=$row_timeout
  if [ "$mode" = kiln ]; then
    cmd=(python3 bench/perf/kiln_rows.py --model "$m" --batch "$b" --precision "$p" --models-dir "$models_dir"
      --work "$root/kiln")
    [ "$m/$p" != resnet50/fp16 ] || cmd+=(--warm-build)
  else
    cmd=(python3 bench/perf/peers.py --model "$m" --batch "$b" --precision "$p" --mode "$mode"
      --models-dir "$models_dir")
  fi
  echo "-- $tag (limit ${limit} s)"
  timeout -k 10 "$limit" "${cmd[@]}" > "$logs/$tag.out" 2> "$logs/$tag.log"
  rc=$?
  line=$(grep '^{' "$logs/$tag.out" | tail -n 1)
  if [ -z "$line" ]; then
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      line=$(python3 bench/perf/results.py error "$m" "$b" "$p" "$mode" "timed out after ${limit} s")
    else
      line=$(python3 bench/perf/results.py error "$m" "$b" "$p" "$mode" "exited with $rc without a result")
    fi
  fi
  echo "$line" >> "$results"
  echo "   $line" | cut -c 1-240
  save
}

stopped=0
for mode in "${modes[@]}"; do
  for p in "${precisions[@]}"; do
    for m in "${models[@]}"; do
      for b in $(batches_of "$m"); do
        run_row "$m" "$b" "$p" "$mode" || { stopped=1; break 4; }
      done
    done
  done
done
save
keep_cache
python3 bench/perf/report.py "$results" --device "$root/device.json"
[ "$stopped" = 0 ] || echo "not finished: run again with the same parts to go on"
