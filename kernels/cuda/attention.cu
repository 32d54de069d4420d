#include "cuda/attention.cuh"

#include <cuda_pipeline.h>
#include <mma.h>

#include <cfloat>
#include <mutex>

namespace kiln::kernels::cuda {

namespace {

using namespace nvcuda;
using T = __half;

constexpr int kKeys = 64;  // keys per tile
constexpr int kPadH = 8;   // halves of padding per shared row (keeps WMMA pointers 32-byte aligned)
constexpr int kPadF = 4;   // floats of padding per shared row
constexpr float kLog2e = 1.4426950408889634f;

// Where each buffer lies in the block's dynamic shared memory, in bytes.
struct Layout {
  int ldq, ldk, ldv, lds, ldp;
  int q, k, v, s, p, total;

  __host__ __device__ Layout(int d, int dv, int warps, bool kt) {
    ldq = d + kPadH;
    ldk = kt ? kKeys + kPadH : d + kPadH;
    ldv = dv + kPadH;
    lds = (dv > kKeys ? dv : kKeys) + kPadF;  // the scores, and later P V
    ldp = kKeys + kPadH;
    const int rows = warps * 16;
    q = 0;
    k = q + (rows * ldq * 2 + 127) / 128 * 128;
    v = k + ((kt ? d : kKeys) * ldk * 2 + 127) / 128 * 128;
    s = v + (kKeys * ldv * 2 + 127) / 128 * 128;
    p = s + (rows * lds * 4 + 127) / 128 * 128;
    total = p + (rows * ldp * 2 + 127) / 128 * 128;
  }
};

// Copies a rows x cols tile (row stride srcLd) into shared memory (row
// stride ld), zero where the row or column is past validRows / validCols.
// With `vec`, cols, srcLd, validCols and the source are multiples of 8
// halves, and the copies are asynchronous 16-byte ones, all in flight at
// once: the caller waits with __pipeline_wait_prior(0) before its barrier.
__device__ void loadTile(T* dst, int ld, const T* src, int64_t srcLd, int rows, int cols, int validRows,
                         int validCols, bool vec) {
  if (vec) {
    const int cv = cols / 8;
    for (int i = threadIdx.x; i < rows * cv; i += blockDim.x) {
      const int r = i / cv, c = (i % cv) * 8;
      T* to = dst + r * ld + c;
      if (r < validRows && c < validCols) {
        __pipeline_memcpy_async(to, src + r * srcLd + c, 16);
      } else {
        *reinterpret_cast<uint4*>(to) = make_uint4(0, 0, 0, 0);
      }
    }
    __pipeline_commit();
  } else {
    for (int i = threadIdx.x; i < rows * cols; i += blockDim.x) {
      const int r = i / cols, c = i % cols;
      dst[r * ld + c] = r < validRows && c < validCols ? src[r * srcLd + c] : __float2half_rn(0.f);
    }
  }
}

__device__ inline int64_t start(const MatrixLayout& l, int64_t b, int heads) {
  return (b / heads) * l.outer + (b % heads) * l.inner;
}

// kHead: the largest of d and dv it runs (64 or 128), which sizes the registers.
template <bool kKt, int kHead>
__global__ void __launch_bounds__(128, 2) fusedAttentionKernel(FusedAttentionParams p, bool vec) {
  extern __shared__ __align__(128) unsigned char smem[];
  const int warps = blockDim.x / 32;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int qBlocks = (p.lq + warps * 16 - 1) / (warps * 16);
  const int64_t b = blockIdx.x / qBlocks;
  const int q0 = int(blockIdx.x % qBlocks) * warps * 16;
  const Layout L(p.d, p.dv, warps, kKt);
  T* sq = reinterpret_cast<T*>(smem + L.q);
  T* sk = reinterpret_cast<T*>(smem + L.k);
  T* sv = reinterpret_cast<T*>(smem + L.v);
  float* ss = reinterpret_cast<float*>(smem + L.s) + warp * 16 * L.lds;
  T* sp = reinterpret_cast<T*>(smem + L.p) + warp * 16 * L.ldp;
  const T* q = static_cast<const T*>(p.q) + start(p.ql, b, p.heads);
  const T* k = static_cast<const T*>(p.k) + start(p.kl, b, p.heads);
  const T* v = static_cast<const T*>(p.v) + start(p.vl, b, p.heads);
  const T* mask = static_cast<const T*>(p.mask);

  loadTile(sq, L.ldq, q + int64_t(q0) * p.ql.ld, p.ql.ld, warps * 16, p.d, p.lq - q0, p.d, vec);
  __pipeline_wait_prior(0);
  __syncthreads();
  constexpr int kMaxFrag = kHead / 16;
  const int dFrags = p.d / 16, vFrags = p.dv / 16;
  wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> qf[kMaxFrag];
#pragma unroll
  for (int f = 0; f < kMaxFrag; ++f) {
    if (f < dFrags) wmma::load_matrix_sync(qf[f], sq + warp * 16 * L.ldq + f * 16, L.ldq);
  }

  // Two lanes per row: lane 2r + h handles row r's columns h, h + 2, ... of
  // the scores and of the output (2-way bank conflicts at most with the
  // padded rows), and keeps the row's running max and sum.
  constexpr int kOut = kHead / 2;  // output columns per lane at most
  const float scale = p.scale * kLog2e;  // exponentials in base 2
  const int r = lane / 2, h = lane % 2;
  const int row = q0 + warp * 16 + r;
  float mRow = -INFINITY, lRow = 0.f;
  float o[kOut];
#pragma unroll
  for (int j = 0; j < kOut; ++j) o[j] = 0.f;
  for (int k0 = 0; k0 < p.lk; k0 += kKeys) {
    const int keys = min(kKeys, p.lk - k0);
    __syncthreads();  // the previous tiles are no longer read
    if (kKt) {
      loadTile(sk, L.ldk, k + k0, p.kl.ld, p.d, kKeys, p.d, keys, vec);
    } else {
      loadTile(sk, L.ldk, k + int64_t(k0) * p.kl.ld, p.kl.ld, kKeys, p.d, keys, p.d, vec);
    }
    loadTile(sv, L.ldv, v + int64_t(k0) * p.vl.ld, p.vl.ld, kKeys, p.dv, keys, p.dv, vec);
    __pipeline_wait_prior(0);
    __syncthreads();

    // S = Q K^T for this warp's 16 rows and the tile's keys.
#pragma unroll
    for (int n = 0; n < kKeys / 16; ++n) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.f);
#pragma unroll
      for (int f = 0; f < kMaxFrag; ++f) {
        if (f >= dFrags) break;
        if constexpr (kKt) {
          wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> kf;
          wmma::load_matrix_sync(kf, sk + f * 16 * L.ldk + n * 16, L.ldk);
          wmma::mma_sync(acc, qf[f], kf, acc);
        } else {
          wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> kf;
          wmma::load_matrix_sync(kf, sk + n * 16 * L.ldk + f * 16, L.ldk);
          wmma::mma_sync(acc, qf[f], kf, acc);
        }
      }
      wmma::store_matrix_sync(ss + n * 16, acc, L.lds, wmma::mem_row_major);
    }
    __syncwarp();

