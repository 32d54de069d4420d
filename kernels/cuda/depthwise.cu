#include "cuda/depthwise.cuh"

#include "cuda/activation.cuh"

namespace kiln::kernels::cuda {

namespace {

// Channels a thread of the 3x3 kernel computes: four keeps its 36 taps, the
// open rows' sums and the loads in registers at good occupancy.
constexpr int kDepthwise3x3Pack = 4;

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

// The 3x3 path (dilation 1, equal strides of 1 or 2, packs of four
// channels): a thread owns one output column of R rows for four channels.
// It keeps its 36 taps in registers and walks down the (R - 1) * S + 3 input
// rows once, each row feeding the up to three (stride 1) or two (stride 2)
// output rows that use it, so an input row is read once per strip instead of
// three times. The layer is bound by memory latency more than bandwidth: the
// loads run kAhead rows ahead of the arithmetic, and rows and columns outside
// the input are read clamped and then zeroed, so no branch stands between a
// load and the rows before it. Fully unrolled: rows and taps are constants,
// and only the output rows still open hold sums.
template <class T, int S, int R>
__global__ static void __launch_bounds__(256) depthwise3x3Kernel(DepthwiseParams p, int packs, int strips, int total) {
  constexpr int V = kDepthwise3x3Pack;
  constexpr int kRows = (R - 1) * S + 3;
  constexpr int kAhead = 2;  // input rows in flight beyond the one being summed
  const int i = int(blockIdx.x) * int(blockDim.x) + int(threadIdx.x);
  if (i >= total) return;
  const NhwcIndex at = splitNhwcIndex(i, packs, p.ow, strips);
  const int n = at.n, ox = at.col, c0 = at.pack * V;
  const T* __restrict__ x = static_cast<const T*>(p.x);
  const T* __restrict__ w = static_cast<const T*>(p.w);
  const T* __restrict__ bias = static_cast<const T*>(p.bias);
  const T* __restrict__ res = static_cast<const T*>(p.residual);
  T* __restrict__ y = static_cast<T*>(p.y);

  const int oy0 = at.row * R;
  const int iy0 = oy0 * S - p.padH;
  const int ix0 = ox * S - p.padW;
  int64_t colOffset[3];  // clamped into the row; colIn says whether the column is real
  bool colIn[3];
#pragma unroll
  for (int kx = 0; kx < 3; ++kx) {
    const int ix = ix0 + kx;
    colIn[kx] = unsigned(ix) < unsigned(p.w_);
    colOffset[kx] = int64_t(min(max(ix, 0), p.w_ - 1)) * p.c + c0;
  }
  const int64_t image = int64_t(n) * p.h;
  auto rowBase = [&](int t) {
    const int iy = min(max(iy0 + t, 0), p.h - 1);
    return x + (image + iy) * p.w_ * p.c;
  };
  auto rowIn = [&](int t) { return unsigned(iy0 + t) < unsigned(p.h); };

  Pack<T, V> in[kAhead + 1][3];
#pragma unroll
  for (int t = 0; t < kAhead; ++t) {
    const T* row = rowBase(t);
#pragma unroll
    for (int kx = 0; kx < 3; ++kx) in[t][kx] = *reinterpret_cast<const Pack<T, V>*>(row + colOffset[kx]);
  }
  float wt[9][V];
#pragma unroll
  for (int v = 0; v < V; ++v) {
#pragma unroll
    for (int k = 0; k < 9; ++k) wt[k][v] = toFloat(w[(c0 + v) * 9 + k]);
  }
  float acc[R][V];
#pragma unroll
  for (int j = 0; j < R; ++j) {
#pragma unroll
    for (int v = 0; v < V; ++v) acc[j][v] = 0.f;
  }
#pragma unroll
  for (int t = 0; t < kRows; ++t) {
    if (t + kAhead < kRows) {  // the load kAhead rows on
      const T* row = rowBase(t + kAhead);
#pragma unroll
      for (int kx = 0; kx < 3; ++kx) {
        in[(t + kAhead) % (kAhead + 1)][kx] = *reinterpret_cast<const Pack<T, V>*>(row + colOffset[kx]);
      }
    }
    const bool live = rowIn(t);
#pragma unroll
    for (int kx = 0; kx < 3; ++kx) {
      const bool real = live && colIn[kx];
#pragma unroll
      for (int v = 0; v < V; ++v) {
        const float xv = real ? toFloat(in[t % (kAhead + 1)][kx].v[v]) : 0.f;
#pragma unroll
        for (int j = 0; j < R; ++j) {
          const int ky = t - j * S;
          if (ky >= 0 && ky < 3) acc[j][v] = fmaf(xv, wt[ky * 3 + kx][v], acc[j][v]);
        }
      }
    }
    if (t >= 2 && (t - 2) % S == 0 && (t - 2) / S < R) {  // output row j has had its three input rows
      const int j = (t - 2) / S;
      const int oy = oy0 + j;
      if (oy < p.oh) {
        const int64_t o = ((int64_t(n) * p.oh + oy) * p.ow + ox) * p.c + c0;
        Pack<T, V> zv;
        if (res) zv = *reinterpret_cast<const Pack<T, V>*>(res + o);
        Pack<T, V> out;
#pragma unroll
        for (int v = 0; v < V; ++v) {
          float s = acc[j][v];
          if (bias) s += toFloat(bias[c0 + v]);
          if (res) s += toFloat(zv.v[v]);
          out.v[v] = fromFloat<T>(activateDevice(p.act.kind, p.act.alpha, p.act.beta, s));
        }
        *reinterpret_cast<Pack<T, V>*>(y + o) = out;
      }
    }
  }
}

template <class T, int S>
cudaError_t launch3x3(const DepthwiseParams& p, cudaStream_t stream) {
  constexpr int V = kDepthwise3x3Pack;
  const int packs = p.c / V;
  const int strips = (p.oh + p.rowsPerThread - 1) / p.rowsPerThread;
  const int64_t threads = int64_t(p.n) * strips * p.ow * packs;
  constexpr int kBlock = 256;
  const unsigned blocks = unsigned((threads + kBlock - 1) / kBlock);
  switch (p.rowsPerThread) {
    case 2: depthwise3x3Kernel<T, S, 2><<<blocks, kBlock, 0, stream>>>(p, packs, strips, int(threads)); break;
    case 4: depthwise3x3Kernel<T, S, 4><<<blocks, kBlock, 0, stream>>>(p, packs, strips, int(threads)); break;
    case 8: depthwise3x3Kernel<T, S, 8><<<blocks, kBlock, 0, stream>>>(p, packs, strips, int(threads)); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

template <class T>
cudaError_t launchTyped(const DepthwiseParams& p, cudaStream_t stream) {
  constexpr int kWide = 16 / sizeof(T);  // 16-byte packs
  constexpr uintptr_t kPackBytes = kDepthwise3x3Pack * sizeof(T);
  if (p.rowsPerThread > 0 && depthwise3x3Fits(p) && alignedTo(p.x, kPackBytes) && alignedTo(p.y, kPackBytes) &&
      (!p.residual || alignedTo(p.residual, kPackBytes))) {
    return p.strideH == 1 ? launch3x3<T, 1>(p, stream) : launch3x3<T, 2>(p, stream);
  }
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

bool depthwise3x3Fits(const DepthwiseParams& p) {
  if (p.kh != 3 || p.kw != 3 || p.dilH != 1 || p.dilW != 1 || p.strideH != p.strideW) return false;
  if (p.strideH != 1 && p.strideH != 2) return false;
  if (p.rowsPerThread != 2 && p.rowsPerThread != 4 && p.rowsPerThread != 8) return false;
  if (p.c % kDepthwise3x3Pack != 0) return false;
  const int64_t strips = (int64_t(p.oh) + p.rowsPerThread - 1) / p.rowsPerThread;
  return int64_t(p.n) * strips * p.ow * (p.c / kDepthwise3x3Pack) < (int64_t(1) << 31) - 256;
}

cudaError_t launchDepthwiseNhwc(const DepthwiseParams& p, cudaStream_t stream) {
  if (p.n < 0 || p.h < 1 || p.w_ < 1 || p.c < 1 || p.oh < 0 || p.ow < 0 || p.kh < 1 || p.kw < 1 || p.strideH < 1 ||
      p.strideW < 1 || p.dilH < 1 || p.dilW < 1 || !p.x || !p.w || !p.y) {
    return cudaErrorInvalidValue;
  }
  if (int64_t(p.n) * p.oh * p.ow == 0) return cudaSuccess;
  return withFloatType(p.type, [&](auto tag) { return launchTyped<decltype(tag)>(p, stream); });
}

}  // namespace kiln::kernels::cuda
