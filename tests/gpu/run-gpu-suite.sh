#!/usr/bin/env bash
# The whole GPU suite, run on a GPU machine from the repository root after
# tests/gpu/bundle.sh was run on the build machine and gpu-bundle/ carried
# along: the tactic-by-tactic comparison with the CPU reference, the ONNX node
# conformance on the cuda backend, ResNet-50 from torchvision at fp32 and fp16
# against PyTorch, and compute-sanitizer's memcheck. Arguments pick parts
# (tactics conformance resnet studio memcheck memcheck-conformance; default all
# but the slow memcheck-conformance; studio needs resnet), so a long suite can be
# split over several calls. Writes logs to $OUT (or ./gpu-out) and prints a
# summary last.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-$PWD/gpu-out}
mkdir -p "$out"
work=/tmp/kiln-gpu
rm -rf "$work" && mkdir -p "$work"
tar -C "$work" -xJf gpu-bundle/bundle.tar.xz
b="$work/.gpu-bundle-staging"
nv=$(python3 -c 'import nvidia, os; print(list(nvidia.__path__)[0])')
export LD_LIBRARY_PATH="$b/lib:$(ls -d "$nv"/*/lib | tr '\n' ':')${LD_LIBRARY_PATH:-}"
export QT_QPA_PLATFORM=offscreen QT_QPA_PLATFORM_PLUGIN_PATH="$b/plugins/platforms"
kiln="$b/bin/kiln"
parts=${*:-tactics conformance resnet studio memcheck}
want() { [[ " $parts " == *" $1 "* ]]; }
summary=()
note() { summary+=("$*"); echo "== $*"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/device.txt"
note "device: $(cat "$out/device.txt")"
"$kiln" --version | tee "$out/version.txt"

if want tactics; then
  "$b/bin/test_cuda_tactics" > "$out/tactics.txt" 2>&1
  rc=$?
  note "tactics: $(grep -E '^[0-9]+ passed' "$out/tactics.txt") (exit $rc)"
  grep -E '^(FAIL|cases with)' "$out/tactics.txt" | head -40
fi

if want conformance; then
  timeout "${KILN_CONFORMANCE_TIMEOUT:-500}" "$kiln" conformance "$b/node-tests" --backend cuda > "$out/conformance_cuda.txt" 2>&1
  note "conformance cuda: $(tail -n 1 "$out/conformance_cuda.txt")"
  grep -E '^FAIL' "$out/conformance_cuda.txt" | head -30
fi

if want resnet; then
  python3 tests/gpu/resnet50_check.py export "$work/resnet" > "$out/resnet_export.txt" 2>&1
  note "resnet50 export: $(tail -n 1 "$out/resnet_export.txt")"
  in_name=$(cat "$work/resnet/input_name.txt")
  out_name=$(cat "$work/resnet/output_name.txt")
  for prec in fp32 fp16; do
    flag=""; [ $prec = fp16 ] && flag="--fp16"
    "$kiln" build "$work/resnet/resnet50.onnx" -o "$work/resnet/r50_$prec.plan" --target cuda $flag \
      --report "$out/resnet50_${prec}_report.json" > "$out/resnet_build_$prec.txt" 2>&1
    note "resnet50 $prec build: $(tail -n 1 "$out/resnet_build_$prec.txt")"
    "$kiln" run "$work/resnet/r50_$prec.plan" --input "$in_name=$work/resnet/input.npy" --output-dir "$work/resnet/out_$prec" \
      > "$out/resnet_run_$prec.txt" 2>&1
    note "resnet50 $prec vs PyTorch: $(python3 tests/gpu/resnet50_check.py compare "$work/resnet/reference.npy" \
      "$work/resnet/out_$prec/$(echo "$out_name" | sed 's/[^A-Za-z0-9._-]/_/g').npy" $prec 2>&1 | tail -n 1)"
  done
  "$kiln" bench "$work/resnet/r50_fp16.plan" --profile --duration 3 --json "$out/resnet50_fp16_bench.json" \
    > "$out/resnet_bench_fp16.txt" 2>&1
  note "resnet50 fp16 bench: $(grep -E '^(throughput|latency)' "$out/resnet_bench_fp16.txt" | tr '\n' ' ')"
  head -n 25 "$out/resnet_bench_fp16.txt"
  "$kiln" bench "$work/resnet/r50_fp16.plan" --resident --cuda-graph --duration 3 > "$out/resnet_bench_fp16_graph.txt" 2>&1
  note "resnet50 fp16 bench, resident inputs, CUDA graph: $(grep -E '^(throughput|latency|mean|warning)' "$out/resnet_bench_fp16_graph.txt" | tr '\n' ' ')"
fi

if want studio && [ -f "$work/resnet/resnet50.onnx" ]; then
  timeout 300 "$b/bin/kiln-studio" "$work/resnet/resnet50.onnx" --build-and-profile 3 --target cuda --fp16 \
    --screenshot "$out/studio_resnet50_cuda.png" > "$out/studio.txt" 2>&1
  rc=$?
  grep '^studio:' "$out/studio.txt"
  note "studio (offscreen) ResNet-50 on cuda: exit $rc; $(grep -E '^studio: (built|profiled)' "$out/studio.txt" | tr '\n' ' ')"
fi

if want memcheck && command -v compute-sanitizer > /dev/null; then
  compute-sanitizer --tool memcheck --error-exitcode 9 "$b/bin/test_cuda_tactics" > "$out/memcheck.txt" 2>&1
  rc=$?
  note "memcheck over test_cuda_tactics: exit $rc ($(grep -E 'ERROR SUMMARY' "$out/memcheck.txt" | tail -n 1))"
fi

if want memcheck-conformance && command -v compute-sanitizer > /dev/null; then
  timeout 500 compute-sanitizer --tool memcheck --error-exitcode 9 "$kiln" conformance "$b/node-tests" --backend cuda \
    > "$out/memcheck_conformance.txt" 2>&1
  rc=$?
  note "memcheck over the cuda conformance run: exit $rc ($(grep -E 'ERROR SUMMARY' "$out/memcheck_conformance.txt" | tail -n 1); $(grep -E '^[0-9]+ passed' "$out/memcheck_conformance.txt"))"
fi

echo
echo "==== summary"
printf '%s\n' "${summary[@]}"
