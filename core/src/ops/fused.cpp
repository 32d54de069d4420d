// Reference implementations of the "kiln" domain's fused operators (their
// interface is documented in ops/fused.h). The heavy parts run through the
// ONNX operators' own definitions (Conv, Gemm, MatMul, LayerNormalization,
// Softmax), so a fused layer computes exactly what its unfused layers did.
#include "ops/fused.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <string>

#include "ops/common.h"
#include "ops/evaluate.h"

namespace kiln::ops {

namespace {

constexpr std::string_view kDomain = "kiln";
// The opset at which the ONNX operators that fused ops delegate to are run.
constexpr int64_t kOnnxOpset = 21;

// ---- elementwise functions ------------------------------------------------------

enum class Unary {
  kNone, kRelu, kLeakyRelu, kSigmoid, kTanh, kClip, kHardSigmoid, kHardSwish, kGelu, kGeluTanh,
  kElu, kSoftplus, kExp, kLog, kSqrt, kAbs, kNeg, kErf, kReciprocal, kFloor, kCeil
};

struct UnaryName {
  std::string_view name;
  Unary op;
};

constexpr UnaryName kUnaryNames[] = {
    {"Relu", Unary::kRelu},       {"LeakyRelu", Unary::kLeakyRelu},     {"Sigmoid", Unary::kSigmoid},
    {"Tanh", Unary::kTanh},       {"Clip", Unary::kClip},               {"HardSigmoid", Unary::kHardSigmoid},
    {"HardSwish", Unary::kHardSwish}, {"Gelu", Unary::kGelu},           {"GeluTanh", Unary::kGeluTanh},
    {"Elu", Unary::kElu},         {"Softplus", Unary::kSoftplus},       {"Exp", Unary::kExp},
    {"Log", Unary::kLog},         {"Sqrt", Unary::kSqrt},               {"Abs", Unary::kAbs},
    {"Neg", Unary::kNeg},         {"Erf", Unary::kErf},                 {"Reciprocal", Unary::kReciprocal},
    {"Floor", Unary::kFloor},     {"Ceil", Unary::kCeil}};

bool findUnary(std::string_view name, Unary* op) {
  for (const auto& u : kUnaryNames) {
    if (u.name == name) {
      *op = u.op;
      return true;
    }
  }
  return false;
}

// The parameters a function takes when the layer does not give them.
double defaultAlpha(Unary op) {
  switch (op) {
    case Unary::kLeakyRelu: return 0.01;
    case Unary::kClip: return -std::numeric_limits<double>::infinity();
    case Unary::kHardSigmoid: return 0.2;
    case Unary::kElu: return 1.0;
    default: return 0.0;
  }
}

double defaultBeta(Unary op) {
  switch (op) {
    case Unary::kClip: return std::numeric_limits<double>::infinity();
    case Unary::kHardSigmoid: return 0.5;
    default: return 0.0;
  }
}

double applyUnary(Unary op, double x, double alpha, double beta) {
  switch (op) {
    case Unary::kNone: return x;
    case Unary::kRelu: return x > 0 ? x : 0.0;
    case Unary::kLeakyRelu: return x >= 0 ? x : alpha * x;
    case Unary::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Unary::kTanh: return std::tanh(x);
    case Unary::kClip: return x < alpha ? alpha : (x > beta ? beta : x);
    case Unary::kHardSigmoid: return std::fmax(0.0, std::fmin(1.0, alpha * x + beta));
    case Unary::kHardSwish: return x * std::fmax(0.0, std::fmin(1.0, x / 6.0 + 0.5));
    case Unary::kGelu: return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2));
    case Unary::kGeluTanh: {
      const double k = std::sqrt(2.0 / std::numbers::pi);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    }
    case Unary::kElu: return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
    case Unary::kSoftplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case Unary::kExp: return std::exp(x);
    case Unary::kLog: return std::log(x);
    case Unary::kSqrt: return std::sqrt(x);
    case Unary::kAbs: return std::fabs(x);
    case Unary::kNeg: return -x;
    case Unary::kErf: return std::erf(x);
    case Unary::kReciprocal: return 1.0 / x;
    case Unary::kFloor: return std::floor(x);
    case Unary::kCeil: return std::ceil(x);
  }
  return x;
}

