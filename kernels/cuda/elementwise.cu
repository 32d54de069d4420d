// Elementwise kernels (see elementwise.cuh): functors for mapKernel, and the
// launchers that pick the functor for a runtime op and element type.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cuda/elementwise.cuh"
#include "cuda/elementwise_map.cuh"

namespace kiln::kernels::cuda {
namespace {

// ---- compute types ---------------------------------------------------------------

// Half and bfloat16 compute in float; every other type in itself.
template <class T> struct ComputeOf { using type = T; };
template <> struct ComputeOf<__half> { using type = float; };
template <> struct ComputeOf<__nv_bfloat16> { using type = float; };
template <class T> using Compute = typename ComputeOf<T>::type;

template <class T>
__device__ __forceinline__ Compute<T> widen(T v) {
  if constexpr (std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>) return toFloat(v);
  else return v;
}

template <class T>
__device__ __forceinline__ T narrow(Compute<T> v) {
  if constexpr (std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>) return fromFloat<T>(v);
  else return T(v);
}

template <class C>
__device__ __forceinline__ bool isNaN(C v) {
  if constexpr (std::is_floating_point_v<C>) return v != v;
  else return false;
}

// Integer +, - and * wrap (through the unsigned type, where wrapping is defined).
template <class C>
__device__ __forceinline__ C wrapAdd(C a, C b) {
  if constexpr (std::is_integral_v<C>) return C(std::make_unsigned_t<C>(a) + std::make_unsigned_t<C>(b));
  else return a + b;
}
template <class C>
__device__ __forceinline__ C wrapSub(C a, C b) {
  if constexpr (std::is_integral_v<C>) return C(std::make_unsigned_t<C>(a) - std::make_unsigned_t<C>(b));
  else return a - b;
}
template <class C>
__device__ __forceinline__ C wrapMul(C a, C b) {
  if constexpr (std::is_integral_v<C>) return C(std::make_unsigned_t<C>(a) * std::make_unsigned_t<C>(b));
  else return a * b;
}

template <class C>
__device__ __forceinline__ C maxOf(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    if (isNaN(a) || isNaN(b)) return C(NAN);
  }
  return a > b ? a : b;
}
template <class C>
__device__ __forceinline__ C minOf(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    if (isNaN(a) || isNaN(b)) return C(NAN);
  }
  return a < b ? a : b;
}

// ---- unary -----------------------------------------------------------------------

