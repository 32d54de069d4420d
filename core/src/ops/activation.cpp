// Activation operators: the pointwise nonlinearities, Clip, PRelu, and
// Softmax/LogSoftmax/Hardmax (through the softmax kernel).
#include <cmath>
#include <limits>
#include <numbers>

#include "cpu/softmax.h"
#include "ops/common.h"

namespace kiln::ops {

namespace {

// ---- pointwise ------------------------------------------------------------------

enum class Act {
  kRelu, kLeakyRelu, kSigmoid, kTanh, kHardSigmoid, kHardSwish, kElu, kSelu, kCelu,
  kSoftplus, kSoftsign, kThresholdedRelu, kGelu
};

// Attribute values with the defaults each op documents.
struct ActParams {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  bool tanhApprox = false;
};

template <Act A>
ActParams readParams(const NodeContext& ctx) {
  ActParams p;
  if constexpr (A == Act::kLeakyRelu) p.alpha = ctx.attrFloat("alpha", 0.01f);
  if constexpr (A == Act::kHardSigmoid) {
    p.alpha = ctx.attrFloat("alpha", 0.2f);
    p.beta = ctx.attrFloat("beta", 0.5f);
  }
  if constexpr (A == Act::kElu || A == Act::kCelu || A == Act::kThresholdedRelu) {
    p.alpha = ctx.attrFloat("alpha", 1.0f);
  }
  if constexpr (A == Act::kSelu) {
    p.alpha = ctx.attrFloat("alpha", 1.67326319217681884765625f);
    p.gamma = ctx.attrFloat("gamma", 1.05070102214813232421875f);
  }
  if constexpr (A == Act::kGelu) {
    const std::string approx = ctx.attrString("approximate", "none");
    if (approx != "none" && approx != "tanh") ctx.fail("unknown approximate mode '" + approx + "'");
    p.tanhApprox = approx == "tanh";
  }
  return p;
}

template <Act A>
double activate(double x, const ActParams& p) {
  if constexpr (A == Act::kRelu) return x > 0 ? x : 0.0;
  else if constexpr (A == Act::kLeakyRelu) return x >= 0 ? x : p.alpha * x;
  else if constexpr (A == Act::kSigmoid) return 1.0 / (1.0 + std::exp(-x));
  else if constexpr (A == Act::kTanh) return std::tanh(x);
  else if constexpr (A == Act::kHardSigmoid) return std::fmax(0.0, std::fmin(1.0, p.alpha * x + p.beta));
  else if constexpr (A == Act::kHardSwish) return x * std::fmax(0.0, std::fmin(1.0, x / 6.0 + 0.5));
  else if constexpr (A == Act::kElu) return x >= 0 ? x : p.alpha * (std::exp(x) - 1.0);
  else if constexpr (A == Act::kSelu) return x > 0 ? p.gamma * x : p.gamma * p.alpha * (std::exp(x) - 1.0);
  else if constexpr (A == Act::kCelu) {
    return std::fmax(0.0, x) + std::fmin(0.0, p.alpha * (std::exp(x / p.alpha) - 1.0));
  } else if constexpr (A == Act::kSoftplus) {
    // log(1 + e^x) without overflow for large x.
    return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  } else if constexpr (A == Act::kSoftsign) return x / (1.0 + std::fabs(x));
  else if constexpr (A == Act::kThresholdedRelu) return x > p.alpha ? x : 0.0;
  else {
    if (p.tanhApprox) {
      const double k = std::sqrt(2.0 / std::numbers::pi);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    }
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  }
}

// Relu accepts signed integers as well (opset 14).
template <Act A>
constexpr bool kTakesIntegers = A == Act::kRelu;

template <Act A>
void inferAct(InferContext& ctx) {
  readParams<A>(ctx);
  if constexpr (kTakesIntegers<A>) {
    ctx.expectType(0, {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16,
                       DataType::kInt8, DataType::kInt16, DataType::kInt32, DataType::kInt64});
  } else {
    ctx.expectType(0, kFloatTypes);
  }
  inferSameAsInput(ctx);
}

template <Act A>
void computeAct(ComputeContext& ctx) {
  const ActParams p = readParams<A>(ctx);
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      if constexpr (kIsFloatLike<T>) out[i] = store<T>(activate<A>(load(in[i]), p));
      else out[i] = in[i] > 0 ? in[i] : T(0);  // integer Relu
    }
  });
}

// ---- PRelu ------------------------------------------------------------------------

void inferPRelu(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  const ValueInfo& slope = ctx.input(1);
  if (x.type != slope.type) ctx.fail("X and slope have different types", ErrorCode::kUnsupportedType);
  if (x.type == DataType::kBool) ctx.fail("bool input is not supported", ErrorCode::kUnsupportedType);
  // The slope broadcasts to X (unidirectionally): the result has X's shape.
  Dims b = broadcastDims(ctx, x.dims, slope.dims);
  if (b.rankKnown && x.dims.rankKnown && b.rank() != x.dims.rank()) {
    ctx.fail("slope " + slope.dims.str() + " does not broadcast to X " + x.dims.str(), ErrorCode::kShapeMismatch);
  }
  ctx.setOutput(0, x.type, x.dims);
}

