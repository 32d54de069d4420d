#include "passes/fuse_pointwise.h"

#include <algorithm>
#include <limits>

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// One layer as a step of kiln:Pointwise (see ops/fused.h for the grammar).
struct StepOf {
  std::string op;       // the step's operator name
  std::string operand;  // binary: the other operand; empty for unary
  bool left = false;    // binary: the other operand is on the left
  float alpha = 0;
  float beta = 0;
};

StepOf unaryStep(std::string op, float alpha = 0, float beta = 0) {
  StepOf s;
  s.op = std::move(op);
  s.alpha = alpha;
  s.beta = beta;
  return s;
}

StepOf binaryStep(std::string op, std::string operand, bool left) {
  StepOf s;
  s.op = std::move(op);
  s.operand = std::move(operand);
  s.left = left;
  return s;
}

constexpr const char* kUnary[] = {"Relu", "Sigmoid", "Tanh", "HardSwish", "Softplus", "Exp", "Log",
                                  "Sqrt", "Abs", "Neg", "Erf", "Reciprocal", "Floor", "Ceil"};
constexpr const char* kBinary[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu"};

bool commutes(const std::string& op) { return op == "Add" || op == "Mul" || op == "Max" || op == "Min"; }

// `l` as a step applied to the running value `acc`, or nullopt when it is not elementwise on it.
std::optional<StepOf> stepOf(const Network& net, const Layer& l, const std::string& acc) {
  const DataType type = net.tensor(acc).type;
  for (const auto& in : l.inputs) {
    if (in.empty() || net.tensor(in).type != type) return std::nullopt;
  }
  if (l.outputs.size() != 1 || net.tensor(l.outputs[0]).type != type) return std::nullopt;
  const std::string op = opName(l);
  if (l.inputs.size() == 1 && l.inputs[0] == acc) {
    if (std::find(std::begin(kUnary), std::end(kUnary), op) != std::end(kUnary)) return unaryStep(op);
    if (op == "kiln:HardSwish") return unaryStep("HardSwish");
    if (op == "Gelu" || op == "kiln:Gelu") return unaryStep(attrString(l, "approximate", "none") == "tanh" ? "GeluTanh" : "Gelu");
    if (op == "LeakyRelu") return unaryStep(op, attrFloat(l, "alpha", 0.01f));
    if (op == "Elu") return unaryStep(op, attrFloat(l, "alpha", 1.f));
    if (op == "HardSigmoid") return unaryStep(op, attrFloat(l, "alpha", 0.2f), attrFloat(l, "beta", 0.5f));
  }
  if (op == "Clip" && l.inputs[0] == acc) {
    const float inf = std::numeric_limits<float>::infinity();
    if (net.opsetOf(l.domain, 1) < 11) return unaryStep(op, attrFloat(l, "min", -inf), attrFloat(l, "max", inf));
    StepOf s = unaryStep(op, -inf, inf);
    for (size_t i = 1; i < l.inputs.size(); ++i) {
      auto v = scalarOf(net, l.inputs[i]);
      if (!v) return std::nullopt;
      (i == 1 ? s.alpha : s.beta) = float(*v);
    }
    return s;
  }
  if (l.inputs.size() == 2 && std::find(std::begin(kBinary), std::end(kBinary), op) != std::end(kBinary)) {
    if (l.inputs[0] == l.inputs[1]) return std::nullopt;  // acc op acc has no step
    if (l.inputs[0] == acc) return binaryStep(op, l.inputs[1], false);
    if (l.inputs[1] == acc && op != "PRelu") return binaryStep(op, l.inputs[0], !commutes(op));
  }
  return std::nullopt;
}

}  // namespace

std::vector<PassChange> FusePointwise::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& head = net.layers()[i];
    if (head.inputs.empty() || head.inputs[0].empty()) return std::nullopt;
    std::vector<std::string> inputs = {head.inputs[0]};
    std::vector<std::string> steps;
    std::vector<float> alphas, betas;
    std::vector<size_t> chain;
    std::string acc = head.inputs[0];
    for (int at = int(i); at >= 0; at = view.soleConsumer(acc)) {
      const Layer& l = net.layers()[size_t(at)];
      auto s = stepOf(net, l, acc);
      if (!s) break;
      std::string text = s->op;
      if (!s->operand.empty()) {
        auto pos = std::find(inputs.begin(), inputs.end(), s->operand);
        if (pos == inputs.end()) pos = inputs.insert(inputs.end(), s->operand);
        text += " " + std::to_string(pos - inputs.begin()) + (s->left ? " left" : "");
      }
      steps.push_back(text);
      alphas.push_back(s->alpha);
      betas.push_back(s->beta);
      chain.push_back(size_t(at));
      acc = l.outputs[0];
    }
    if (chain.size() < 2) return std::nullopt;
    Layer fused = kilnLayer(net, chain, "Pointwise", inputs, acc,
                            {{"steps", Attribute::ofStrings(steps)},
                             {"step_alpha", Attribute::ofFloats(alphas)},
                             {"step_beta", Attribute::ofFloats(betas)}});
    return replaceLayers(net, chain, std::move(fused), "fused");
  });
}

}  // namespace kiln::passes
