#include "passes/recognise_gelu.h"

#include <cmath>
#include <numbers>

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

struct Match {
  std::vector<size_t> group;
  std::string x, output;
};

// The consumer of `t` when it is a binary `op` whose other operand is a constant
// nearly `value`; -1 otherwise.
int constantStep(const Network& net, const GraphView& view, const std::string& t, const char* op, double value) {
  const int c = view.soleConsumer(t);
  if (c < 0 || !isOp(net.layers()[size_t(c)], op)) return -1;
  auto other = otherOperand(net.layers()[size_t(c)], t);
  return other && isConstantValue(net, *other, value) ? c : -1;
}

// From `a` = 1 + f(x): the product with x and 0.5 in any of its groupings.
bool matchHalfProduct(const Network& net, const GraphView& view, const std::string& a, Match& m) {
  const int m1 = view.soleConsumer(a);
  if (m1 < 0 || !isOp(net.layers()[size_t(m1)], "Mul")) return false;
  const Layer& first = net.layers()[size_t(m1)];
  auto o = otherOperand(first, a);
  if (!o) return false;
  if (*o == m.x || isConstantValue(net, *o, 0.5)) {
    // (x * a) * 0.5 or (0.5 * a) * x
    const int m2 = view.soleConsumer(first.outputs[0]);
    if (m2 < 0 || !isOp(net.layers()[size_t(m2)], "Mul")) return false;
    auto o2 = otherOperand(net.layers()[size_t(m2)], first.outputs[0]);
    const bool ok = o2 && (*o == m.x ? isConstantValue(net, *o2, 0.5) : *o2 == m.x);
    if (!ok) return false;
    m.group.insert(m.group.end(), {size_t(m1), size_t(m2)});
    m.output = net.layers()[size_t(m2)].outputs[0];
    return true;
  }
  // (x * 0.5) * a
  const Layer* half = view.producerOp(*o, "Mul");
  if (!half || otherOperand(*half, m.x) == std::nullopt || !isConstantValue(net, *otherOperand(*half, m.x), 0.5)) {
    return false;
  }
  m.group.insert(m.group.end(), {size_t(view.producer(*o)), size_t(m1)});
  m.output = first.outputs[0];
  return true;
}

// Erf(x / sqrt 2) (or Erf(x * 1/sqrt 2)) + 1, then the product with x / 2.
std::optional<Match> matchErf(const Network& net, const GraphView& view, size_t i) {
  const Layer& erf = net.layers()[i];
  if (!isOp(erf, "Erf")) return std::nullopt;
  const int u = view.producer(erf.inputs[0]);
  if (u < 0) return std::nullopt;
  const Layer& scale = net.layers()[size_t(u)];
  Match m;
  if (isOp(scale, "Div") && isConstantValue(net, scale.inputs[1], std::numbers::sqrt2)) {
    m.x = scale.inputs[0];
  } else if (isOp(scale, "Mul")) {
    for (size_t side = 0; side < 2 && m.x.empty(); ++side) {
      if (isConstantValue(net, scale.inputs[side], 1.0 / std::numbers::sqrt2)) m.x = scale.inputs[1 - side];
    }
  }
  if (m.x.empty()) return std::nullopt;
  const int add = constantStep(net, view, erf.outputs[0], "Add", 1.0);
  if (add < 0) return std::nullopt;
  m.group = {size_t(u), i, size_t(add)};
  if (!matchHalfProduct(net, view, net.layers()[size_t(add)].outputs[0], m)) return std::nullopt;
  return m;
}

// x^3 as Pow(x, 3), Mul(x, Mul(x, x)) or Mul(Mul(x, x), x): the layers, or empty.
std::vector<size_t> matchCube(const Network& net, const GraphView& view, const std::string& t, const std::string& x) {
  const int p = view.producer(t);
  if (p < 0) return {};
  const Layer& l = net.layers()[size_t(p)];
  if (isOp(l, "Pow") && l.inputs[0] == x && isConstantValue(net, l.inputs[1], 3.0)) return {size_t(p)};
  if (!isOp(l, "Mul")) return {};
  auto sq = otherOperand(l, x);
  if (!sq) return {};
  const Layer* square = view.producerOp(*sq, "Mul");
  if (!square || square->inputs[0] != x || square->inputs[1] != x) return {};
  return {size_t(view.producer(*sq)), size_t(p)};
}

// Tanh(sqrt(2/pi) * (x + 0.044715 x^3)) + 1, then the product with x / 2.
std::optional<Match> matchTanh(const Network& net, const GraphView& view, size_t i) {
  const Layer& tanh = net.layers()[i];
  if (!isOp(tanh, "Tanh")) return std::nullopt;
  const Layer* k = view.producerOp(tanh.inputs[0], "Mul");
  if (!k) return std::nullopt;
  const double c = std::sqrt(2.0 / std::numbers::pi);
  std::string inner;
  for (size_t side = 0; side < 2; ++side) {
    if (isConstantValue(net, k->inputs[side], c)) inner = k->inputs[1 - side];
  }
  const Layer* sum = inner.empty() ? nullptr : view.producerOp(inner, "Add");
  if (!sum) return std::nullopt;
  for (size_t side = 0; side < 2; ++side) {
    Match m;
    m.x = sum->inputs[side];
    const Layer* scaled = view.producerOp(sum->inputs[1 - side], "Mul");
    if (!scaled) continue;
    for (size_t s2 = 0; s2 < 2; ++s2) {
      if (!isConstantValue(net, scaled->inputs[s2], 0.044715)) continue;
      const auto cube = matchCube(net, view, scaled->inputs[1 - s2], m.x);
      if (cube.empty()) continue;
      const int add = constantStep(net, view, tanh.outputs[0], "Add", 1.0);
      if (add < 0) return std::nullopt;
      m.group = cube;
      m.group.insert(m.group.end(), {size_t(view.producer(sum->inputs[1 - side])), size_t(view.producer(inner)),
                                     size_t(view.producer(tanh.inputs[0])), i, size_t(add)});
      if (!matchHalfProduct(net, view, net.layers()[size_t(add)].outputs[0], m)) return std::nullopt;
      return m;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<PassChange> RecogniseGelu::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& l = net.layers()[i];
    if (isOp(l, "Gelu")) {
      Layer g = kilnLayer(net, {i}, "Gelu", l.inputs, l.outputs[0],
                          {{"approximate", Attribute::ofString(attrString(l, "approximate", "none"))}});
      return replaceLayers(net, {i}, std::move(g), "replaced");
    }
    const bool erfForm = isOp(l, "Erf");
    auto m = erfForm ? matchErf(net, view, i) : matchTanh(net, view, i);
    if (!m || !sameDims(net, m->output, m->x)) return std::nullopt;
    if (!isClosedGroup(view, {m->group.begin(), m->group.end()}, m->output)) return std::nullopt;
    Layer g = kilnLayer(net, m->group, "Gelu", {m->x}, m->output,
                        {{"approximate", Attribute::ofString(erfForm ? "none" : "tanh")}});
    return replaceLayers(net, m->group, std::move(g), "recognised");
  });
}

}  // namespace kiln::passes
