#include "passes/fuse_conv_act.h"

#include <limits>

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

struct Activation {
  std::string name;
  float alpha = 0;
  float beta = 0;
};

Activation act(std::string name, float alpha = 0, float beta = 0) {
  Activation a;
  a.name = std::move(name);
  a.alpha = alpha;
  a.beta = beta;
  return a;
}

// A Clip bound: its constant input or attribute, or `fallback` when absent.
std::optional<float> clipBound(const Network& net, const Layer& clip, size_t input, const char* attr, float fallback) {
  if (net.opsetOf(clip.domain, 1) < 11) return attrFloat(clip, attr, fallback);
  if (clip.inputs.size() <= input || clip.inputs[input].empty()) return fallback;
  auto v = scalarOf(net, clip.inputs[input]);
  if (!v) return std::nullopt;
  return float(*v);
}

// The activation that layer `l` applies to its input 0, or nullopt.
std::optional<Activation> activationOf(const Network& net, const Layer& l) {
  if (isOp(l, "Relu") || isOp(l, "Sigmoid") || isOp(l, "Tanh")) return act(l.op);
  if (isOp(l, "LeakyRelu")) return act("LeakyRelu", attrFloat(l, "alpha", 0.01f));
  if (isOp(l, "HardSwish") || isOp(l, "kiln:HardSwish")) return act("HardSwish");
  if (isOp(l, "Gelu") || isOp(l, "kiln:Gelu")) {
    return act(attrString(l, "approximate", "none") == "tanh" ? "GeluTanh" : "Gelu");
  }
  if (isOp(l, "Clip")) {
    auto lo = clipBound(net, l, 1, "min", -std::numeric_limits<float>::infinity());
    auto hi = clipBound(net, l, 2, "max", std::numeric_limits<float>::infinity());
    if (lo && hi) return act("Clip", *lo, *hi);
  }
  return std::nullopt;
}

// A fusion being built: the layers taken so far and the tensor they produce.
struct Fusion {
  std::vector<size_t> group;
  std::string output;
  std::string bias;      // C of GemmAct, B of ConvAct
  std::string residual;  // Z of ConvAct and of GemmAct in matmul mode
  Activation act;
};

// The sole consumer of the fusion's output when it is an Add; its other operand in `other`.
int nextAdd(const Network& net, const GraphView& view, const Fusion& f, std::string* other) {
  const int c = view.soleConsumer(f.output);
  if (c < 0 || !isOp(net.layers()[size_t(c)], "Add")) return -1;
  auto o = otherOperand(net.layers()[size_t(c)], f.output);
  if (!o || *o == f.output || !sameDims(net, net.layers()[size_t(c)].outputs[0], f.output)) return -1;
  *other = *o;
  return c;
}

void take(const Network& net, Fusion& f, int layer) {
  f.group.push_back(size_t(layer));
  f.output = net.layers()[size_t(layer)].outputs[0];
}

void takeActivation(const Network& net, const GraphView& view, Fusion& f) {
  const int c = view.soleConsumer(f.output);
  if (c < 0) return;
  auto a = activationOf(net, net.layers()[size_t(c)]);
  if (!a || net.layers()[size_t(c)].inputs[0] != f.output) return;
  f.act = *a;
  take(net, f, c);
}

// A constant of the conv output's channel count laid out per channel
// ([C], [C,1,..,1] or [1,C,1,..,1]): its values as a 1-D tensor, or nullopt.
std::optional<HostTensor> perChannel(const Network& net, const std::string& t, int64_t channels, size_t outRank) {
  const HostTensor* c = constantOf(net, t);
  if (!c || c->numel() != channels) return std::nullopt;
  auto shape = c->shape();
  while (!shape.empty() && shape.front() == 1 && int64_t(shape.size()) > int64_t(outRank) - 1) shape.erase(shape.begin());
  if (shape.size() != outRank - 1 || shape[0] != channels) return std::nullopt;
  HostTensor v = *c;
  v.reshape({channels});
  return v;
}

bool isFloatTensor(const Network& net, const std::string& t) {
  const DataType d = net.tensor(t).type;
  return d == DataType::kFloat32 || d == DataType::kFloat64 || d == DataType::kFloat16 || d == DataType::kBFloat16;
}

