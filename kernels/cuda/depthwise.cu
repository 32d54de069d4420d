#include "cuda/depthwise.cuh"

#include "cuda/activation.cuh"

namespace kiln::kernels::cuda {

namespace {

template <class T, int V>
__global__ static void depthwiseKernel(DepthwiseParams p) {
  const T* __restrict__ x = static_cast<const T*>(p.x);
  const T* __restrict__ w = static_cast<const T*>(p.w);
  const T* __restrict__ bias = static_cast<const T*>(p.bias);
  const T* __restrict__ res = static_cast<const T*>(p.residual);
  T* __restrict__ y = static_cast<T*>(p.y);
  const int groups = p.c / V;  // channel packs per pixel
  const int64_t total = int64_t(p.n) * p.oh * p.ow * groups;
  const int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
    const int c0 = int(i % groups) * V;
    int64_t r = i / groups;
    const int ox = int(r % p.ow);
    r /= p.ow;
    const int oy = int(r % p.oh);
    const int64_t b = r / p.oh;
    float acc[V];
#pragma unroll
    for (int v = 0; v < V; ++v) acc[v] = 0.f;
    for (int ky = 0; ky < p.kh; ++ky) {
      const int iy = oy * p.strideH - p.padH + ky * p.dilH;
      if (iy < 0 || iy >= p.h) continue;
      for (int kx = 0; kx < p.kw; ++kx) {
        const int ix = ox * p.strideW - p.padW + kx * p.dilW;
        if (ix < 0 || ix >= p.w_) continue;
        const Pack<T, V> xv = *reinterpret_cast<const Pack<T, V>*>(x + ((b * p.h + iy) * p.w_ + ix) * p.c + c0);
#pragma unroll
        for (int v = 0; v < V; ++v) acc[v] += toFloat(xv.v[v]) * toFloat(w[(int64_t(c0 + v) * p.kh + ky) * p.kw + kx]);
      }
    }
    const int64_t o = i * V;  // y is [N, OH, OW, C]: pack i starts at element i * V
    Pack<T, V> out;
    Pack<T, V> zv;
    if (res) zv = *reinterpret_cast<const Pack<T, V>*>(res + o);
#pragma unroll
    for (int v = 0; v < V; ++v) {
      float s = acc[v];
      if (bias) s += toFloat(bias[c0 + v]);
      if (res) s += toFloat(zv.v[v]);
      out.v[v] = fromFloat<T>(activateDevice(p.act.kind, p.act.alpha, p.act.beta, s));
    }
    *reinterpret_cast<Pack<T, V>*>(y + o) = out;
  }
}

template <class T>
cudaError_t launchTyped(const DepthwiseParams& p, cudaStream_t stream) {
  constexpr int kWide = 16 / sizeof(T);  // 16-byte packs
  const bool wide = p.c % kWide == 0 && aligned16(p.x) && aligned16(p.y) && (!p.residual || aligned16(p.residual));
  const int v = wide ? kWide : 1;
  const int64_t threads = int64_t(p.n) * p.oh * p.ow * (p.c / v);
  constexpr int kBlock = 256;
  const unsigned blocks = blocksFor(threads, kBlock);
  if (wide) {
    depthwiseKernel<T, kWide><<<blocks, kBlock, 0, stream>>>(p);
  } else {
    depthwiseKernel<T, 1><<<blocks, kBlock, 0, stream>>>(p);
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t launchDepthwiseNhwc(const DepthwiseParams& p, cudaStream_t stream) {
  if (p.n < 0 || p.h < 1 || p.w_ < 1 || p.c < 1 || p.oh < 0 || p.ow < 0 || p.kh < 1 || p.kw < 1 || p.strideH < 1 ||
      p.strideW < 1 || p.dilH < 1 || p.dilW < 1 || !p.x || !p.w || !p.y) {
    return cudaErrorInvalidValue;
  }
  if (int64_t(p.n) * p.oh * p.ow == 0) return cudaSuccess;
  return withFloatType(p.type, [&](auto tag) { return launchTyped<decltype(tag)>(p, stream); });
}

}  // namespace kiln::kernels::cuda