enum class Binary { kAdd, kSub, kMul, kDiv, kPow, kMax, kMin, kPRelu };

bool findBinary(std::string_view name, Binary* op) {
  static constexpr std::pair<std::string_view, Binary> kNames[] = {
      {"Add", Binary::kAdd}, {"Sub", Binary::kSub}, {"Mul", Binary::kMul}, {"Div", Binary::kDiv},
      {"Pow", Binary::kPow}, {"Max", Binary::kMax}, {"Min", Binary::kMin}, {"PRelu", Binary::kPRelu}};
  for (const auto& [n, op2] : kNames) {
    if (n == name) {
      *op = op2;
      return true;
    }
  }
  return false;
}

double applyBinary(Binary op, double a, double b) {
  switch (op) {
    case Binary::kAdd: return a + b;
    case Binary::kSub: return a - b;
    case Binary::kMul: return a * b;
    case Binary::kDiv: return a / b;
    case Binary::kPow: return std::pow(a, b);
    case Binary::kMax: return std::isnan(a) || std::isnan(b) ? std::nan("") : std::fmax(a, b);
    case Binary::kMin: return std::isnan(a) || std::isnan(b) ? std::nan("") : std::fmin(a, b);
    case Binary::kPRelu: return a < 0 ? a * b : a;
  }
  return a;
}

// ---- shared pieces -------------------------------------------------------------

// The activation of a ConvAct or GemmAct layer.
struct Activation {
  Unary op = Unary::kNone;
  double alpha = 0;
  double beta = 0;
};

Activation readActivation(const NodeContext& ctx) {
  const std::string name = ctx.attrString("activation", "");
  Activation a;
  if (!name.empty()) {
    bool known = false;
    for (std::string_view n : kFusedActivations) known = known || n == name;
    if (!known || !findUnary(name, &a.op)) ctx.fail("unknown activation '" + name + "'");
  }
  a.alpha = ctx.hasAttr("act_alpha") ? ctx.attrFloat("act_alpha", 0.f) : defaultAlpha(a.op);
  a.beta = ctx.hasAttr("act_beta") ? ctx.attrFloat("act_beta", 0.f) : defaultBeta(a.op);
  return a;
}

void expectAllSameType(const InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  for (size_t i = 1; i < ctx.numInputs(); ++i) {
    if (ctx.hasInput(i) && ctx.input(i).type != ctx.input(0).type) {
      ctx.fail("input " + std::to_string(i) + " has type " + toString(ctx.input(i).type) + ", not " +
                   toString(ctx.input(0).type),
               ErrorCode::kUnsupportedType);
    }
  }
}

// This layer seen as the ONNX operator `op` on its first `inputs` inputs.
Layer delegateLayer(const NodeContext& ctx, std::string_view op, size_t inputs) {
  Layer l = ctx.layer();
  l.op = std::string(op);
  l.domain.clear();
  if (l.inputs.size() > inputs) l.inputs.resize(inputs);
  while (!l.inputs.empty() && l.inputs.back().empty()) l.inputs.pop_back();
  l.outputs.resize(1);
  return l;
}

const OpSchema& onnxSchema(const NodeContext& ctx, std::string_view op) {
  const OpSchema* s = OpRegistry::instance().find(op);
  if (!s) ctx.fail("the ONNX operator " + std::string(op) + " is not registered", ErrorCode::kInternal);
  return *s;
}

// Infers output 0 as the ONNX operator `op` on the first `inputs` inputs would,
// or on `given` in their place where given.
ValueInfo inferAs(InferContext& ctx, std::string_view op, size_t inputs, const std::vector<ValueInfo>* given = nullptr) {
  const Layer l = delegateLayer(ctx, op, inputs);
  std::vector<const ValueInfo*> in;
  for (size_t i = 0; i < l.inputs.size(); ++i) {
    in.push_back(!ctx.hasInput(i) ? nullptr : given ? &(*given)[i] : &ctx.input(i));
  }
  std::vector<ValueInfo> out(1);
  InferContext inner(l, kOnnxOpset, in, out);
  onnxSchema(ctx, op).infer(inner);
  return out[0];
}

