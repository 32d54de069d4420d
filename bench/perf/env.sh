# Sourced by the benchmark scripts on the GPU machine: unpacks the bundle
# that tests/gpu/bundle.sh made (gpu-bundle/bundle.tar.xz) unless KILN is set
# already, and sets LD_LIBRARY_PATH so that the binaries find their libraries
# and the CUDA, cuDNN and cuBLAS libraries of the machine's python packages.
# Sets KILN to the kiln binary.
if [ -z "${KILN:-}" ]; then
  kiln_work=${KILN_WORK:-/tmp/kiln-bench}
  # unpacked once per bundle: the stamp is newer than the bundle it came from
  if [ ! -x "$kiln_work/.gpu-bundle-staging/bin/kiln" ] || [ gpu-bundle/bundle.tar.xz -nt "$kiln_work/unpacked" ]; then
    rm -rf "$kiln_work/.gpu-bundle-staging" && mkdir -p "$kiln_work"
    tar -C "$kiln_work" -xJf gpu-bundle/bundle.tar.xz && touch "$kiln_work/unpacked"
  fi
  KILN="$kiln_work/.gpu-bundle-staging/bin/kiln"
  export LD_LIBRARY_PATH="$kiln_work/.gpu-bundle-staging/lib:${LD_LIBRARY_PATH:-}"
fi
nv=$(python3 -c 'import nvidia, os; print(list(nvidia.__path__)[0])' 2>/dev/null || true)
if [ -n "$nv" ]; then
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}:$(ls -d "$nv"/*/lib | tr '\n' ':')"
fi
export KILN