template <UnaryOp U>
__device__ __forceinline__ float unaryFloat(float x, const UnaryParams& p) {
  if constexpr (U == UnaryOp::kRelu) return x > 0.f ? x : 0.f;
  else if constexpr (U == UnaryOp::kLeakyRelu) return x >= 0.f ? x : p.alpha * x;
  else if constexpr (U == UnaryOp::kSigmoid) return 1.f / (1.f + expf(-x));
  else if constexpr (U == UnaryOp::kTanh) return tanhf(x);
  else if constexpr (U == UnaryOp::kHardSigmoid) return fmaxf(0.f, fminf(1.f, p.alpha * x + p.beta));
  else if constexpr (U == UnaryOp::kHardSwish) return x * fmaxf(0.f, fminf(1.f, x / 6.f + 0.5f));
  else if constexpr (U == UnaryOp::kElu) return x >= 0.f ? x : p.alpha * expm1f(x);
  else if constexpr (U == UnaryOp::kSelu) return x > 0.f ? p.gamma * x : p.gamma * p.alpha * expm1f(x);
  else if constexpr (U == UnaryOp::kCelu) return fmaxf(0.f, x) + fminf(0.f, p.alpha * expm1f(x / p.alpha));
  else if constexpr (U == UnaryOp::kSoftplus) return x > 0.f ? x + log1pf(expf(-x)) : log1pf(expf(x));
  else if constexpr (U == UnaryOp::kSoftsign) return x / (1.f + fabsf(x));
  else if constexpr (U == UnaryOp::kThresholdedRelu) return x > p.alpha ? x : 0.f;
  else if constexpr (U == UnaryOp::kGelu) return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
  else if constexpr (U == UnaryOp::kGeluTanh) {
    return 0.5f * x * (1.f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
  } else if constexpr (U == UnaryOp::kErf) return erff(x);
  else if constexpr (U == UnaryOp::kExp) return expf(x);
  else if constexpr (U == UnaryOp::kLog) return logf(x);
  else if constexpr (U == UnaryOp::kSqrt) return sqrtf(x);
  else if constexpr (U == UnaryOp::kReciprocal) return 1.f / x;
  else if constexpr (U == UnaryOp::kFloor) return floorf(x);
  else if constexpr (U == UnaryOp::kCeil) return ceilf(x);
  else if constexpr (U == UnaryOp::kRound) return rintf(x);  // half to even
  else if constexpr (U == UnaryOp::kAbs) return fabsf(x);
  else if constexpr (U == UnaryOp::kNeg) return -x;
  else if constexpr (U == UnaryOp::kSign) return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
  else return x;
}

template <UnaryOp U, class T>
struct UnaryFloatFn {
  UnaryParams p;
  __device__ T operator()(const Operands<1>& in, int64_t i) const {
    return fromFloat<T>(unaryFloat<U>(toFloat(in.template load<T>(0, i)), p));
  }
};

// IsNaN and IsInf: float in, bool out.
template <UnaryOp U, class T>
struct FloatTestFn {
  UnaryParams p;
  __device__ uint8_t operator()(const Operands<1>& in, int64_t i) const {
    const float x = toFloat(in.template load<T>(0, i));
    if constexpr (U == UnaryOp::kIsNaN) return x != x;
    else return isinf(x) && ((x > 0.f && p.detectPositive) || (x < 0.f && p.detectNegative));
  }
};

// Abs, Neg, Sign and Relu on integers, exact.
template <UnaryOp U, class T>
struct UnaryIntFn {
  __device__ T operator()(const Operands<1>& in, int64_t i) const {
    const T x = in.template load<T>(0, i);
    if constexpr (U == UnaryOp::kAbs) {
      if constexpr (std::is_signed_v<T>) return T(x < 0 ? wrapSub(T(0), x) : x);
      else return x;
    } else if constexpr (U == UnaryOp::kNeg) return wrapSub(T(0), x);
    else if constexpr (U == UnaryOp::kSign) {
      if constexpr (std::is_signed_v<T>) return T(x > 0 ? 1 : (x < 0 ? -1 : 0));
      else return T(x > 0 ? 1 : 0);
    }
    else return x > 0 ? x : T(0);  // kRelu
  }
};

struct NotFn {
  __device__ uint8_t operator()(const Operands<1>& in, int64_t i) const { return in.load<uint8_t>(0, i) ? 0 : 1; }
};

template <UnaryOp... Us, class F>
bool dispatchUnary(UnaryOp op, F&& f) {
  return ((op == Us ? (f(std::integral_constant<UnaryOp, Us>{}), true) : false) || ...);
}

bool isIntUnary(UnaryOp op) {
  return op == UnaryOp::kAbs || op == UnaryOp::kNeg || op == UnaryOp::kSign || op == UnaryOp::kRelu;
}

// ---- binary ----------------------------------------------------------------------

template <BinaryOp B>
inline constexpr bool kIsCompare = B == BinaryOp::kEqual || B == BinaryOp::kLess || B == BinaryOp::kGreater ||
                                   B == BinaryOp::kLessOrEqual || B == BinaryOp::kGreaterOrEqual;

template <BinaryOp B, class C>
__device__ __forceinline__ C arith(C a, C b) {
  if constexpr (B == BinaryOp::kAdd) return wrapAdd(a, b);
  else if constexpr (B == BinaryOp::kSub) return wrapSub(a, b);
  else if constexpr (B == BinaryOp::kMul) return wrapMul(a, b);
  else if constexpr (B == BinaryOp::kDiv) {
    if constexpr (std::is_integral_v<C>) return b == 0 ? C(0) : C(a / b);
    else return a / b;
  } else if constexpr (B == BinaryOp::kMod || B == BinaryOp::kFmod) {
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) return C(0);
      auto r = a % b;
      if (B == BinaryOp::kMod && r != 0 && ((r < 0) != (b < 0))) r += b;
      return C(r);
    } else if constexpr (std::is_same_v<C, double>) {
      return fmod(a, b);
    } else {
      return fmodf(a, b);
    }
  } else if constexpr (B == BinaryOp::kMax) return maxOf(a, b);
  else if constexpr (B == BinaryOp::kMin) return minOf(a, b);
  else return a < C(0) ? wrapMul(a, b) : a;  // kPRelu
}

