#!/usr/bin/env bash
# Packs what the GPU suite needs into gpu-bundle/bundle.tar.xz (git-ignored):
# stripped binaries, the non-system, non-CUDA shared libraries they load, and
# the ONNX node tests. The GPU machine adds its own CUDA, cuDNN and cuBLAS
# libraries. Carry gpu-bundle to the GPU machine and run tests/gpu/run-gpu-suite.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=.gpu-bundle-staging
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
bins=("$build/app/kiln" "$build/tests/test_cuda_tactics")
[ -x "$build/app/kiln-studio" ] && bins+=("$build/app/kiln-studio")
for b in "${bins[@]}"; do
  strip --strip-debug -o "$out/bin/$(basename "$b")" "$b"
done
# Everything ldd resolves except glibc, the compiler runtime and the CUDA libraries.
skip='/(libc|libm|libpthread|libdl|librt|ld-linux-x86-64|libgcc_s|libstdc\+\+|libcudnn[^/]*|libcublas[^/]*|libnvrtc[^/]*|libcudart[^/]*|libcuda)\.so'
for b in "${bins[@]}"; do
  ldd "$b" | awk '/=> \//{print $3}' | grep -Ev "$skip" | while read -r lib; do
    cp -Lu "$lib" "$out/lib/"
  done
done
strip --strip-unneeded "$out"/lib/*.so* 2>/dev/null || true
if [ -x "$build/app/kiln-studio" ]; then
  mkdir -p "$out/plugins/platforms"
  cp -L /usr/lib/x86_64-linux-gnu/qt6/plugins/platforms/libqoffscreen.so "$out/plugins/platforms/"
  ldd "$out/plugins/platforms/libqoffscreen.so" | awk '/=> \//{print $3}' | grep -Ev "$skip" | xargs -r cp -Lu -t "$out/lib/"
  cp "$build/resources/sample.onnx" "$out/"
fi
cp -r /usr/share/libonnx-testdata/data/node "$out/node-tests"
mkdir -p gpu-bundle
tar -cf - "$out" | xz -T2 -6 > gpu-bundle/bundle.tar.xz
rm -rf "$out"
ls -la gpu-bundle/bundle.tar.xz