// Copies a computed result into the output the caller allocated.
void copyInto(const ComputeContext& ctx, const HostTensor& result, HostTensor& out) {
  if (result.shape() != out.shape() || result.type() != out.type()) {
    ctx.fail("the result " + shapeString(result.shape()) + " does not fit the output " + shapeString(out.shape()),
             ErrorCode::kInternal);
  }
  std::memcpy(out.raw(), result.raw(), result.bytes());
}

// Computes output 0 as the ONNX operator `op` on `inputs`.
HostTensor computeAs(const ComputeContext& ctx, std::string_view op, std::vector<const HostTensor*> inputs) {
  Layer l = delegateLayer(ctx, op, inputs.size());
  inputs.resize(l.inputs.size());
  return std::move(evaluateLayer(onnxSchema(ctx, op), l, kOnnxOpset, inputs)[0]);
}

// y = act(t + extra), where `extra` (may be null) broadcasts onto t.
void finish(const ComputeContext& ctx, const HostTensor& t, const HostTensor* extra, const Activation& act,
            HostTensor& y) {
  std::vector<int64_t> off;
  if (extra) {
    if (broadcastShape(ctx, t.shape(), extra->shape()) != t.shape()) {
      ctx.fail("the added input " + shapeString(extra->shape()) + " does not broadcast onto " +
                   shapeString(t.shape()),
               ErrorCode::kShapeMismatch);
    }
    off = broadcastOffsets(t.shape(), extra->shape());
  }
  dispatchFloat(ctx, t.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = t.data<T>();
    const T* add = extra ? extra->data<T>() : nullptr;
    T* out = y.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v = load(in[i]);
      if (add) v += load(add[off[size_t(i)]]);
      out[i] = store<T>(applyUnary(act.op, v, act.alpha, act.beta));
    }
  });
}

// Fails unless `extra` broadcasts onto `out` without changing it.
void checkAddsOnto(const InferContext& ctx, const Dims& out, size_t i, const char* what) {
  if (!ctx.hasInput(i)) return;
  const Dims& e = ctx.input(i).dims;
  const Dims b = broadcastDims(ctx, out, e);
  if (b.rankKnown && out.rankKnown && b.rank() != out.rank()) {
    ctx.fail(std::string(what) + " " + e.str() + " does not broadcast onto the output " + out.str(),
             ErrorCode::kShapeMismatch);
  }
}

// ---- ConvAct --------------------------------------------------------------------

// A channels-last ConvAct (attribute channels_last) takes X and Z as NHWC and
// W as [M, R, S, C/group]; it is the NCHW ConvAct with every tensor permuted.
bool isChannelsLast(const NodeContext& ctx) { return ctx.attrInt("channels_last", 0) != 0; }

Dims permutedDims(const Dims& d, const std::vector<int64_t>& perm) {
  if (!d.rankKnown) return d;
  Dims r = d;
  for (size_t i = 0; i < perm.size(); ++i) r[i] = d[size_t(perm[i])];
  return r;
}

// Infers output 0 as the ONNX operator `op` on the first `inputs` inputs, the
// first `permuted` of them NHWC (or [M, R, S, C] weights) and the output NHWC.
ValueInfo inferChannelsLast(InferContext& ctx, std::string_view op, size_t inputs, size_t permuted) {
  std::vector<ValueInfo> in;
  for (size_t i = 0; i < inputs; ++i) {
    in.push_back(ctx.hasInput(i) ? ctx.input(i) : ValueInfo{});
    if (i >= permuted) continue;
    if (in.back().dims.rankKnown && in.back().dims.rank() != 4) ctx.fail("channels-last needs 2-D tensors");
    in.back().dims = permutedDims(in.back().dims, kToChannelsFirst);
  }
  ValueInfo y = inferAs(ctx, op, inputs, &in);
  y.dims = permutedDims(y.dims, kToChannelsLast);
  return y;
}

