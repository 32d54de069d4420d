// CUDA tactics for the elementwise ops: unary math and activations, the
// broadcasting binary ops, the variadic Sum/Mean/Max/Min, Where, Clip, Cast,
// QuantizeLinear/DequantizeLinear, and Identity/Dropout as device copies.
// Each reads the layer as the CPU reference does (ops/elementwise.cpp,
// activation.cpp, constant.cpp, quant.cpp, shape.cpp) and launches the
// kernels of kernels/cuda/elementwise.cuh and cast.cuh.
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/operands.h"
#include "cuda/cast.cuh"
#include "cuda/elementwise.cuh"
#include "ops/op.h"

namespace kiln::backend::cuda {

namespace {

namespace kc = kernels::cuda;

constexpr float kInf = std::numeric_limits<float>::infinity();

bool hasInput(const Layer& l, size_t i) { return i < l.inputs.size() && !l.inputs[i].empty(); }
bool hasOutput(const Layer& l, size_t i) { return i < l.outputs.size() && !l.outputs[i].empty(); }

std::string typeReason(const char* what, DataType t) {
  return std::string(what) + " has type " + toString(t) + ", which the CUDA kernels do not handle";
}

// Element count of the layer's output 0.
int64_t outputCount(const std::vector<DeviceTensor>& outputs) { return numelOf(outputs.at(0).shape); }

// Checks that `inputs` broadcast onto `out` within the kernels' rank; empty or why not.
std::string broadcastReason(const std::vector<int64_t>& out, const std::vector<std::vector<int64_t>>& inputs) {
  try {
    broadcastOperands(out, inputs);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// ---- unary --------------------------------------------------------------------------

struct UnaryName {
  const char* key;
  kc::UnaryOp op;
};

constexpr UnaryName kUnaryOps[] = {
    {"Relu", kc::UnaryOp::kRelu},
    {"LeakyRelu", kc::UnaryOp::kLeakyRelu},
    {"Sigmoid", kc::UnaryOp::kSigmoid},
    {"Tanh", kc::UnaryOp::kTanh},
    {"HardSigmoid", kc::UnaryOp::kHardSigmoid},
    {"HardSwish", kc::UnaryOp::kHardSwish},
    {"kiln:HardSwish", kc::UnaryOp::kHardSwish},
    {"Elu", kc::UnaryOp::kElu},
    {"Selu", kc::UnaryOp::kSelu},
    {"Celu", kc::UnaryOp::kCelu},
    {"Softplus", kc::UnaryOp::kSoftplus},
    {"Softsign", kc::UnaryOp::kSoftsign},
    {"ThresholdedRelu", kc::UnaryOp::kThresholdedRelu},
    {"Gelu", kc::UnaryOp::kGelu},
    {"kiln:Gelu", kc::UnaryOp::kGelu},
    {"Erf", kc::UnaryOp::kErf},
    {"Exp", kc::UnaryOp::kExp},
    {"Log", kc::UnaryOp::kLog},
    {"Sqrt", kc::UnaryOp::kSqrt},
    {"Reciprocal", kc::UnaryOp::kReciprocal},
    {"Floor", kc::UnaryOp::kFloor},
    {"Ceil", kc::UnaryOp::kCeil},
    {"Round", kc::UnaryOp::kRound},
    {"Abs", kc::UnaryOp::kAbs},
    {"Neg", kc::UnaryOp::kNeg},
    {"Sign", kc::UnaryOp::kSign},
    {"IsNaN", kc::UnaryOp::kIsNaN},
    {"IsInf", kc::UnaryOp::kIsInf},
    {"Not", kc::UnaryOp::kNot},
};

// The kernel parameters for a unary layer, with the reference's attribute
// defaults. Throws Error (through the NodeContext) on a bad attribute.
kc::UnaryParams unaryParams(const Layer& l, int64_t opset) {
  const std::string key = opKey(l);
  kc::UnaryParams p;
  bool found = false;
  for (const auto& u : kUnaryOps) {
    if (key == u.key) {
      p.op = u.op;
      found = true;
    }
  }
  const ops::NodeContext ctx(l, opset);
  if (!found) ctx.fail("not a unary op the CUDA kernels know");
  switch (p.op) {
    case kc::UnaryOp::kLeakyRelu: p.alpha = ctx.attrFloat("alpha", 0.01f); break;
    case kc::UnaryOp::kHardSigmoid:
      p.alpha = ctx.attrFloat("alpha", 0.2f);
      p.beta = ctx.attrFloat("beta", 0.5f);
      break;
    case kc::UnaryOp::kElu:
    case kc::UnaryOp::kCelu:
    case kc::UnaryOp::kThresholdedRelu: p.alpha = ctx.attrFloat("alpha", 1.0f); break;
    case kc::UnaryOp::kSelu:
      p.alpha = ctx.attrFloat("alpha", 1.67326319217681884765625f);
      p.gamma = ctx.attrFloat("gamma", 1.05070102214813232421875f);
      break;
    case kc::UnaryOp::kGelu: {
      const std::string approx = ctx.attrString("approximate", "none");
      if (approx != "none" && approx != "tanh") ctx.fail("unknown approximate mode '" + approx + "'");
      if (approx == "tanh") p.op = kc::UnaryOp::kGeluTanh;
      break;
    }
    case kc::UnaryOp::kIsInf:
      p.detectNegative = ctx.attrInt("detect_negative", 1) != 0;
      p.detectPositive = ctx.attrInt("detect_positive", 1) != 0;
      break;
    default: break;
  }
  return p;
}

class UnaryTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.elementwise.unary"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.size() != 1 || info.outputs.empty()) return "expects one input";
    const auto type = elemTypeOf(info.inputs[0].type);
    if (!type) return typeReason("the input", info.inputs[0].type);
    kc::UnaryParams p;
    try {
      p = unaryParams(*info.layer, info.opset);
    } catch (const Error& e) {
      return e.what();
    }
    if (const char* why = kc::unarySupport(p.op, *type); *why) return why;
    if (numelOf(info.inputs[0].shape) != numelOf(info.outputs[0].shape)) return "the output's size differs from the input's";
    return {};
  }

  void enqueue(const Launch& launch) const override {
    const kc::UnaryParams p = unaryParams(*launch.layer, launch.opset);
    const DeviceTensor& x = launch.inputs.at(0);
    KILN_CUDA_CHECK(kc::launchUnary(p, *elemTypeOf(x.type), x.data, launch.outputs.at(0).data,
                                    outputCount(launch.outputs), launch.stream));
  }
};

// ---- binary -------------------------------------------------------------------------

const std::map<std::string, kc::BinaryOp>& binaryOps() {
  static const std::map<std::string, kc::BinaryOp> ops = {
      {"Add", kc::BinaryOp::kAdd},
      {"Sub", kc::BinaryOp::kSub},
      {"Mul", kc::BinaryOp::kMul},
      {"Div", kc::BinaryOp::kDiv},
      {"Pow", kc::BinaryOp::kPow},
      {"Mod", kc::BinaryOp::kMod},
      {"PRelu", kc::BinaryOp::kPRelu},
      {"Equal", kc::BinaryOp::kEqual},
      {"Less", kc::BinaryOp::kLess},
      {"Greater", kc::BinaryOp::kGreater},
      {"LessOrEqual", kc::BinaryOp::kLessOrEqual},
      {"GreaterOrEqual", kc::BinaryOp::kGreaterOrEqual},
      {"And", kc::BinaryOp::kAnd},
      {"Or", kc::BinaryOp::kOr},
      {"Xor", kc::BinaryOp::kXor},
  };
  return ops;
}

kc::BinaryOp binaryOp(const Layer& l, int64_t opset) {
  kc::BinaryOp op = binaryOps().at(opKey(l));
  if (op == kc::BinaryOp::kMod && ops::NodeContext(l, opset).attrInt("fmod", 0) != 0) op = kc::BinaryOp::kFmod;
  return op;
}

class BinaryTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.elementwise.binary"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.size() != 2 || info.outputs.empty()) return "expects two inputs";
    if (!binaryOps().count(opKey(*info.layer))) return "not a binary op the CUDA kernels know";
    const auto a = elemTypeOf(info.inputs[0].type);
    const auto b = elemTypeOf(info.inputs[1].type);
    if (!a) return typeReason("input 0", info.inputs[0].type);
    if (!b) return typeReason("input 1", info.inputs[1].type);
    const kc::BinaryOp op = binaryOp(*info.layer, info.opset);
    if (op == kc::BinaryOp::kMod && isFloat(info.inputs[0].type)) return "fmod must be 1 for float inputs";
    if (const char* why = kc::binarySupport(op, *a, *b); *why) return why;
    const auto& out = info.outputs[0].shape;
    if (op == kc::BinaryOp::kPRelu && out != info.inputs[0].shape) return "the slope must broadcast onto X";
    return broadcastReason(out, {info.inputs[0].shape, info.inputs[1].shape});
  }