template <BinaryOp B, class T>
struct ArithFn {
  __device__ T operator()(const Operands<2>& in, int64_t i) const {
    return narrow<T>(arith<B>(widen(in.template load<T>(0, i)), widen(in.template load<T>(1, i))));
  }
};

template <BinaryOp B, class T>
struct CompareFn {
  __device__ uint8_t operator()(const Operands<2>& in, int64_t i) const {
    const auto a = widen(in.template load<T>(0, i));
    const auto b = widen(in.template load<T>(1, i));
    if constexpr (B == BinaryOp::kEqual) return a == b;
    else if constexpr (B == BinaryOp::kLess) return a < b;
    else if constexpr (B == BinaryOp::kGreater) return a > b;
    else if constexpr (B == BinaryOp::kLessOrEqual) return a <= b;
    else return a >= b;
  }
};

template <BinaryOp B>
struct LogicFn {
  __device__ uint8_t operator()(const Operands<2>& in, int64_t i) const {
    const bool a = in.load<uint8_t>(0, i) != 0;
    const bool b = in.load<uint8_t>(1, i) != 0;
    if constexpr (B == BinaryOp::kAnd) return a && b;
    else if constexpr (B == BinaryOp::kOr) return a || b;
    else return a != b;
  }
};

// Pow: the base's type T, the exponent's E. Floats compute in float; integer
// bases in double, truncated back, as the reference does.
template <class T, class E>
struct PowFn {
  __device__ T operator()(const Operands<2>& in, int64_t i) const {
    const T a = in.template load<T>(0, i);
    const E e = in.template load<E>(1, i);
    if constexpr (std::is_integral_v<T>) {
      return T(pow(double(a), double(widen(e))));
    } else {
      return narrow<T>(powf(float(widen(a)), float(widen(e))));
    }
  }
};

template <BinaryOp... Bs, class F>
bool dispatchBinary(BinaryOp op, F&& f) {
  return ((op == Bs ? (f(std::integral_constant<BinaryOp, Bs>{}), true) : false) || ...);
}

// ---- variadic ----------------------------------------------------------------------

template <VariadicOp V, class T>
struct VariadicFn {
  int count;
  __device__ T operator()(const Operands<kMaxVariadicInputs>& in, int64_t i) const {
    using C = Compute<T>;
    C acc = widen(in.template load<T>(0, i));
#pragma unroll
    for (int k = 1; k < kMaxVariadicInputs; ++k) {
      if (k >= count) break;
      const C v = widen(in.template load<T>(k, i));
      if constexpr (V == VariadicOp::kMax) acc = maxOf(acc, v);
      else if constexpr (V == VariadicOp::kMin) acc = minOf(acc, v);
      else acc = wrapAdd(acc, v);
    }
    if constexpr (V == VariadicOp::kMean) acc = C(acc / C(count));
    return narrow<T>(acc);
  }
};

// ---- Where and Clip ----------------------------------------------------------------

template <class T>
struct WhereFn {
  __device__ T operator()(const Operands<3>& in, int64_t i) const {
    return in.load<uint8_t>(0, i) ? in.template load<T>(1, i) : in.template load<T>(2, i);
  }
};