// Computes output 0 as the ONNX operator `op` would on NCHW copies of the
// first `permuted` inputs, turned back to NHWC.
HostTensor computeChannelsLast(const ComputeContext& ctx, std::string_view op, std::vector<const HostTensor*> inputs,
                               size_t permuted) {
  std::vector<HostTensor> copies;
  copies.reserve(permuted);
  for (size_t i = 0; i < permuted; ++i) {
    copies.push_back(permuteTensor(*inputs[i], kToChannelsFirst));
    inputs[i] = &copies.back();
  }
  return permuteTensor(computeAs(ctx, op, std::move(inputs)), kToChannelsLast);
}

// Fails unless the residual Z (input 3), when given, may have the output's dims.
void checkResidual(const InferContext& ctx, const Dims& y) {
  if (!ctx.hasInput(3)) return;
  const Dims& z = ctx.input(3).dims;
  bool fits = !z.rankKnown || !y.rankKnown || z.rank() == y.rank();
  for (size_t i = 0; fits && z.rankKnown && y.rankKnown && i < z.rank(); ++i) {
    fits = !z[i].known() || !y[i].known() || z[i].value == y[i].value;
  }
  if (!fits) ctx.fail("Z " + z.str() + " does not have the output's shape " + y.str(), ErrorCode::kShapeMismatch);
}

// Fails unless the residual Z, when given, has the shape of `t`.
void checkResidual(const ComputeContext& ctx, const HostTensor* z, const HostTensor& t) {
  if (z && z->shape() != t.shape()) {
    ctx.fail("Z " + shapeString(z->shape()) + " does not have the output's shape " + shapeString(t.shape()),
             ErrorCode::kShapeMismatch);
  }
}

void inferConvAct(InferContext& ctx) {
  expectAllSameType(ctx);
  readActivation(ctx);
  const ValueInfo y = isChannelsLast(ctx) ? inferChannelsLast(ctx, "Conv", 3, 2) : inferAs(ctx, "Conv", 3);
  checkResidual(ctx, y.dims);
  ctx.setOutput(0, y.type, y.dims);
}

void computeConvAct(ComputeContext& ctx) {
  const std::vector<const HostTensor*> in = {&ctx.input(0), &ctx.input(1), ctx.inputOrNull(2)};
  const HostTensor conv = isChannelsLast(ctx) ? computeChannelsLast(ctx, "Conv", in, 2) : computeAs(ctx, "Conv", in);
  const HostTensor* z = ctx.inputOrNull(3);
  checkResidual(ctx, z, conv);
  finish(ctx, conv, z, readActivation(ctx), ctx.output(0));
}

// ---- MaxPool and AveragePool, channels-last ---------------------------------------
// The ONNX operators of the same name on an NHWC input (attribute channels_last).

template <const char* kOp>
void inferPoolNhwc(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  if (!isChannelsLast(ctx)) ctx.fail("the kiln pools are channels-last");
  const ValueInfo y = inferChannelsLast(ctx, kOp, 1, 1);
  ctx.setOutput(0, y.type, y.dims);
}

template <const char* kOp>
void computePoolNhwc(ComputeContext& ctx) {
  const HostTensor y = computeChannelsLast(ctx, kOp, {&ctx.input(0)}, 1);
  copyInto(ctx, y, ctx.output(0));
}

constexpr char kMaxPool[] = "MaxPool";
constexpr char kAveragePool[] = "AveragePool";

// ---- GemmAct --------------------------------------------------------------------

bool isMatMulMode(const NodeContext& ctx) { return ctx.attrInt("matmul", 0) != 0; }

void inferGemmAct(InferContext& ctx) {
  expectAllSameType(ctx);
  readActivation(ctx);
  const ValueInfo y = inferAs(ctx, isMatMulMode(ctx) ? "MatMul" : "Gemm", isMatMulMode(ctx) ? 2 : 3);
  if (isMatMulMode(ctx)) checkAddsOnto(ctx, y.dims, 2, "C");
  if (ctx.hasInput(3) && !isMatMulMode(ctx)) ctx.fail("the residual Z needs matmul = 1");
  checkResidual(ctx, y.dims);
  ctx.setOutput(0, y.type, y.dims);
}

