#include "cuda/pool_nhwc.cuh"

namespace kiln::kernels::cuda {

namespace {

template <class T, int V>
__global__ static void poolNhwcKernel(PoolNhwcParams p, int packs, int total) {
  const int i = int(blockIdx.x) * int(blockDim.x) + int(threadIdx.x);
  if (i >= total) return;
  const NhwcIndex at = splitNhwcIndex(i, packs, p.ow, p.oh);
  const int cp = at.pack, ox = at.col, oy = at.row, n = at.n;
  const T* __restrict__ x = static_cast<const T*>(p.x);
  const int y0 = oy * p.strideH - p.padH, x0 = ox * p.strideW - p.padW;
  const int yBegin = max(y0, 0), yEnd = min(y0 + p.kh, p.h);
  const int xBegin = max(x0, 0), xEnd = min(x0 + p.kw, p.w);
  float acc[V];
#pragma unroll
  for (int v = 0; v < V; ++v) acc[v] = p.max ? -INFINITY : 0.f;
  for (int iy = yBegin; iy < yEnd; ++iy) {
    const T* row = x + ((int64_t(n) * p.h + iy) * p.w) * p.c + cp * V;
    for (int ix = xBegin; ix < xEnd; ++ix) {
      const Pack<T, V> in = *reinterpret_cast<const Pack<T, V>*>(row + int64_t(ix) * p.c);
#pragma unroll
      for (int v = 0; v < V; ++v) {
        const float f = toFloat(in.v[v]);
        if (p.max) {
          acc[v] = (f > acc[v] || f != f) && acc[v] == acc[v] ? f : acc[v];  // NaN, once seen, stays
        } else {
          acc[v] += f;
        }
      }
    }
  }
  const int inside = max(yEnd - yBegin, 0) * max(xEnd - xBegin, 0);
  float scale = inside > 0 ? 1.f : 0.f;  // no tap inside: 0
  if (!p.max && inside > 0) {
    const int taps = p.countIncludePad
                         ? (min(y0 + p.kh, p.h + p.padEndH) - y0) * (min(x0 + p.kw, p.w + p.padEndW) - x0)
                         : inside;
    scale = 1.f / float(taps);
  }
  Pack<T, V> out;
#pragma unroll
  for (int v = 0; v < V; ++v) out.v[v] = fromFloat<T>(p.max ? (inside > 0 ? acc[v] : 0.f) : acc[v] * scale);
  *reinterpret_cast<Pack<T, V>*>(static_cast<T*>(p.y) + int64_t(i) * V) = out;
}

template <class T>
cudaError_t launchTyped(const PoolNhwcParams& p, cudaStream_t stream) {
  constexpr int kWide = 16 / int(sizeof(T));
  const bool wide = p.c % kWide == 0 && aligned16(p.x) && aligned16(p.y);
  const int v = wide ? kWide : 1;
  const int packs = p.c / v;
  const int64_t threads = int64_t(p.n) * p.oh * p.ow * packs;
  constexpr int kBlock = 256;
  const unsigned blocks = unsigned((threads + kBlock - 1) / kBlock);
  if (wide) {
    poolNhwcKernel<T, kWide><<<blocks, kBlock, 0, stream>>>(p, packs, int(threads));
  } else {
    poolNhwcKernel<T, 1><<<blocks, kBlock, 0, stream>>>(p, packs, int(threads));
  }
  return cudaGetLastError();
}

}  // namespace

bool poolNhwcFits(const PoolNhwcParams& p) {
  return int64_t(p.n) * p.oh * p.ow * p.c < (int64_t(1) << 31) - 256;
}

cudaError_t launchPoolNhwc(const PoolNhwcParams& p, cudaStream_t stream) {
  if (p.n < 0 || p.h < 1 || p.w < 1 || p.c < 1 || p.oh < 0 || p.ow < 0 || p.kh < 1 || p.kw < 1 || p.strideH < 1 ||
      p.strideW < 1 || p.padH < 0 || p.padW < 0 || !p.x || !p.y || !poolNhwcFits(p)) {
    return cudaErrorInvalidValue;
  }
  if (int64_t(p.n) * p.oh * p.ow == 0) return cudaSuccess;
  return withFloatType(p.type, [&](auto tag) { return launchTyped<decltype(tag)>(p, stream); });
}

}  // namespace kiln::kernels::cuda
