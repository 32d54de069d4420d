// Elementwise operators: unary math, broadcasting arithmetic, comparisons,
// logic, Where, and the variadic Sum/Mean/Max/Min.
#include <cmath>
#include <limits>

#include "ops/common.h"

namespace kiln::ops {

namespace {

// ---- unary ----------------------------------------------------------------

enum class Unary { kAbs, kNeg, kSign, kExp, kLog, kSqrt, kErf, kReciprocal, kFloor, kCeil, kRound };

template <Unary U>
double applyUnary(double x) {
  if constexpr (U == Unary::kAbs) return std::fabs(x);
  else if constexpr (U == Unary::kNeg) return -x;
  else if constexpr (U == Unary::kSign) return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
  else if constexpr (U == Unary::kExp) return std::exp(x);
  else if constexpr (U == Unary::kLog) return std::log(x);
  else if constexpr (U == Unary::kSqrt) return std::sqrt(x);
  else if constexpr (U == Unary::kErf) return std::erf(x);
  else if constexpr (U == Unary::kReciprocal) return 1.0 / x;
  else if constexpr (U == Unary::kFloor) return std::floor(x);
  else if constexpr (U == Unary::kCeil) return std::ceil(x);
  else return std::nearbyint(x);  // kRound: half to even under the default rounding mode
}

// Ops that also take integers (Abs, Neg, Sign) compute them exactly.
template <Unary U>
constexpr bool kTakesIntegers = U == Unary::kAbs || U == Unary::kNeg || U == Unary::kSign;

template <Unary U>
void inferUnary(InferContext& ctx) {
  if constexpr (!kTakesIntegers<U>) ctx.expectType(0, kFloatTypes);
  inferSameAsInput(ctx);
}

template <Unary U>
void computeUnary(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      if constexpr (kIsFloatLike<T>) {
        out[i] = store<T>(applyUnary<U>(load(in[i])));
      } else if constexpr (U == Unary::kAbs) {
        if constexpr (std::is_signed_v<T>) out[i] = T(in[i] < 0 ? -in[i] : in[i]);
        else out[i] = in[i];
      } else if constexpr (U == Unary::kNeg) {
        out[i] = T(-in[i]);
      } else if constexpr (U == Unary::kSign) {
        out[i] = T(in[i] > 0 ? 1 : (in[i] < 0 ? -1 : 0));
      } else {
        ctx.fail("integer input is not supported", ErrorCode::kUnsupportedType);
      }
    }
  });
}

void inferIsNaN(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  ctx.setOutput(0, DataType::kBool, ctx.input(0).dims);
}

void computeIsNaN(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  bool* out = ctx.output(0).data<bool>();
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = std::isnan(x.getAsDouble(i));
}

void computeIsInf(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const bool neg = ctx.attrInt("detect_negative", 1) != 0;
  const bool pos = ctx.attrInt("detect_positive", 1) != 0;
  bool* out = ctx.output(0).data<bool>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = x.getAsDouble(i);
    out[i] = std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg));
  }
}

void inferNot(InferContext& ctx) {
  ctx.expectType(0, {DataType::kBool});
  inferSameAsInput(ctx);
}

void computeNot(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const bool* in = x.data<bool>();
  bool* out = ctx.output(0).data<bool>();
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = !in[i];
}

// ---- binary and variadic ------------------------------------------------------

enum class Binary { kAdd, kSub, kMul, kDiv, kMax, kMin, kSum, kMean };

template <Binary B, class A>
A applyBinary(A a, A b) {
  if constexpr (B == Binary::kAdd || B == Binary::kSum || B == Binary::kMean) return A(a + b);
  else if constexpr (B == Binary::kSub) return A(a - b);
  else if constexpr (B == Binary::kMul) return A(a * b);
  else if constexpr (B == Binary::kDiv) {
    if constexpr (std::is_integral_v<A>) return b == 0 ? A(0) : A(a / b);
    else return a / b;
  } else if constexpr (B == Binary::kMax) {
    if constexpr (std::is_floating_point_v<A>) { if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<A>::quiet_NaN(); }
    return a > b ? a : b;
  } else {
    if constexpr (std::is_floating_point_v<A>) { if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<A>::quiet_NaN(); }
    return a < b ? a : b;
  }
}