    // The running softmax: P (unnormalised) into shared memory. The mask's
    // row for this tile starts at one offset and steps by maskStep per key.
    const T* maskRow =
        mask && row < p.lq ? mask + p.maskIndex.offset((b * p.lq + row) * p.lk + k0) : nullptr;
    float sc[kKeys / 2];
    float mx = -INFINITY;
#pragma unroll
    for (int c = 0; c < kKeys / 2; ++c) {
      const int col = 2 * c + h;
      float s = -INFINITY;
      if (col < keys) {
        s = ss[r * L.lds + col] * scale;
        if (maskRow) s += kLog2e * __half2float(maskRow[col * p.maskStep]);
      }
      sc[c] = s;
      mx = fmaxf(mx, s);
    }
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    const float mNew = fmaxf(mRow, mx);
    const bool none = mNew == -INFINITY;  // every key so far masked out
    const float alpha = none || mRow == -INFINITY ? 0.f : exp2f(mRow - mNew);
    float sum = 0.f;
#pragma unroll
    for (int c = 0; c < kKeys / 2; ++c) {
      const float e = none ? 0.f : exp2f(sc[c] - mNew);
      sum += e;
      sp[r * L.ldp + 2 * c + h] = __float2half_rn(e);
    }
    lRow = lRow * alpha + sum + __shfl_xor_sync(0xffffffffu, sum, 1);
    mRow = mNew;
    __syncwarp();

    // P V into the score buffer, then O = O * alpha + P V.
    wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> pf[kKeys / 16];
#pragma unroll
    for (int f = 0; f < kKeys / 16; ++f) wmma::load_matrix_sync(pf[f], sp + f * 16, L.ldp);
    for (int n = 0; n < vFrags; ++n) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.f);
#pragma unroll
      for (int f = 0; f < kKeys / 16; ++f) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> vf;
        wmma::load_matrix_sync(vf, sv + f * 16 * L.ldv + n * 16, L.ldv);
        wmma::mma_sync(acc, pf[f], vf, acc);
      }
      wmma::store_matrix_sync(ss + n * 16, acc, L.lds, wmma::mem_row_major);
    }
    __syncwarp();
#pragma unroll
    for (int j = 0; j < kOut; ++j) {
      if (2 * j + h < p.dv) o[j] = o[j] * alpha + ss[r * L.lds + 2 * j + h];
    }
    __syncwarp();
  }

  // O / l as halves into this warp's score buffer, then whole rows out, 16
  // bytes at a time where the layout allows.
  T* staged = reinterpret_cast<T*>(ss);  // 16 rows of lds floats: room for 2 * lds halves a row
  const int lds2 = 2 * L.lds;
  const float inv = 1.f / lRow;  // 0 / 0 where every key is masked out, as the reference's softmax
