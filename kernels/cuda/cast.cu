// Cast, QuantizeLinear and DequantizeLinear (see cast.cuh) as mapKernel functors.
#include <cstdint>
#include <type_traits>

#include "cuda/cast.cuh"
#include "cuda/elementwise_map.cuh"

namespace kiln::kernels::cuda {
namespace {

template <ElemType E>
__device__ __forceinline__ double toDouble(Storage<E> v) {
  if constexpr (E == ElemType::kF64) return v;
  else if constexpr (E == ElemType::kF32 || E == ElemType::kF16 || E == ElemType::kBF16) return double(toFloat(v));
  else if constexpr (E == ElemType::kBool) return v ? 1.0 : 0.0;
  else return double(v);
}

// Float to integer as the reference's C++ conversions compile on x86:
// truncation toward zero; 8- and 32-bit targets convert through int32, and a
// value outside the conversion's range gives its lowest value.
template <ElemType E>
__device__ __forceinline__ Storage<E> truncate(double v) {
  if (!isfinite(v)) return Storage<E>(0);
  if constexpr (E == ElemType::kI64) {
    if (v >= 9223372036854775808.0 || v < -9223372036854775808.0) return INT64_MIN;
    return int64_t(v);
  } else {
    const int32_t t = (v >= 2147483648.0 || v <= -2147483649.0) ? INT32_MIN : int32_t(v);
    return Storage<E>(t);
  }
}

template <ElemType E>
__device__ __forceinline__ Storage<E> fromDouble(double v) {
  if constexpr (E == ElemType::kF64) return v;
  else if constexpr (E == ElemType::kF32) return float(v);
  else if constexpr (E == ElemType::kF16 || E == ElemType::kBF16) return fromFloat<Storage<E>>(float(v));
  else if constexpr (E == ElemType::kBool) return v != 0.0 ? 1 : 0;
  else return truncate<E>(v);
}

template <ElemType From, ElemType To>
struct CastFn {
  __device__ Storage<To> operator()(const Operands<1>& in, int64_t i) const {
    const Storage<From> x = in.template load<Storage<From>>(0, i);
    if constexpr (From == To) return x;
    else if constexpr (kIsIntType<From> && kIsIntType<To>) return Storage<To>(int64_t(x));  // wraps
    else return fromDouble<To>(toDouble<From>(x));
  }
};

template <ElemType X, ElemType S, ElemType Y>
struct QuantizeFn {
  __device__ Storage<Y> operator()(const Operands<3>& in, int64_t i) const {
    const float x = float(toDouble<X>(in.template load<Storage<X>>(0, i)));
    const float s = toFloat(in.template load<Storage<S>>(1, i));
    const float z = in.op[2].data ? float(in.template load<Storage<Y>>(2, i)) : 0.f;
    constexpr float lo = Y == ElemType::kI8 ? -128.f : 0.f;
    constexpr float hi = Y == ElemType::kI8 ? 127.f : 255.f;
    // fmaxf first: NaN becomes lo, as in the reference.
    const float q = fminf(hi, fmaxf(lo, rintf(x / s) + z));
    return Storage<Y>(int32_t(q));
  }
};

template <ElemType X, ElemType S>
struct DequantizeFn {
  __device__ Storage<S> operator()(const Operands<3>& in, int64_t i) const {
    const double x = double(in.template load<Storage<X>>(0, i));
    const double z = in.op[2].data ? double(in.template load<Storage<X>>(2, i)) : 0.0;
    const double s = double(toFloat(in.template load<Storage<S>>(1, i)));
    return fromFloat<Storage<S>>(float((x - z) * s));
  }
};

#define KILN_ALL_ELEM_TYPES                                                                                  \
  ElemType::kF32, ElemType::kF16, ElemType::kBF16, ElemType::kF64, ElemType::kI8, ElemType::kU8,              \
      ElemType::kI32, ElemType::kI64, ElemType::kBool

constexpr const char* kOk = "";

// Conversions among f32, f16 and bf16, eight elements a thread with wide
// loads and stores: the element-per-thread map through double spends more
// time on instructions than on memory. Same results: a float converts to
// double exactly, so rounding from either gives the same value.
constexpr int kCastVec = 8;

template <class In, class Out>
__global__ void castFloatsKernel(const Pack<In, kCastVec>* __restrict__ x, Pack<Out, kCastVec>* __restrict__ y,
                                 int64_t vectors) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < vectors;
       k += int64_t(gridDim.x) * blockDim.x) {
    const Pack<In, kCastVec> a = x[k];
    Pack<Out, kCastVec> b;
#pragma unroll
    for (int i = 0; i < kCastVec; ++i) b.v[i] = fromFloat<Out>(toFloat(a.v[i]));
    y[k] = b;
  }
}