void computeGemmAct(ComputeContext& ctx) {
  const Activation act = readActivation(ctx);
  if (isMatMulMode(ctx)) {
    HostTensor t = computeAs(ctx, "MatMul", {&ctx.input(0), &ctx.input(1)});
    if (const HostTensor* z = ctx.inputOrNull(3)) {  // Y = act(A B + Z + C)
      checkResidual(ctx, z, t);
      HostTensor sum(t.type(), t.shape());
      finish(ctx, t, z, Activation{}, sum);
      t = std::move(sum);
    }
    finish(ctx, t, ctx.inputOrNull(2), act, ctx.output(0));
  } else {
    if (ctx.hasInput(3)) ctx.fail("the residual Z needs matmul = 1");
    const HostTensor t = computeAs(ctx, "Gemm", {&ctx.input(0), &ctx.input(1), ctx.inputOrNull(2)});
    finish(ctx, t, nullptr, act, ctx.output(0));
  }
}

// ---- Pointwise ------------------------------------------------------------------

struct Step {
  bool binary = false;
  Unary unary = Unary::kNone;
  Binary op = Binary::kAdd;
  size_t input = 0;   // binary: the external input
  bool left = false;  // binary: the external input is the left operand
  double alpha = 0;
  double beta = 0;
};

std::vector<Step> parseSteps(const NodeContext& ctx, size_t numInputs) {
  const Attribute* a = ctx.attr("steps");
  if (!a || a->kind != Attribute::Kind::kStrings || a->strings.empty()) {
    ctx.fail("attribute 'steps' must be a non-empty list of strings");
  }
  const auto alphas = ctx.attrFloats("step_alpha");
  const auto betas = ctx.attrFloats("step_beta");
  ctx.check(alphas.empty() || alphas.size() == a->strings.size(), "step_alpha must have one value per step");
  ctx.check(betas.empty() || betas.size() == a->strings.size(), "step_beta must have one value per step");
  std::vector<Step> steps;
  for (size_t i = 0; i < a->strings.size(); ++i) {
    const std::string& text = a->strings[i];
    std::vector<std::string> words;
    for (size_t start = 0; start <= text.size();) {
      const size_t space = text.find(' ', start);
      const size_t end = space == std::string::npos ? text.size() : space;
      if (end > start) words.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    Step s;
    const bool ok = [&] {
      if (words.size() == 1) return findUnary(words[0], &s.unary);
      if (words.size() < 2 || words.size() > 3 || !findBinary(words[0], &s.op)) return false;
      if (words.size() == 3 && words[2] != "left") return false;
      if (words[1].find_first_not_of("0123456789") != std::string::npos) return false;
      s.binary = true;
      s.input = std::stoul(words[1]);
      s.left = words.size() == 3;
      return s.input < numInputs;
    }();
    if (!ok) ctx.fail("step " + std::to_string(i) + " ('" + text + "') is not a valid step");
    s.alpha = alphas.empty() ? defaultAlpha(s.unary) : alphas[i];
    s.beta = betas.empty() ? defaultBeta(s.unary) : betas[i];
    steps.push_back(s);
  }
  return steps;
}

void inferPointwise(InferContext& ctx) {
  expectAllSameType(ctx);
  parseSteps(ctx, ctx.numInputs());
  Dims dims = ctx.input(0).dims;
  for (size_t i = 1; i < ctx.numInputs(); ++i) dims = broadcastDims(ctx, dims, ctx.input(i).dims);
  ctx.setOutput(0, ctx.input(0).type, dims);
}

void computePointwise(ComputeContext& ctx) {
  const auto steps = parseSteps(ctx, ctx.numInputs());
  HostTensor& y = ctx.output(0);
  std::vector<std::vector<int64_t>> off;
  for (size_t k = 0; k < ctx.numInputs(); ++k) off.push_back(broadcastOffsets(y.shape(), ctx.input(k).shape()));
  dispatchFloat(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<const T*> in;
    for (size_t k = 0; k < ctx.numInputs(); ++k) in.push_back(ctx.input(k).data<T>());
    T* out = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) {
      double acc = load(in[0][off[0][size_t(i)]]);
      for (const Step& s : steps) {
        if (!s.binary) {
          acc = applyUnary(s.unary, acc, s.alpha, s.beta);
          continue;
        }
        const double e = load(in[s.input][off[s.input][size_t(i)]]);
        acc = s.left ? applyBinary(s.op, e, acc) : applyBinary(s.op, acc, e);
      }
      out[i] = store<T>(acc);
    }
  });
}