// Infers the broadcast of every present input; all must share one type.
void inferBroadcastAll(InferContext& ctx, DataType outType, bool sameType = true) {
  Dims dims = ctx.input(0).dims;
  for (size_t i = 1; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i)) continue;
    if (sameType && ctx.input(i).type != ctx.input(0).type) {
      ctx.fail(std::string("inputs have different types: ") + toString(ctx.input(0).type) + " and " +
               toString(ctx.input(i).type), ErrorCode::kUnsupportedType);
    }
    dims = broadcastDims(ctx, dims, ctx.input(i).dims);
  }
  ctx.setOutput(0, outType, dims);
}

template <Binary B>
void inferBinary(InferContext& ctx) {
  if (ctx.input(0).type == DataType::kBool) ctx.fail("bool inputs are not supported", ErrorCode::kUnsupportedType);
  inferBroadcastAll(ctx, ctx.input(0).type);
}

template <Binary B>
void computeBinary(ComputeContext& ctx) {
  HostTensor& y = ctx.output(0);
  dispatchNumeric(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    using A = Acc<T>;
    const int64_t n = y.numel();
    std::vector<A> acc(static_cast<size_t>(n));
    for (size_t k = 0; k < ctx.numInputs(); ++k) {
      const HostTensor& x = ctx.input(k);
      const T* in = x.data<T>();
      auto off = broadcastOffsets(y.shape(), x.shape());
      if (k == 0) {
        for (int64_t i = 0; i < n; ++i) acc[size_t(i)] = load(in[off[size_t(i)]]);
      } else {
        for (int64_t i = 0; i < n; ++i) acc[size_t(i)] = applyBinary<B, A>(acc[size_t(i)], load(in[off[size_t(i)]]));
      }
    }
    T* out = y.data<T>();
    const double count = double(ctx.numInputs());
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (B == Binary::kMean) out[i] = store<T>(A(acc[size_t(i)] / A(count)));
      else out[i] = store<T>(acc[size_t(i)]);
    }
  });
}

// Pow: the exponent may have another type than the base (opset 12+); the
// result has the base's type.
void inferPow(InferContext& ctx) {
  inferBroadcastAll(ctx, ctx.input(0).type, false);
}

void computePow(ComputeContext& ctx) {
  const HostTensor& a = ctx.input(0);
  const HostTensor& b = ctx.input(1);
  HostTensor& y = ctx.output(0);
  auto oa = broadcastOffsets(y.shape(), a.shape());
  auto ob = broadcastOffsets(y.shape(), b.shape());
  if (isInteger(y.type())) {
    for (int64_t i = 0; i < y.numel(); ++i) {
      int64_t base = a.getAsInt64(oa[size_t(i)]);
      double e = b.getAsDouble(ob[size_t(i)]);
      y.setFromDouble(i, std::pow(double(base), e));
    }
    return;
  }
  for (int64_t i = 0; i < y.numel(); ++i) {
    y.setFromDouble(i, std::pow(a.getAsDouble(oa[size_t(i)]), b.getAsDouble(ob[size_t(i)])));
  }
}

void computeMod(ComputeContext& ctx) {
  const bool fmod = ctx.attrInt("fmod", 0) != 0;
  const HostTensor& a = ctx.input(0);
  const HostTensor& b = ctx.input(1);
  HostTensor& y = ctx.output(0);
  if (!fmod && isFloat(y.type())) ctx.fail("fmod must be 1 for float inputs");
  auto oa = broadcastOffsets(y.shape(), a.shape());
  auto ob = broadcastOffsets(y.shape(), b.shape());
  dispatchNumeric(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* out = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) {
      auto x = load(pa[oa[size_t(i)]]);
      auto d = load(pb[ob[size_t(i)]]);
      if constexpr (kIsFloatLike<T>) {
        out[i] = store<T>(std::fmod(x, d));
      } else {
        if (d == 0) { out[i] = 0; continue; }
        auto r = x % d;
        if (!fmod && r != 0 && ((r < 0) != (d < 0))) r += d;
        out[i] = T(r);
      }
    }
  });
}