template <class T>
struct ClipFn {
  ClipBounds b;
  __device__ T operator()(const Operands<1>& in, int64_t i) const {
    const T x = in.template load<T>(0, i);
    if constexpr (std::is_integral_v<T>) {
      int64_t v = x;
      v = v < b.ilo ? b.ilo : v;
      v = v > b.ihi ? b.ihi : v;
      return T(v);
    } else {
      float v = toFloat(x);
      v = v < b.lo ? b.lo : v;
      v = v > b.hi ? b.hi : v;
      return fromFloat<T>(v);
    }
  }
};

constexpr const char* kOk = "";

}  // namespace

// ---- launchers ---------------------------------------------------------------------

const char* unarySupport(UnaryOp op, ElemType type) {
  if (op == UnaryOp::kNot) return type == ElemType::kBool ? kOk : "Not takes bool";
  const bool isFloat = type == ElemType::kF32 || type == ElemType::kF16 || type == ElemType::kBF16;
  if (isFloat) return kOk;
  const bool isInt = type == ElemType::kI8 || type == ElemType::kU8 || type == ElemType::kI32 || type == ElemType::kI64;
  if (isInt && isIntUnary(op) && !(op == UnaryOp::kRelu && type == ElemType::kU8)) return kOk;
  return isIntUnary(op) ? "the kernel takes f32, f16, bf16, i8, u8, i32 and i64" : "the kernel takes f32, f16 and bf16";
}

cudaError_t launchUnary(const UnaryParams& p, ElemType type, const void* x, void* y, int64_t n,
                        cudaStream_t stream) {
  if (unarySupport(p.op, type)[0] != '\0' || n < 0) return cudaErrorInvalidValue;
  const Operand in = flat(x, type);
  cudaError_t err = cudaSuccess;
  if (p.op == UnaryOp::kNot) return launchMap<uint8_t, 1>(NotFn{}, y, &in, n, stream);
  using E = ElemType;
  const bool floatDone = dispatchType<E::kF32, E::kF16, E::kBF16>(type, [&](auto e) {
    using T = Storage<decltype(e)::value>;
    dispatchUnary<UnaryOp::kRelu, UnaryOp::kLeakyRelu, UnaryOp::kSigmoid, UnaryOp::kTanh, UnaryOp::kHardSigmoid,
                  UnaryOp::kHardSwish, UnaryOp::kElu, UnaryOp::kSelu, UnaryOp::kCelu, UnaryOp::kSoftplus,
                  UnaryOp::kSoftsign, UnaryOp::kThresholdedRelu, UnaryOp::kGelu, UnaryOp::kGeluTanh, UnaryOp::kErf,
                  UnaryOp::kExp, UnaryOp::kLog, UnaryOp::kSqrt, UnaryOp::kReciprocal, UnaryOp::kFloor,
                  UnaryOp::kCeil, UnaryOp::kRound, UnaryOp::kAbs, UnaryOp::kNeg, UnaryOp::kSign>(p.op, [&](auto u) {
      err = launchMap<T, 1>(UnaryFloatFn<decltype(u)::value, T>{p}, y, &in, n, stream);
    });
    dispatchUnary<UnaryOp::kIsNaN, UnaryOp::kIsInf>(p.op, [&](auto u) {
      err = launchMap<uint8_t, 1>(FloatTestFn<decltype(u)::value, T>{p}, y, &in, n, stream);
    });
  });
  if (floatDone) return err;
  dispatchType<E::kI8, E::kU8, E::kI32, E::kI64>(type, [&](auto e) {
    using T = Storage<decltype(e)::value>;
    dispatchUnary<UnaryOp::kAbs, UnaryOp::kNeg, UnaryOp::kSign, UnaryOp::kRelu>(p.op, [&](auto u) {
      err = launchMap<T, 1>(UnaryIntFn<decltype(u)::value, T>{}, y, &in, n, stream);
    });
  });
  return err;
}

