// Elementwise kernels: unary math and activations, broadcasting binary
// arithmetic, comparisons and logic, Where, Clip, and the variadic
// Sum/Mean/Max/Min. Every launcher computes one output element per thread in
// a grid-stride loop, reading each input through its Operand (a broadcast
// indexer onto the output). Floats compute in float; integers in their own
// type, wrapping as the reference does. Host-safe: no device code here.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// One input of an elementwise kernel: its device data, its element type and
/// how an output index maps onto it. Null data stands for an omitted input
/// where a launcher allows one.
struct Operand {
  const void* data = nullptr;
  ElemType type = ElemType::kF32;
  bool contiguous = true;  ///< element i of the output reads element i (no index math)
  Indexer index;           ///< used when !contiguous
};

/// The unary operations. Float ones run at f32, f16 and bf16; the ones marked
/// "int too" also at i8, u8, i32 and i64 (Relu: signed only).
enum class UnaryOp : int32_t {
  kRelu = 0,         ///< x > 0 ? x : 0 (int too)
  kLeakyRelu,        ///< x >= 0 ? x : alpha x
  kSigmoid,          ///< 1 / (1 + e^-x)
  kTanh,             ///< tanh x
  kHardSigmoid,      ///< max(0, min(1, alpha x + beta))
  kHardSwish,        ///< x max(0, min(1, x/6 + 1/2))
  kElu,              ///< x >= 0 ? x : alpha (e^x - 1)
  kSelu,             ///< x > 0 ? gamma x : gamma alpha (e^x - 1)
  kCelu,             ///< max(0, x) + min(0, alpha (e^(x/alpha) - 1))
  kSoftplus,         ///< log(1 + e^x)
  kSoftsign,         ///< x / (1 + |x|)
  kThresholdedRelu,  ///< x > alpha ? x : 0
  kGelu,             ///< x/2 (1 + erf(x / sqrt 2))
  kGeluTanh,         ///< x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  kErf,              ///< erf x
  kExp,              ///< e^x
  kLog,              ///< ln x
  kSqrt,             ///< sqrt x
  kReciprocal,       ///< 1 / x
  kFloor,            ///< floor x
  kCeil,             ///< ceil x
  kRound,            ///< round half to even
  kAbs,              ///< |x| (int too)
  kNeg,              ///< -x (int too, wrapping)
  kSign,             ///< -1, 0 or 1 (int too)
  kIsNaN,            ///< bool output
  kIsInf,            ///< bool output; see UnaryParams::detect*
  kNot,              ///< bool in, bool out
};

/// Parameters of a unary op (the ONNX attributes, defaults already applied).
struct UnaryParams {
  UnaryOp op = UnaryOp::kRelu;
  float alpha = 0.f;
  float beta = 0.f;
  float gamma = 0.f;
  bool detectNegative = true;  ///< IsInf
  bool detectPositive = true;  ///< IsInf
};

/// Empty when launchUnary runs `op` on `type`; otherwise why not.
const char* unarySupport(UnaryOp op, ElemType type);
/// y[i] = op(x[i]) for n elements; y has x's type (bool for IsNaN/IsInf/Not).
cudaError_t launchUnary(const UnaryParams& p, ElemType type, const void* x, void* y, int64_t n,
                        cudaStream_t stream);

/// The broadcasting binary operations.
enum class BinaryOp : int32_t {
  kAdd = 0, kSub, kMul,
  kDiv,             ///< integers: b == 0 gives 0, else truncating division
  kPow,             ///< the exponent may have another type; integers compute in double
  kMod,             ///< integers only: the result takes the divisor's sign; b == 0 gives 0
  kFmod,            ///< C fmod / truncated remainder; integer b == 0 gives 0
  kMax, kMin,       ///< NaN if either is NaN
  kPRelu,           ///< a < 0 ? a b : a
  kEqual, kLess, kGreater, kLessOrEqual, kGreaterOrEqual,  ///< bool output, any type
  kAnd, kOr, kXor,  ///< bool inputs and output
};

/// Empty when launchBinary runs `op` on inputs of types a and b; otherwise why not.
const char* binarySupport(BinaryOp op, ElemType a, ElemType b);
/// y[i] = op(a[i'], b[i'']) for the n elements of the broadcast output. y has
/// a's type, or bool for comparisons and logic.
cudaError_t launchBinary(BinaryOp op, const Operand& a, const Operand& b, void* y, int64_t n, cudaStream_t stream);

/// The variadic reductions over inputs of one type (Sum, Mean, Max, Min).
enum class VariadicOp : int32_t { kSum = 0, kMean, kMax, kMin };
/// The most inputs one launchVariadic call takes.
constexpr int kMaxVariadicInputs = 8;
/// Empty when launchVariadic runs `op` on `type`; otherwise why not.
const char* variadicSupport(VariadicOp op, ElemType type);
/// y[i] = op over the `count` (1..kMaxVariadicInputs) broadcast inputs, which
/// all have type `type`; floats accumulate in float, integers in their type.
cudaError_t launchVariadic(VariadicOp op, ElemType type, const Operand* inputs, int count, void* y, int64_t n,
                           cudaStream_t stream);

/// y[i] = cond[i'] ? a[i''] : b[i''']; a and b share a type of `elemBytes`
/// (1, 2, 4 or 8) bytes, copied bit for bit.
cudaError_t launchWhere(const Operand& cond, const Operand& a, const Operand& b, int elemBytes, void* y, int64_t n,
                        cudaStream_t stream);

/// Clip's bounds: the float ones for float types, the integer ones otherwise.
/// Missing bounds are -inf/+inf (or the integer type's range).
struct ClipBounds {
  float lo = 0.f, hi = 0.f;
  int64_t ilo = 0, ihi = 0;
};
/// Empty when launchClip runs on `type`; otherwise why not.
const char* clipSupport(ElemType type);
/// y = min(max(x, lo), hi): where lo > hi every element becomes hi; NaN stays NaN.
cudaError_t launchClip(const ClipBounds& b, ElemType type, const void* x, void* y, int64_t n, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