// ---- comparisons and logic ----------------------------------------------------

enum class Compare { kEqual, kLess, kGreater, kLessOrEqual, kGreaterOrEqual };

template <Compare C>
void inferCompare(InferContext& ctx) {
  inferBroadcastAll(ctx, DataType::kBool);
}

template <Compare C>
void computeCompare(ComputeContext& ctx) {
  const HostTensor& a = ctx.input(0);
  const HostTensor& b = ctx.input(1);
  HostTensor& y = ctx.output(0);
  auto oa = broadcastOffsets(y.shape(), a.shape());
  auto ob = broadcastOffsets(y.shape(), b.shape());
  bool* out = y.data<bool>();
  dispatchAll(a.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) {
      auto x = load(pa[oa[size_t(i)]]);
      auto z = load(pb[ob[size_t(i)]]);
      if constexpr (C == Compare::kEqual) out[i] = x == z;
      else if constexpr (C == Compare::kLess) out[i] = x < z;
      else if constexpr (C == Compare::kGreater) out[i] = x > z;
      else if constexpr (C == Compare::kLessOrEqual) out[i] = x <= z;
      else out[i] = x >= z;
    }
  });
}

enum class Logic { kAnd, kOr, kXor };

template <Logic L>
void inferLogic(InferContext& ctx) {
  ctx.expectType(0, {DataType::kBool});
  ctx.expectType(1, {DataType::kBool});
  inferBroadcastAll(ctx, DataType::kBool);
}

template <Logic L>
void computeLogic(ComputeContext& ctx) {
  const HostTensor& a = ctx.input(0);
  const HostTensor& b = ctx.input(1);
  HostTensor& y = ctx.output(0);
  auto oa = broadcastOffsets(y.shape(), a.shape());
  auto ob = broadcastOffsets(y.shape(), b.shape());
  const bool* pa = a.data<bool>();
  const bool* pb = b.data<bool>();
  bool* out = y.data<bool>();
  for (int64_t i = 0; i < y.numel(); ++i) {
    bool x = pa[oa[size_t(i)]], z = pb[ob[size_t(i)]];
    if constexpr (L == Logic::kAnd) out[i] = x && z;
    else if constexpr (L == Logic::kOr) out[i] = x || z;
    else out[i] = x != z;
  }
}

void inferWhere(InferContext& ctx) {
  ctx.expectType(0, {DataType::kBool});
  if (ctx.input(1).type != ctx.input(2).type) ctx.fail("X and Y have different types", ErrorCode::kUnsupportedType);
  Dims d = broadcastDims(ctx, ctx.input(0).dims, ctx.input(1).dims);
  d = broadcastDims(ctx, d, ctx.input(2).dims);
  ctx.setOutput(0, ctx.input(1).type, d);
}

void computeWhere(ComputeContext& ctx) {
  const HostTensor& c = ctx.input(0);
  const HostTensor& a = ctx.input(1);
  const HostTensor& b = ctx.input(2);
  HostTensor& y = ctx.output(0);
  auto oc = broadcastOffsets(y.shape(), c.shape());
  auto oa = broadcastOffsets(y.shape(), a.shape());
  auto ob = broadcastOffsets(y.shape(), b.shape());
  const bool* pc = c.data<bool>();
  const size_t es = elementSize(y.type());
  auto* out = static_cast<std::byte*>(y.raw());
  auto* pa = static_cast<const std::byte*>(a.raw());
  auto* pb = static_cast<const std::byte*>(b.raw());
  for (int64_t i = 0; i < y.numel(); ++i) {
    const std::byte* src = pc[oc[size_t(i)]] ? pa + oa[size_t(i)] * es : pb + ob[size_t(i)] * es;
    std::copy(src, src + es, out + size_t(i) * es);
  }
}