#pragma unroll
  for (int j = 0; j < kOut; ++j) {
    if (2 * j + h < p.dv) staged[r * lds2 + 2 * j + h] = __float2half_rn(o[j] * inv);
  }
  __syncwarp();
  T* y = static_cast<T*>(p.y) + start(p.yl, b, p.heads);
  const int rows = min(16, p.lq - (q0 + warp * 16));
  if (p.dv % 8 == 0 && p.yl.ld % 8 == 0 && aligned16(y) && (p.yl.outer | p.yl.inner) % 8 == 0) {
    const int cv = p.dv / 8;
    for (int i = lane; i < rows * cv; i += 32) {
      const int rr = i / cv, c = (i % cv) * 8;
      *reinterpret_cast<uint4*>(y + int64_t(q0 + warp * 16 + rr) * p.yl.ld + c) =
          *reinterpret_cast<const uint4*>(staged + rr * lds2 + c);
    }
  } else {
    for (int i = lane; i < rows * p.dv; i += 32) {
      const int rr = i / p.dv, c = i % p.dv;
      y[int64_t(q0 + warp * 16 + rr) * p.yl.ld + c] = staged[rr * lds2 + c];
    }
  }
}

// Lets each kernel use the shared memory of its largest sizes, once.
template <bool kKt, int kHead>
cudaError_t allowSharedMemory() {
  static cudaError_t result = [] {
    const Layout L(kHead, kHead, 4, kKt);
    return cudaFuncSetAttribute(fusedAttentionKernel<kKt, kHead>, cudaFuncAttributeMaxDynamicSharedMemorySize, L.total);
  }();
  return result;
}

template <bool kKt, int kHead>
cudaError_t launchKernel(const FusedAttentionParams& p, unsigned blocks, int bytes, bool vec, cudaStream_t stream) {
  if (cudaError_t e = allowSharedMemory<kKt, kHead>(); e != cudaSuccess) return e;
  fusedAttentionKernel<kKt, kHead><<<blocks, p.warps * 32, bytes, stream>>>(p, vec);
  return cudaGetLastError();
}

}  // namespace

const char* fusedAttentionRefusal(int d, int dv, int warps) {
  if (d < 16 || d % 16 != 0 || d > kFusedAttentionMaxHead) return "takes head sizes of 16 to 128 in steps of 16";
  if (dv < 16 || dv % 16 != 0 || dv > kFusedAttentionMaxHead) return "takes value sizes of 16 to 128 in steps of 16";
  if (warps != 1 && warps != 2 && warps != 4) return "runs 1, 2 or 4 warps per block";
  return "";
}

cudaError_t launchFusedAttention(const FusedAttentionParams& p, cudaStream_t stream) {
  if (*fusedAttentionRefusal(p.d, p.dv, p.warps) || p.batch < 0 || p.heads < 1 || p.lq < 0 || p.lk < 1 || !p.q ||
      !p.k || !p.v || !p.y) {
    return cudaErrorInvalidValue;
  }
  if (p.batch == 0 || p.lq == 0) return cudaSuccess;
  if (p.mask && p.maskIndex.rank > 0 && p.lk > 1 &&
      (p.maskIndex.dims[p.maskIndex.rank - 1] % p.lk != 0 || p.maskStep != p.maskIndex.strides[p.maskIndex.rank - 1])) {
    return cudaErrorInvalidValue;  // the mask must step evenly along the keys
  }
  const int rows = p.warps * 16;
  const int64_t blocks = int64_t(p.batch) * ((p.lq + rows - 1) / rows);
  if (blocks > INT32_MAX) return cudaErrorInvalidValue;
  // 16-byte loads need every row and matrix start on a multiple of 8 halves.
  bool vec = aligned16(p.q) && aligned16(p.k) && aligned16(p.v) && (!p.kTransposed || p.lk % 8 == 0);
  for (const MatrixLayout* l : {&p.ql, &p.kl, &p.vl}) vec = vec && l->outer % 8 == 0 && l->inner % 8 == 0 && l->ld % 8 == 0;
  const int bytes = Layout(p.d, p.dv, p.warps, p.kTransposed).total;
  const bool small = p.d <= 64 && p.dv <= 64;
  if (p.kTransposed) {
    return small ? launchKernel<true, 64>(p, unsigned(blocks), bytes, vec, stream)
                 : launchKernel<true, 128>(p, unsigned(blocks), bytes, vec, stream);
  }
  return small ? launchKernel<false, 64>(p, unsigned(blocks), bytes, vec, stream)
               : launchKernel<false, 128>(p, unsigned(blocks), bytes, vec, stream);
}

}  // namespace kiln::kernels::cuda