  void enqueue(const Launch& launch) const override {
    const DeviceTensor& y = launch.outputs.at(0);
    const std::vector<const DeviceTensor*> inputs = {&launch.inputs.at(0), &launch.inputs.at(1)};
    const auto ops = broadcastOperands(y.shape, inputs);
    KILN_CUDA_CHECK(kc::launchBinary(binaryOp(*launch.layer, launch.opset), ops[0], ops[1], y.data,
                                     numelOf(y.shape), launch.stream));
  }
};

// ---- variadic -----------------------------------------------------------------------

std::optional<kc::VariadicOp> variadicOp(const Layer& l) {
  if (l.op == "Sum") return kc::VariadicOp::kSum;
  if (l.op == "Mean") return kc::VariadicOp::kMean;
  if (l.op == "Max") return kc::VariadicOp::kMax;
  if (l.op == "Min") return kc::VariadicOp::kMin;
  return std::nullopt;
}

class VariadicTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.elementwise.variadic"; }

  std::string supports(const CudaLayerInfo& info) const override {
    const auto op = variadicOp(*info.layer);
    if (!op || info.outputs.empty()) return "not a variadic op the CUDA kernels know";
    if (info.inputs.empty() || info.inputs.size() > size_t(kc::kMaxVariadicInputs)) {
      return "the kernel takes 1 to " + std::to_string(kc::kMaxVariadicInputs) + " inputs";
    }
    std::vector<std::vector<int64_t>> shapes;
    for (const DeviceTensor& t : info.inputs) {
      if (t.type != info.inputs[0].type) return "the inputs have different types";
      shapes.push_back(t.shape);
    }
    const auto type = elemTypeOf(info.inputs[0].type);
    if (!type) return typeReason("the input", info.inputs[0].type);
    if (const char* why = kc::variadicSupport(*op, *type); *why) return why;
    return broadcastReason(info.outputs[0].shape, shapes);
  }

  void enqueue(const Launch& launch) const override {
    const DeviceTensor& y = launch.outputs.at(0);
    std::vector<const DeviceTensor*> inputs;
    for (const DeviceTensor& t : launch.inputs) inputs.push_back(&t);
    const auto ops = broadcastOperands(y.shape, inputs);
    KILN_CUDA_CHECK(kc::launchVariadic(*variadicOp(*launch.layer), ops[0].type, ops.data(), int(ops.size()), y.data,
                                       numelOf(y.shape), launch.stream));
  }
};