template <Unary U>
OpSchema unary(std::string_view name, int since = 1) {
  return OpSchema{name, "", since, 1, 1, 1, 1, inferUnary<U>, computeUnary<U>};
}

}  // namespace

void registerElementwiseOps(OpRegistry& r) {
  r.add(unary<Unary::kAbs>("Abs"));
  r.add(unary<Unary::kNeg>("Neg"));
  r.add(unary<Unary::kSign>("Sign", 9));
  r.add(unary<Unary::kExp>("Exp"));
  r.add(unary<Unary::kLog>("Log"));
  r.add(unary<Unary::kSqrt>("Sqrt"));
  r.add(unary<Unary::kErf>("Erf", 9));
  r.add(unary<Unary::kReciprocal>("Reciprocal"));
  r.add(unary<Unary::kFloor>("Floor"));
  r.add(unary<Unary::kCeil>("Ceil"));
  r.add(unary<Unary::kRound>("Round", 11));
  r.add({"IsNaN", "", 9, 1, 1, 1, 1, inferIsNaN, computeIsNaN});
  r.add({"IsInf", "", 10, 1, 1, 1, 1, inferIsNaN, computeIsInf});
  r.add({"Not", "", 1, 1, 1, 1, 1, inferNot, computeNot});

  r.add({"Add", "", 1, 2, 2, 1, 1, inferBinary<Binary::kAdd>, computeBinary<Binary::kAdd>});
  r.add({"Sub", "", 1, 2, 2, 1, 1, inferBinary<Binary::kSub>, computeBinary<Binary::kSub>});
  r.add({"Mul", "", 1, 2, 2, 1, 1, inferBinary<Binary::kMul>, computeBinary<Binary::kMul>});
  r.add({"Div", "", 1, 2, 2, 1, 1, inferBinary<Binary::kDiv>, computeBinary<Binary::kDiv>});
  r.add({"Max", "", 1, 1, 64, 1, 1, inferBinary<Binary::kMax>, computeBinary<Binary::kMax>});
  r.add({"Min", "", 1, 1, 64, 1, 1, inferBinary<Binary::kMin>, computeBinary<Binary::kMin>});
  r.add({"Sum", "", 1, 1, 64, 1, 1, inferBinary<Binary::kSum>, computeBinary<Binary::kSum>});
  r.add({"Mean", "", 1, 1, 64, 1, 1, inferBinary<Binary::kMean>, computeBinary<Binary::kMean>});
  r.add({"Pow", "", 1, 2, 2, 1, 1, inferPow, computePow});
  r.add({"Mod", "", 10, 2, 2, 1, 1, inferBinary<Binary::kAdd>, computeMod});

  r.add({"Equal", "", 1, 2, 2, 1, 1, inferCompare<Compare::kEqual>, computeCompare<Compare::kEqual>});
  r.add({"Less", "", 1, 2, 2, 1, 1, inferCompare<Compare::kLess>, computeCompare<Compare::kLess>});
  r.add({"Greater", "", 1, 2, 2, 1, 1, inferCompare<Compare::kGreater>, computeCompare<Compare::kGreater>});
  r.add({"LessOrEqual", "", 12, 2, 2, 1, 1, inferCompare<Compare::kLessOrEqual>,
         computeCompare<Compare::kLessOrEqual>});
  r.add({"GreaterOrEqual", "", 12, 2, 2, 1, 1, inferCompare<Compare::kGreaterOrEqual>,
         computeCompare<Compare::kGreaterOrEqual>});
  r.add({"And", "", 1, 2, 2, 1, 1, inferLogic<Logic::kAnd>, computeLogic<Logic::kAnd>});
  r.add({"Or", "", 1, 2, 2, 1, 1, inferLogic<Logic::kOr>, computeLogic<Logic::kOr>});
  r.add({"Xor", "", 1, 2, 2, 1, 1, inferLogic<Logic::kXor>, computeLogic<Logic::kXor>});
  r.add({"Where", "", 9, 3, 3, 1, 1, inferWhere, computeWhere});
}

}  // namespace kiln::ops