// ---- Gelu and HardSwish -----------------------------------------------------------

Unary geluKind(const NodeContext& ctx) {
  const std::string approx = ctx.attrString("approximate", "none");
  if (approx != "none" && approx != "tanh") ctx.fail("unknown approximate mode '" + approx + "'");
  return approx == "tanh" ? Unary::kGeluTanh : Unary::kGelu;
}

template <bool kGelu>
void inferUnaryFused(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  if (kGelu) geluKind(ctx);
  inferSameAsInput(ctx);
}

template <bool kGelu>
void computeUnaryFused(ComputeContext& ctx) {
  Activation act;
  act.op = kGelu ? geluKind(ctx) : Unary::kHardSwish;
  finish(ctx, ctx.input(0), nullptr, act, ctx.output(0));
}

// ---- LayerNorm --------------------------------------------------------------------

void inferLayerNormFused(InferContext& ctx) {
  expectAllSameType(ctx);
  const ValueInfo& x = ctx.input(0);
  if (x.dims.rankKnown) normalizeAxis(ctx, ctx.attrInt("axis", -1), int64_t(x.dims.rank()));
  ctx.setOutput(0, x.type, x.dims);
}

void computeLayerNormFused(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", -1), int64_t(x.rank()));
  HostTensor ones;
  const HostTensor* scale = ctx.inputOrNull(1);
  if (!scale) {
    ones = HostTensor(x.type(), std::vector<int64_t>(x.shape().begin() + axis, x.shape().end()));
    for (int64_t i = 0; i < ones.numel(); ++i) ones.setFromDouble(i, 1.0);
    scale = &ones;
  }
  Layer l = delegateLayer(ctx, "LayerNormalization", 3);
  l.inputs = {"X", "Scale", ctx.hasInput(2) ? "B" : ""};
  std::vector<const HostTensor*> args = {&x, scale, ctx.inputOrNull(2)};
  if (!args[2]) {
    l.inputs.pop_back();
    args.pop_back();
  }
  copyInto(ctx, evaluateLayer(onnxSchema(ctx, "LayerNormalization"), l, kOnnxOpset, args)[0], ctx.output(0));
}

// ---- Softmax ----------------------------------------------------------------------

void inferSoftmaxFused(InferContext& ctx) {
  const ValueInfo y = inferAs(ctx, "Softmax", 1);
  ctx.setOutput(0, y.type, y.dims);
}

void computeSoftmaxFused(ComputeContext& ctx) {
  copyInto(ctx, computeAs(ctx, "Softmax", {&ctx.input(0)}), ctx.output(0));
}

// ---- Attention --------------------------------------------------------------------

// Dims of Q, K (as [..., Lk, D]) and V split into batch and matrix dims.
struct AttentionDims {
  Dims batch;
  Dim lq, d, lk, dv;
};

Dims batchOf(const Dims& d) {
  Dims b;
  b.d.assign(d.d.begin(), d.d.end() - 2);
  return b;
}

void checkSame(const NodeContext& ctx, const Dim& a, const Dim& b, const char* what) {
  if (a.known() && b.known() && a.value != b.value) {
    ctx.fail(std::string(what) + ": " + std::to_string(a.value) + " vs " + std::to_string(b.value),
             ErrorCode::kShapeMismatch);
  }
}