// ---- Where --------------------------------------------------------------------------

// Where copies bits: any type of 1, 2, 4 or 8 bytes travels as an ElemType of that size.
std::optional<kc::ElemType> bitsType(DataType t) {
  switch (elementSize(t)) {
    case 1: return kc::ElemType::kU8;
    case 2: return kc::ElemType::kF16;
    case 4: return kc::ElemType::kI32;
    case 8: return kc::ElemType::kI64;
    default: return std::nullopt;
  }
}

class WhereTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.elementwise.where"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.size() != 3 || info.outputs.empty()) return "expects three inputs";
    if (info.inputs[0].type != DataType::kBool) return "the condition must be bool";
    if (info.inputs[1].type != info.inputs[2].type) return "X and Y have different types";
    if (!bitsType(info.inputs[1].type)) return typeReason("X", info.inputs[1].type);
    return broadcastReason(info.outputs[0].shape,
                           {info.inputs[0].shape, info.inputs[1].shape, info.inputs[2].shape});
  }

  void enqueue(const Launch& launch) const override {
    const DeviceTensor& y = launch.outputs.at(0);
    const auto ops = broadcastOperands(y.shape, std::vector<std::vector<int64_t>>{launch.inputs.at(0).shape,
                                                                                  launch.inputs.at(1).shape,
                                                                                  launch.inputs.at(2).shape});
    kc::Operand c = ops[0], a = ops[1], b = ops[2];
    c.data = launch.inputs[0].data;
    c.type = kc::ElemType::kBool;
    a.data = launch.inputs[1].data;
    b.data = launch.inputs[2].data;
    a.type = b.type = *bitsType(y.type);
    KILN_CUDA_CHECK(kc::launchWhere(c, a, b, int(elementSize(y.type)), y.data, numelOf(y.shape), launch.stream));
  }
};