const char* binarySupport(BinaryOp op, ElemType a, ElemType b) {
  using E = ElemType;
  const bool isFloat = a == E::kF32 || a == E::kF16 || a == E::kBF16;
  const bool isInt = a == E::kI32 || a == E::kI64;
  const bool isNumber = isFloat || isInt;
  switch (op) {
    case BinaryOp::kPow:
      if (!isNumber) return "Pow takes an f32, f16, bf16, i32 or i64 base";
      if (b != E::kF32 && b != E::kF16 && b != E::kBF16 && b != E::kI32 && b != E::kI64) {
        return "Pow takes an f32, f16, bf16, i32 or i64 exponent";
      }
      return kOk;
    case BinaryOp::kEqual: case BinaryOp::kLess: case BinaryOp::kGreater:
    case BinaryOp::kLessOrEqual: case BinaryOp::kGreaterOrEqual:
      return a == b ? kOk : "the inputs have different types";
    case BinaryOp::kAnd: case BinaryOp::kOr: case BinaryOp::kXor:
      return a == E::kBool && b == E::kBool ? kOk : "logic ops take bool";
    case BinaryOp::kMod:
      if (a != b) return "the inputs have different types";
      return isInt ? kOk : "Mod with fmod=0 takes i32 and i64";
    default:
      if (a != b) return "the inputs have different types";
      return isNumber ? kOk : "the kernel takes f32, f16, bf16, i32 and i64";
  }
}

cudaError_t launchBinary(BinaryOp op, const Operand& a, const Operand& b, void* y, int64_t n, cudaStream_t stream) {
  if (binarySupport(op, a.type, b.type)[0] != '\0' || n < 0) return cudaErrorInvalidValue;
  const Operand in[2] = {a, b};
  cudaError_t err = cudaSuccess;
  using E = ElemType;
  if (op == BinaryOp::kPow) {
    dispatchType<E::kF32, E::kF16, E::kBF16, E::kI32, E::kI64>(a.type, [&](auto ta) {
      dispatchType<E::kF32, E::kF16, E::kBF16, E::kI32, E::kI64>(b.type, [&](auto tb) {
        using T = Storage<decltype(ta)::value>;
        err = launchMap<T, 2>(PowFn<T, Storage<decltype(tb)::value>>{}, y, in, n, stream);
      });
    });
    return err;
  }
  if (dispatchBinary<BinaryOp::kAnd, BinaryOp::kOr, BinaryOp::kXor>(op, [&](auto bop) {
        err = launchMap<uint8_t, 2>(LogicFn<decltype(bop)::value>{}, y, in, n, stream);
      })) {
    return err;
  }
  if (dispatchBinary<BinaryOp::kEqual, BinaryOp::kLess, BinaryOp::kGreater, BinaryOp::kLessOrEqual,
                     BinaryOp::kGreaterOrEqual>(op, [&](auto bop) {
        dispatchType<E::kF32, E::kF16, E::kBF16, E::kF64, E::kI8, E::kU8, E::kI32, E::kI64, E::kBool>(
            a.type, [&](auto t) {
              using T = Storage<decltype(t)::value>;
              err = launchMap<uint8_t, 2>(CompareFn<decltype(bop)::value, T>{}, y, in, n, stream);
            });
      })) {
    return err;
  }
  dispatchType<E::kF32, E::kF16, E::kBF16, E::kI32, E::kI64>(a.type, [&](auto t) {
    using T = Storage<decltype(t)::value>;
    dispatchBinary<BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv, BinaryOp::kFmod, BinaryOp::kMax,
                   BinaryOp::kMin, BinaryOp::kPRelu>(op, [&](auto bop) {
      err = launchMap<T, 2>(ArithFn<decltype(bop)::value, T>{}, y, in, n, stream);
    });
    if constexpr (std::is_integral_v<T>) {
      if (op == BinaryOp::kMod) err = launchMap<T, 2>(ArithFn<BinaryOp::kMod, T>{}, y, in, n, stream);
    }
  });
  return err;
}