AttentionDims attentionDims(const NodeContext& ctx, const Dims& q, const Dims& k, const Dims& v) {
  ctx.check(q.rank() >= 2 && k.rank() >= 2 && v.rank() >= 2, "Q, K and V must have at least two dims");
  const bool kt = ctx.attrInt("k_transposed", 0) != 0;
  const size_t rk = k.rank();
  AttentionDims a;
  a.lq = q[q.rank() - 2];
  a.d = q[q.rank() - 1];
  a.lk = kt ? k[rk - 1] : k[rk - 2];
  a.dv = v[v.rank() - 1];
  checkSame(ctx, a.d, kt ? k[rk - 2] : k[rk - 1], "Q and K have different head sizes");
  checkSame(ctx, a.lk, v[v.rank() - 2], "K and V have different sequence lengths");
  a.batch = broadcastDims(ctx, broadcastDims(ctx, batchOf(q), batchOf(k)), batchOf(v));
  return a;
}

bool isBshd(const NodeContext& ctx, size_t operand) { return ctx.attrInt(kAttentionBshdAttrs[operand], 0) != 0; }

// Dims of operand `i` (3: Y) as attention reads them: [B, H, L, D] for one stored [B, L, H, D].
Dims readDims(const NodeContext& ctx, size_t i, Dims d) {
  if (!isBshd(ctx, i) || !d.rankKnown) return d;
  ctx.check(d.rank() == 4, std::string(kAttentionBshdAttrs[i]) + " needs a 4-D operand");
  std::swap(d.d[1], d.d[2]);
  return d;
}

void checkAttentionLayouts(const NodeContext& ctx) {
  ctx.check(!(isBshd(ctx, 1) && ctx.attrInt("k_transposed", 0) != 0),
            "k_bshd reads K as [B, H, Lk, D]: k_transposed must be 0");
}

void inferAttention(InferContext& ctx) {
  expectAllSameType(ctx);
  checkAttentionLayouts(ctx);
  const Dims q = readDims(ctx, 0, ctx.input(0).dims);
  const Dims k = readDims(ctx, 1, ctx.input(1).dims);
  const Dims v = readDims(ctx, 2, ctx.input(2).dims);
  if (!q.rankKnown || !k.rankKnown || !v.rankKnown) {
    ctx.setOutput(0, ctx.input(0).type, Dims::unknownRank());
    return;
  }
  const AttentionDims a = attentionDims(ctx, q, k, v);
  Dims scores = a.batch;
  scores.d.push_back(a.lq);
  scores.d.push_back(a.lk);
  checkAddsOnto(ctx, scores, 3, "mask");
  Dims out = a.batch;
  out.d.push_back(a.lq);
  out.d.push_back(a.dv);
  if (isBshd(ctx, 3)) {
    ctx.check(out.rank() == 4, "y_bshd needs a 4-D output");
    std::swap(out.d[1], out.d[2]);
  }
  ctx.setOutput(0, ctx.input(0).type, out);
}

// Offsets of the first element of each batch's matrix of `t` within the broadcast batch.
std::vector<int64_t> matrixOffsets(const std::vector<int64_t>& batch, const HostTensor& t) {
  const std::vector<int64_t> own(t.shape().begin(), t.shape().end() - 2);
  const int64_t size = t.shape()[t.rank() - 2] * t.shape()[t.rank() - 1];
  auto off = broadcastOffsets(batch, own);
  for (auto& o : off) o *= size;
  return off;
}