// ---- Clip ---------------------------------------------------------------------------

template <class T>
std::pair<int64_t, int64_t> rangeOf() {
  return {int64_t(std::numeric_limits<T>::lowest()), int64_t(std::numeric_limits<T>::max())};
}

// Clip's bounds as the reference reads them: attributes before opset 11,
// optional scalar inputs (their host values) from 11.
kc::ClipBounds clipBounds(const Layer& l, int64_t opset, const std::vector<DeviceTensor>& inputs) {
  const ops::NodeContext ctx(l, opset);
  const DataType t = inputs.at(0).type;
  kc::ClipBounds b{-kInf, kInf, 0, 0};
  switch (t) {
    case DataType::kInt8: std::tie(b.ilo, b.ihi) = rangeOf<int8_t>(); break;
    case DataType::kUInt8: std::tie(b.ilo, b.ihi) = rangeOf<uint8_t>(); break;
    case DataType::kInt32: std::tie(b.ilo, b.ihi) = rangeOf<int32_t>(); break;
    default: std::tie(b.ilo, b.ihi) = rangeOf<int64_t>(); break;
  }
  if (opset < 11) {
    if (ctx.hasAttr("min")) b.lo = ctx.attrFloat("min", 0.f);
    if (ctx.hasAttr("max")) b.hi = ctx.attrFloat("max", 0.f);
    b.ilo = int64_t(b.lo == -kInf ? double(b.ilo) : double(b.lo));
    b.ihi = int64_t(b.hi == kInf ? double(b.ihi) : double(b.hi));
    return b;
  }
  for (size_t i = 1; i <= 2; ++i) {
    if (!hasInput(l, i)) continue;
    const HostTensor* v = i < inputs.size() ? inputs[i].host : nullptr;
    if (!v || v->numel() < 1) ctx.fail(std::string(i == 1 ? "min" : "max") + " is not known on the host");
    if (isInteger(t)) (i == 1 ? b.ilo : b.ihi) = v->getAsInt64(0);
    else (i == 1 ? b.lo : b.hi) = float(v->getAsDouble(0));
  }
  return b;
}

class ClipTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.elementwise.clip"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.empty() || info.outputs.empty()) return "expects an input";
    const auto type = elemTypeOf(info.inputs[0].type);
    if (!type) return typeReason("the input", info.inputs[0].type);
    if (const char* why = kc::clipSupport(*type); *why) return why;
    if (info.opset < 11 && isInteger(info.inputs[0].type)) return "integer Clip needs opset 11";
    try {
      clipBounds(*info.layer, info.opset, info.inputs);
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  }

  void enqueue(const Launch& launch) const override {
    const kc::ClipBounds b = clipBounds(*launch.layer, launch.opset, launch.inputs);
    const DeviceTensor& x = launch.inputs.at(0);
    KILN_CUDA_CHECK(kc::launchClip(b, *elemTypeOf(x.type), x.data, launch.outputs.at(0).data,
                                   outputCount(launch.outputs), launch.stream));
  }
};

// ---- Cast ---------------------------------------------------------------------------

class CastTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.cast"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.size() != 1 || info.outputs.empty()) return "expects one input";
    if (!elemTypeOf(info.inputs[0].type)) return typeReason("the input", info.inputs[0].type);
    if (!elemTypeOf(info.outputs[0].type)) return typeReason("the output", info.outputs[0].type);
    return {};
  }

  void enqueue(const Launch& launch) const override {
    const DeviceTensor& x = launch.inputs.at(0);
    const DeviceTensor& y = launch.outputs.at(0);
    KILN_CUDA_CHECK(kc::launchCast(*elemTypeOf(x.type), *elemTypeOf(y.type), x.data, y.data, numelOf(y.shape),
                                   launch.stream));
  }
};