void computePRelu(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const HostTensor& slope = ctx.input(1);
  HostTensor& y = ctx.output(0);
  if (broadcastShape(ctx, x.shape(), slope.shape()) != x.shape()) {
    ctx.fail("slope " + shapeString(slope.shape()) + " does not broadcast to X " + shapeString(x.shape()),
             ErrorCode::kShapeMismatch);
  }
  const auto off = broadcastOffsets(x.shape(), slope.shape());
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    const T* s = slope.data<T>();
    T* out = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const auto v = load(in[i]);
      out[i] = v < 0 ? store<T>(v * load(s[off[size_t(i)]])) : in[i];
    }
  });
}

// ---- Clip ---------------------------------------------------------------------------

void inferClip(InferContext& ctx) {
  const DataType t = ctx.input(0).type;
  if (t == DataType::kBool) ctx.fail("bool input is not supported", ErrorCode::kUnsupportedType);
  if (ctx.opset() < 11 && ctx.numInputs() > 1) ctx.fail("min and max are attributes before opset 11");
  for (size_t i = 1; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i)) continue;
    if (ctx.input(i).type != t) ctx.fail("min/max type differs from the input's", ErrorCode::kUnsupportedType);
    const Dims& d = ctx.input(i).dims;
    if (d.allKnown() && d.numel() != 1) ctx.fail("min and max must be scalars");
  }
  inferSameAsInput(ctx);
}

void computeClip(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    using A = Acc<T>;
    A lo = std::numeric_limits<A>::lowest();
    A hi = std::numeric_limits<A>::max();
    if (ctx.opset() < 11) {
      lo = A(ctx.attrFloat("min", std::numeric_limits<float>::lowest()));
      hi = A(ctx.attrFloat("max", std::numeric_limits<float>::max()));
    } else {
      if (const HostTensor* m = ctx.inputOrNull(1)) lo = load(m->data<T>()[0]);
      if (const HostTensor* m = ctx.inputOrNull(2)) hi = load(m->data<T>()[0]);
    }
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      A v = load(in[i]);
      // min first, then max: when min > max every element becomes max.
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      out[i] = store<T>(v);
    }
  });
}

// ---- Softmax family -------------------------------------------------------------------

// Before opset 13 the input is coerced to 2-D at `axis` (default 1); from 13
// the op normalizes along the single axis (default -1).
kernels::cpu::SoftmaxParams softmaxShape(const NodeContext& ctx, const std::vector<int64_t>& shape) {
  const int64_t rank = int64_t(shape.size());
  const bool legacy = ctx.opset() < 13;
  const int64_t axis = rank == 0 ? 0 : normalizeAxis(ctx, ctx.attrInt("axis", legacy ? 1 : -1), rank);
  kernels::cpu::SoftmaxParams p;
  for (int64_t i = 0; i < rank; ++i) {
    if (i < axis) p.outer *= shape[size_t(i)];
    else if (i == axis || legacy) p.axis *= shape[size_t(i)];
    else p.inner *= shape[size_t(i)];
  }
  return p;
}

void inferSoftmax(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  const Dims& d = ctx.input(0).dims;
  if (d.rankKnown && d.rank() > 0) normalizeAxis(ctx, ctx.attrInt("axis", ctx.opset() < 13 ? 1 : -1), int64_t(d.rank()));
  inferSameAsInput(ctx);
}

template <kernels::cpu::SoftmaxKind K>
void computeSoftmax(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  auto p = softmaxShape(ctx, x.shape());
  p.kind = K;
  if (x.numel() == 0) return;
  dispatchFloat(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    kernels::cpu::softmax(p, x.data<T>(), y.data<T>());
  });
}

template <Act A>
OpSchema act(std::string_view name, int since = 1) {
  return OpSchema{name, "", since, 1, 1, 1, 1, inferAct<A>, computeAct<A>};
}

}  // namespace

void registerActivationOps(OpRegistry& r) {
  r.add(act<Act::kRelu>("Relu"));
  r.add(act<Act::kLeakyRelu>("LeakyRelu"));
  r.add(act<Act::kSigmoid>("Sigmoid"));
  r.add(act<Act::kTanh>("Tanh"));
  r.add(act<Act::kHardSigmoid>("HardSigmoid"));
  r.add(act<Act::kHardSwish>("HardSwish", 14));
  r.add(act<Act::kElu>("Elu"));
  r.add(act<Act::kSelu>("Selu"));
  r.add(act<Act::kCelu>("Celu", 12));
  r.add(act<Act::kSoftplus>("Softplus"));
  r.add(act<Act::kSoftsign>("Softsign"));
  r.add(act<Act::kThresholdedRelu>("ThresholdedRelu", 10));
  r.add(act<Act::kGelu>("Gelu", 20));
  r.add({"PRelu", "", 1, 2, 2, 1, 1, inferPRelu, computePRelu});
  r.add({"Clip", "", 1, 1, 3, 1, 1, inferClip, computeClip});
  r.add({"Softmax", "", 1, 1, 1, 1, 1, inferSoftmax, computeSoftmax<kernels::cpu::SoftmaxKind::kSoftmax>});
  r.add({"LogSoftmax", "", 1, 1, 1, 1, 1, inferSoftmax, computeSoftmax<kernels::cpu::SoftmaxKind::kLogSoftmax>});
  r.add({"Hardmax", "", 1, 1, 1, 1, 1, inferSoftmax, computeSoftmax<kernels::cpu::SoftmaxKind::kHardmax>});
}

}  // namespace kiln::ops