void computeAttention(ComputeContext& ctx) {
  checkAttentionLayouts(ctx);
  std::vector<HostTensor> swapped(3);  // operands stored [B, L, H, D], as read
  const auto operand = [&](size_t i) -> const HostTensor& {
    if (!isBshd(ctx, i)) return ctx.input(i);
    readDims(ctx, i, dimsOf(ctx.input(i)));  // checks the rank
    return swapped[i] = permuteTensor(ctx.input(i), kAttentionSwapHeads);
  };
  const HostTensor& q = operand(0);
  const HostTensor& k = operand(1);
  const HostTensor& v = operand(2);
  const HostTensor* mask = ctx.inputOrNull(3);
  const AttentionDims a = attentionDims(ctx, dimsOf(q), dimsOf(k), dimsOf(v));
  const bool kt = ctx.attrInt("k_transposed", 0) != 0;
  const double scale = ctx.attrFloat("scale", 1.f);
  const std::vector<int64_t> batch = *a.batch.sizes();
  const int64_t lq = a.lq.value, d = a.d.value, lk = a.lk.value, dv = a.dv.value;
  std::vector<int64_t> scoreShape = batch;
  scoreShape.push_back(lq);
  scoreShape.push_back(lk);
  std::vector<int64_t> maskOff;
  if (mask) {
    if (broadcastShape(ctx, scoreShape, mask->shape()) != scoreShape) {
      ctx.fail("mask " + shapeString(mask->shape()) + " does not broadcast onto the scores " + shapeString(scoreShape),
               ErrorCode::kShapeMismatch);
    }
    maskOff = broadcastOffsets(scoreShape, mask->shape());
  }
  const auto qOff = matrixOffsets(batch, q), kOff = matrixOffsets(batch, k), vOff = matrixOffsets(batch, v);
  std::vector<int64_t> outShape = batch;
  outShape.push_back(lq);
  outShape.push_back(dv);
  HostTensor result(q.type(), outShape);  // [..., Lq, Dv]
  dispatchFloat(ctx, q.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* m = mask ? mask->data<T>() : nullptr;
    T* out = result.data<T>();
    std::vector<double> p(static_cast<size_t>(lk), 0.0);
    for (size_t b = 0; b < qOff.size(); ++b) {
      const T* qb = q.data<T>() + qOff[b];
      const T* kb = k.data<T>() + kOff[b];
      const T* vb = v.data<T>() + vOff[b];
      for (int64_t i = 0; i < lq; ++i) {
        double top = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < lk; ++j) {
          double s = 0;
          for (int64_t c = 0; c < d; ++c) s += load(qb[i * d + c]) * load(kb[kt ? c * lk + j : j * d + c]);
          s *= scale;
          if (m) s += load(m[maskOff[(int64_t(b) * lq + i) * lk + j]]);
          p[size_t(j)] = s;
          top = std::fmax(top, s);
        }
        double sum = 0;
        for (auto& e : p) sum += (e = std::exp(e - top));
        T* row = out + (int64_t(b) * lq + i) * dv;
        for (int64_t c = 0; c < dv; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < lk; ++j) acc += p[size_t(j)] * load(vb[j * dv + c]);
          row[c] = store<T>(acc / sum);
        }
      }
    }
  });
  copyInto(ctx, isBshd(ctx, 3) ? permuteTensor(result, kAttentionSwapHeads) : result, ctx.output(0));
}

OpSchema fused(std::string_view name, int minInputs, int maxInputs, InferFn infer, ComputeFn compute) {
  return OpSchema{name, kDomain, 1, minInputs, maxInputs, 1, 1, infer, compute};
}

}  // namespace

void registerFusedOps(OpRegistry& r) {
  r.add(fused("ConvAct", 2, 4, inferConvAct, computeConvAct));
  r.add(fused("GemmAct", 2, 4, inferGemmAct, computeGemmAct));
  r.add(fused("MaxPool", 1, 1, inferPoolNhwc<kMaxPool>, computePoolNhwc<kMaxPool>));
  r.add(fused("AveragePool", 1, 1, inferPoolNhwc<kAveragePool>, computePoolNhwc<kAveragePool>));
  r.add(fused("Pointwise", 1, 1 << 10, inferPointwise, computePointwise));
  r.add(fused("Gelu", 1, 1, inferUnaryFused<true>, computeUnaryFused<true>));
  r.add(fused("HardSwish", 1, 1, inferUnaryFused<false>, computeUnaryFused<false>));
  r.add(fused("LayerNorm", 1, 3, inferLayerNormFused, computeLayerNormFused));
  r.add(fused("Softmax", 1, 1, inferSoftmaxFused, computeSoftmaxFused));
  r.add(fused("Attention", 3, 4, inferAttention, computeAttention));
}

}  // namespace kiln::ops