// ---- QuantizeLinear and DequantizeLinear ----------------------------------------------

// The scale's and zero point's shape as seen from x: all 1s but the axis for a
// per-axis scale, rank 0 for a per-tensor one. Throws Error (through the
// context) for blocked scales or shapes the reference refuses.
std::vector<int64_t> scaleView(const Layer& l, int64_t opset, const std::vector<int64_t>& x,
                               const std::vector<int64_t>& scale) {
  const ops::NodeContext ctx(l, opset);
  if (opset >= 21 && ctx.attrInt("block_size", 0) != 0) ctx.fail("blocked quantization runs on the host");
  if (numelOf(scale) == 1 && scale.size() <= 1) return {};
  if (opset < 13) ctx.fail("the scale must be a scalar before opset 13");
  const int64_t rank = int64_t(x.size());
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) ctx.fail("axis " + std::to_string(ctx.attrInt("axis", 1)) + " is out of range");
  if (scale.size() != 1 || scale[0] != x[size_t(axis)]) {
    ctx.fail("per-axis scale " + shapeString(scale) + " does not match axis " + std::to_string(axis) + " of " +
             shapeString(x));
  }
  std::vector<int64_t> view(x.size(), 1);
  view[size_t(axis)] = scale[0];
  return view;
}

// Operands x, scale and zero point (null data when absent) for a (de)quantize launch.
std::vector<kc::Operand> quantOperands(const Layer& l, int64_t opset, const std::vector<DeviceTensor>& inputs) {
  const DeviceTensor& x = inputs.at(0);
  const DeviceTensor& scale = inputs.at(1);
  const std::vector<int64_t> view = scaleView(l, opset, x.shape, scale.shape);
  const bool hasZero = hasInput(l, 2) && inputs.size() > 2;
  if (hasZero && numelOf(inputs[2].shape) != numelOf(scale.shape)) {
    ops::NodeContext(l, opset).fail("the zero point and the scale differ in shape");
  }
  auto ops = broadcastOperands(x.shape, std::vector<std::vector<int64_t>>{x.shape, view, view});
  ops[0].data = x.data;
  ops[0].type = *elemTypeOf(x.type);
  ops[1].data = scale.data;
  ops[1].type = *elemTypeOf(scale.type);
  if (hasZero) {
    ops[2].data = inputs[2].data;
    ops[2].type = *elemTypeOf(inputs[2].type);
  } else {
    ops[2] = kc::Operand{};
  }
  return ops;
}

template <bool kQuantize>
class QuantTactic final : public CudaTactic {
 public:
  std::string name() const override { return kQuantize ? "cuda.quantize" : "cuda.dequantize"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.size() < 2 || info.outputs.empty()) return "expects x and a scale";
    for (size_t i = 0; i < info.inputs.size(); ++i) {
      if (hasInput(*info.layer, i) && !elemTypeOf(info.inputs[i].type)) return typeReason("an input", info.inputs[i].type);
    }
    const auto y = elemTypeOf(info.outputs[0].type);
    if (!y) return typeReason("the output", info.outputs[0].type);
    const auto x = *elemTypeOf(info.inputs[0].type);
    const auto s = *elemTypeOf(info.inputs[1].type);
    const char* why = kQuantize ? kc::quantizeSupport(x, s, *y) : kc::dequantizeSupport(x, s);
    if (*why) return why;
    if (!kQuantize && info.outputs[0].type != info.inputs[1].type) return "the output's type is not the scale's";
    if (hasInput(*info.layer, 2) && info.inputs.size() > 2) {
      const DataType want = kQuantize ? info.outputs[0].type : info.inputs[0].type;
      if (info.inputs[2].type != want) return "the zero point's type differs";
    }
    try {
      quantOperands(*info.layer, info.opset, info.inputs);
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  }

  void enqueue(const Launch& launch) const override {
    const auto ops = quantOperands(*launch.layer, launch.opset, launch.inputs);
    const DeviceTensor& y = launch.outputs.at(0);
    if constexpr (kQuantize) {
      KILN_CUDA_CHECK(kc::launchQuantize(ops[0], ops[1], ops[2], *elemTypeOf(y.type), y.data, numelOf(y.shape),
                                         launch.stream));
    } else {
      KILN_CUDA_CHECK(kc::launchDequantize(ops[0], ops[1], ops[2], y.data, numelOf(y.shape), launch.stream));
    }
  }
};