const char* variadicSupport(VariadicOp op, ElemType type) {
  (void)op;
  using E = ElemType;
  const bool ok = type == E::kF32 || type == E::kF16 || type == E::kBF16 || type == E::kI32 || type == E::kI64;
  return ok ? kOk : "the kernel takes f32, f16, bf16, i32 and i64";
}

cudaError_t launchVariadic(VariadicOp op, ElemType type, const Operand* inputs, int count, void* y, int64_t n,
                           cudaStream_t stream) {
  if (variadicSupport(op, type)[0] != '\0' || count < 1 || count > kMaxVariadicInputs || n < 0) {
    return cudaErrorInvalidValue;
  }
  for (int k = 0; k < count; ++k) {
    if (inputs[k].type != type) return cudaErrorInvalidValue;
  }
  Operand in[kMaxVariadicInputs];
  for (int k = 0; k < kMaxVariadicInputs; ++k) in[k] = inputs[k < count ? k : 0];
  cudaError_t err = cudaSuccess;
  using E = ElemType;
  dispatchType<E::kF32, E::kF16, E::kBF16, E::kI32, E::kI64>(type, [&](auto t) {
    using T = Storage<decltype(t)::value>;
    switch (op) {
      case VariadicOp::kSum:
        err = launchMap<T, kMaxVariadicInputs>(VariadicFn<VariadicOp::kSum, T>{count}, y, in, n, stream);
        break;
      case VariadicOp::kMean:
        err = launchMap<T, kMaxVariadicInputs>(VariadicFn<VariadicOp::kMean, T>{count}, y, in, n, stream);
        break;
      case VariadicOp::kMax:
        err = launchMap<T, kMaxVariadicInputs>(VariadicFn<VariadicOp::kMax, T>{count}, y, in, n, stream);
        break;
      case VariadicOp::kMin:
        err = launchMap<T, kMaxVariadicInputs>(VariadicFn<VariadicOp::kMin, T>{count}, y, in, n, stream);
        break;
    }
  });
  return err;
}

cudaError_t launchWhere(const Operand& cond, const Operand& a, const Operand& b, int elemBytes, void* y, int64_t n,
                        cudaStream_t stream) {
  if (cond.type != ElemType::kBool || a.type != b.type || elemSize(a.type) != elemBytes || n < 0) {
    return cudaErrorInvalidValue;
  }
  const Operand in[3] = {cond, a, b};
  switch (elemBytes) {
    case 1: return launchMap<uint8_t, 3>(WhereFn<uint8_t>{}, y, in, n, stream);
    case 2: return launchMap<uint16_t, 3>(WhereFn<uint16_t>{}, y, in, n, stream);
    case 4: return launchMap<uint32_t, 3>(WhereFn<uint32_t>{}, y, in, n, stream);
    case 8: return launchMap<uint64_t, 3>(WhereFn<uint64_t>{}, y, in, n, stream);
    default: return cudaErrorInvalidValue;
  }
}

const char* clipSupport(ElemType type) {
  using E = ElemType;
  const bool ok = type == E::kF32 || type == E::kF16 || type == E::kBF16 || type == E::kI8 || type == E::kU8 ||
                  type == E::kI32 || type == E::kI64;
  return ok ? kOk : "the kernel takes f32, f16, bf16, i8, u8, i32 and i64";
}

cudaError_t launchClip(const ClipBounds& b, ElemType type, const void* x, void* y, int64_t n, cudaStream_t stream) {
  if (clipSupport(type)[0] != '\0' || n < 0) return cudaErrorInvalidValue;
  const Operand in = flat(x, type);
  cudaError_t err = cudaSuccess;
  using E = ElemType;
  dispatchType<E::kF32, E::kF16, E::kBF16, E::kI8, E::kU8, E::kI32, E::kI64>(type, [&](auto t) {
    using T = Storage<decltype(t)::value>;
    err = launchMap<T, 1>(ClipFn<T>{b}, y, &in, n, stream);
  });
  return err;
}

}  // namespace kiln::kernels::cuda