std::optional<PassChange> fuseConv(Network& net, const GraphView& view, size_t i) {
  const Layer& conv = net.layers()[i];
  const Dims& dims = net.tensor(conv.outputs[0]).dims;
  if (!dims.rankKnown || dims.rank() < 3 || !dims[1].known()) return std::nullopt;
  Fusion f;
  f.group = {i};
  f.output = conv.outputs[0];
  f.bias = conv.inputs.size() > 2 ? conv.inputs[2] : "";
  std::string other;
  int add = nextAdd(net, view, f, &other);
  std::optional<HostTensor> bias;
  if (add >= 0 && f.bias.empty() && (bias = perChannel(net, other, dims[1].value, dims.rank()))) {
    take(net, f, add);
    add = nextAdd(net, view, f, &other);
  }
  if (add >= 0 && sameDims(net, other, f.output)) {
    f.residual = other;
    take(net, f, add);
  }
  takeActivation(net, view, f);
  if (f.group.size() < 2) return std::nullopt;
  if (bias) {
    f.bias = freshTensorName(net, conv.name + "_bias");
    net.addConstant(f.bias, std::move(*bias));
  }
  Attributes attrs = conv.attrs;
  attrs["activation"] = Attribute::ofString(f.act.name);
  attrs["act_alpha"] = Attribute::ofFloat(f.act.alpha);
  attrs["act_beta"] = Attribute::ofFloat(f.act.beta);
  std::vector<std::string> inputs = {conv.inputs[0], conv.inputs[1], f.bias, f.residual};
  while (inputs.back().empty()) inputs.pop_back();
  Layer fused = kilnLayer(net, f.group, "ConvAct", inputs, f.output, std::move(attrs));
  return replaceLayers(net, f.group, std::move(fused), "fused");
}

std::optional<PassChange> fuseGemm(Network& net, const GraphView& view, size_t i) {
  const Layer& g = net.layers()[i];
  const bool matmul = isOp(g, "MatMul");
  const Dims& dims = net.tensor(g.outputs[0]).dims;
  if (!dims.rankKnown || dims.rank() < 1 || (matmul && net.tensor(g.inputs[1]).dims.rank() < 2)) return std::nullopt;
  Fusion f;
  f.group = {i};
  f.output = g.outputs[0];
  f.bias = !matmul && g.inputs.size() > 2 ? g.inputs[2] : "";
  std::string other;
  const int add = f.bias.empty() ? nextAdd(net, view, f, &other) : -1;
  if (add >= 0) {
    const HostTensor* c = constantOf(net, other);
    const Dim& n = dims[dims.rank() - 1];
    // MatMul takes a 1-D bias of the output's columns; Gemm any constant that broadcasts onto Y.
    const bool fits = matmul ? c && c->rank() == 1 && n.known() && c->numel() == n.value
                             : c && net.tensor(other).dims.rank() <= 2;
    if (fits) {
      f.bias = other;
      take(net, f, add);
    }
  }
  if (matmul) {  // a residual Add of the output's shape: cuBLASLt adds it as C
    std::string z;
    const int residual = nextAdd(net, view, f, &z);
    if (residual >= 0 && sameDims(net, z, f.output) && z != f.bias) {
      f.residual = z;
      take(net, f, residual);
    }
  }
  takeActivation(net, view, f);
  if (f.group.size() < 2) return std::nullopt;
  Attributes attrs;
  if (matmul) {
    attrs["matmul"] = Attribute::ofInt(1);
  } else {
    attrs = g.attrs;
    attrs["matmul"] = Attribute::ofInt(0);
    if (add >= 0 && f.bias == other) attrs["beta"] = Attribute::ofFloat(1.f);
  }
  attrs["activation"] = Attribute::ofString(f.act.name);
  attrs["act_alpha"] = Attribute::ofFloat(f.act.alpha);
  attrs["act_beta"] = Attribute::ofFloat(f.act.beta);
  std::vector<std::string> inputs = {g.inputs[0], g.inputs[1], f.bias, f.residual};
  while (inputs.back().empty()) inputs.pop_back();
  Layer fused = kilnLayer(net, f.group, "GemmAct", inputs, f.output, std::move(attrs));
  return replaceLayers(net, f.group, std::move(fused), "fused");
}

}  // namespace

std::vector<PassChange> FuseConvAct::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& l = net.layers()[i];
    const bool conv = isOp(l, "Conv"), gemm = isOp(l, "Gemm") || isOp(l, "MatMul");
    if ((!conv && !gemm) || !isFloatTensor(net, l.outputs[0])) return std::nullopt;
    return conv ? fuseConv(net, view, i) : fuseGemm(net, view, i);
  });
}

}  // namespace kiln::passes