// ---- Identity and Dropout -------------------------------------------------------------

// Dropout runs as in inference; training mode is refused unless its ratio is
// 0, as the reference does. Both values must be known on the host.
std::string dropoutReason(const Layer& l, int64_t opset, const std::vector<DeviceTensor>& inputs,
                          const std::vector<DeviceTensor>& outputs) {
  if (l.op != "Dropout") return {};
  if (opset >= 12 && hasInput(l, 2)) {
    const HostTensor* training = inputs.size() > 2 ? inputs[2].host : nullptr;
    if (!training) return "training_mode is not known on the host";
    if (training->numel() > 0 && training->getAsDouble(0) != 0) {
      const HostTensor* ratio = hasInput(l, 1) && inputs.size() > 1 ? inputs[1].host : nullptr;
      if (hasInput(l, 1) && !ratio) return "ratio is not known on the host";
      if (!ratio || ratio->numel() < 1 || ratio->getAsDouble(0) != 0) return "training mode with a ratio above 0";
    }
  }
  if (hasOutput(l, 1) && outputs.size() > 1 && outputs[1].type != DataType::kBool) return "the mask is not bool";
  return {};
}

class CopyTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.copy"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.empty() || info.outputs.empty()) return "expects an input";
    if (info.inputs[0].type != info.outputs[0].type) return "the output's type differs from the input's";
    if (numelOf(info.inputs[0].shape) != numelOf(info.outputs[0].shape)) return "the output's size differs";
    return dropoutReason(*info.layer, info.opset, info.inputs, info.outputs);
  }

  void enqueue(const Launch& launch) const override {
    if (const std::string why = dropoutReason(*launch.layer, launch.opset, launch.inputs, launch.outputs);
        !why.empty()) {
      throw Error(ErrorCode::kUnsupportedOp, why,
                  ErrorLocation{{}, launch.layer->name, launch.layer->op, launch.opset});
    }
    const DeviceTensor& x = launch.inputs.at(0);
    const DeviceTensor& y = launch.outputs.at(0);
    const size_t bytes = size_t(numelOf(y.shape)) * elementSize(y.type);
    if (bytes > 0 && x.data != y.data) {
      KILN_CUDA_CHECK(cudaMemcpyAsync(y.data, x.data, bytes, cudaMemcpyDeviceToDevice, launch.stream));
    }
    if (hasOutput(*launch.layer, 1) && launch.outputs.size() > 1 && launch.outputs[1].data) {
      const DeviceTensor& mask = launch.outputs[1];
      const size_t n = size_t(numelOf(mask.shape));
      if (n > 0) KILN_CUDA_CHECK(cudaMemsetAsync(mask.data, 1, n, launch.stream));  // bool true is one byte 1
    }
  }
};

}  // namespace

// Defined in pointwise_tactic.cpp.
void registerPointwiseTactic(CudaTacticRegistry& r);

void registerElementwiseTactics(CudaTacticRegistry& r) {
  std::vector<std::string> unary;
  for (const auto& u : kUnaryOps) unary.push_back(u.key);
  r.add(unary, std::make_unique<UnaryTactic>());
  std::vector<std::string> binary;
  for (const auto& [key, op] : binaryOps()) binary.push_back(key);
  r.add(binary, std::make_unique<BinaryTactic>());
  r.add({"Sum", "Mean", "Max", "Min"}, std::make_unique<VariadicTactic>());
  r.add({"Where"}, std::make_unique<WhereTactic>());
  r.add({"Clip"}, std::make_unique<ClipTactic>());
  r.add({"Cast"}, std::make_unique<CastTactic>());
  r.add({"QuantizeLinear"}, std::make_unique<QuantTactic<true>>());
  r.add({"DequantizeLinear"}, std::make_unique<QuantTactic<false>>());
  r.add({"Identity", "Dropout"}, std::make_unique<CopyTactic>());
  registerPointwiseTactic(r);
}

}  // namespace kiln::backend::cuda