// Launches the vectorised cast over the leading whole vectors of x and y
// when both are aligned for them; returns how many elements it covers.
int64_t launchCastFloats(ElemType from, ElemType to, const void* x, void* y, int64_t n, cudaStream_t stream,
                         cudaError_t* err) {
  const bool floats = (from == ElemType::kF32 || from == ElemType::kF16 || from == ElemType::kBF16) &&
                      (to == ElemType::kF32 || to == ElemType::kF16 || to == ElemType::kBF16);
  const int64_t vectors = n / kCastVec;
  if (!floats || from == to || vectors == 0) return 0;
  if (!alignedTo(x, elemSize(from) * kCastVec) || !alignedTo(y, elemSize(to) * kCastVec)) return 0;
  *err = withFloatType(from, [&](auto in) {
    return withFloatType(to, [&](auto out) {
      using In = decltype(in);
      using Out = decltype(out);
      castFloatsKernel<In, Out><<<blocksFor(vectors), 256, 0, stream>>>(
          static_cast<const Pack<In, kCastVec>*>(x), static_cast<Pack<Out, kCastVec>*>(y), vectors);
      return cudaGetLastError();
    });
  });
  return vectors * kCastVec;
}

}  // namespace

cudaError_t launchCast(ElemType from, ElemType to, const void* x, void* y, int64_t n, cudaStream_t stream) {
  if (n < 0) return cudaErrorInvalidValue;
  cudaError_t err = cudaSuccess;
  const int64_t done = launchCastFloats(from, to, x, y, n, stream, &err);
  if (err != cudaSuccess || done == n) return err;
  // the rest element by element (every pair of types; the tail of a vectorised cast)
  x = static_cast<const char*>(x) + done * elemSize(from);
  y = static_cast<char*>(y) + done * elemSize(to);
  n -= done;
  const Operand in = flat(x, from);
  err = cudaErrorInvalidValue;
  dispatchType<KILN_ALL_ELEM_TYPES>(from, [&](auto f) {
    dispatchType<KILN_ALL_ELEM_TYPES>(to, [&](auto t) {
      constexpr ElemType F = decltype(f)::value, T = decltype(t)::value;
      err = launchMap<Storage<T>, 1>(CastFn<F, T>{}, y, &in, n, stream);
    });
  });
  return err;
}

const char* quantizeSupport(ElemType x, ElemType scale, ElemType y) {
  using E = ElemType;
  if (x != E::kF32 && x != E::kF16 && x != E::kBF16 && x != E::kI32) return "x must be f32, f16, bf16 or i32";
  if (scale != E::kF32 && scale != E::kF16 && scale != E::kBF16) return "the scale must be f32, f16 or bf16";
  if (y != E::kI8 && y != E::kU8) return "the kernel quantizes to i8 and u8 only";
  return kOk;
}

cudaError_t launchQuantize(const Operand& x, const Operand& scale, const Operand& zeroPoint, ElemType yType,
                           void* y, int64_t n, cudaStream_t stream) {
  if (quantizeSupport(x.type, scale.type, yType)[0] != '\0' || n < 0) return cudaErrorInvalidValue;
  if (zeroPoint.data && zeroPoint.type != yType) return cudaErrorInvalidValue;
  const Operand in[3] = {x, scale, zeroPoint};
  cudaError_t err = cudaErrorInvalidValue;
  using E = ElemType;
  dispatchType<E::kF32, E::kF16, E::kBF16, E::kI32>(x.type, [&](auto xt) {
    dispatchType<E::kF32, E::kF16, E::kBF16>(scale.type, [&](auto st) {
      dispatchType<E::kI8, E::kU8>(yType, [&](auto yt) {
        constexpr E Y = decltype(yt)::value;
        err = launchMap<Storage<Y>, 3>(QuantizeFn<decltype(xt)::value, decltype(st)::value, Y>{}, y, in, n, stream);
      });
    });
  });
  return err;
}

const char* dequantizeSupport(ElemType x, ElemType scale) {
  using E = ElemType;
  if (x != E::kI8 && x != E::kU8 && x != E::kI32) return "the kernel dequantizes i8, u8 and i32 only";
  if (scale != E::kF32 && scale != E::kF16 && scale != E::kBF16) return "the scale must be f32, f16 or bf16";
  return kOk;
}

cudaError_t launchDequantize(const Operand& x, const Operand& scale, const Operand& zeroPoint, void* y, int64_t n,
                             cudaStream_t stream) {
  if (dequantizeSupport(x.type, scale.type)[0] != '\0' || n < 0) return cudaErrorInvalidValue;
  if (zeroPoint.data && zeroPoint.type != x.type) return cudaErrorInvalidValue;
  const Operand in[3] = {x, scale, zeroPoint};
  cudaError_t err = cudaErrorInvalidValue;
  using E = ElemType;
  dispatchType<E::kI8, E::kU8, E::kI32>(x.type, [&](auto xt) {
    dispatchType<E::kF32, E::kF16, E::kBF16>(scale.type, [&](auto st) {
      constexpr E S = decltype(st)::value;
      err = launchMap<Storage<S>, 3>(DequantizeFn<decltype(xt)::value, S>{}, y, in, n, stream);
    });
  });
  return err;
}

}  // namespace kiln::kernels::cuda
