#include "passes/recognise_hardswish.h"

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

struct Match {
  std::vector<size_t> group;
  std::string x, output;
};

// Clip to [0, 6], with its bounds as inputs (opset 11+) or attributes.
bool isClip06(const Network& net, const Layer& clip) {
  if (!isOp(clip, "Clip")) return false;
  if (net.opsetOf(clip.domain, 1) < 11) {
    return nearly(attrFloat(clip, "min", -1.f), 0.0) && nearly(attrFloat(clip, "max", -1.f), 6.0);
  }
  return clip.inputs.size() == 3 && isConstantValue(net, clip.inputs[1], 0.0) && isConstantValue(net, clip.inputs[2], 6.0);
}

// The consumer of `t` when it divides by 6 or multiplies by 1/6; -1 otherwise.
int sixthOf(const Network& net, const GraphView& view, const std::string& t) {
  const int c = view.soleConsumer(t);
  if (c < 0) return -1;
  const Layer& l = net.layers()[size_t(c)];
  if (isOp(l, "Div") && l.inputs[0] == t && isConstantValue(net, l.inputs[1], 6.0)) return c;
  if (isOp(l, "Mul")) {
    auto o = otherOperand(l, t);
    if (o && isConstantValue(net, *o, 1.0 / 6.0)) return c;
  }
  return -1;
}

// The consumer of `t` when it multiplies by x; -1 otherwise.
int timesX(const Network& net, const GraphView& view, const std::string& t, const std::string& x) {
  const int c = view.soleConsumer(t);
  if (c < 0 || !isOp(net.layers()[size_t(c)], "Mul")) return -1;
  auto o = otherOperand(net.layers()[size_t(c)], t);
  return o && *o == x ? c : -1;
}

// x * Clip(x + 3, 0, 6) / 6, anchored at the Clip.
std::optional<Match> matchClip(const Network& net, const GraphView& view, size_t i) {
  const Layer& clip = net.layers()[i];
  if (!isClip06(net, clip)) return std::nullopt;
  const Layer* add = view.producerOp(clip.inputs[0], "Add");
  if (!add) return std::nullopt;
  Match m;
  for (size_t side = 0; side < 2; ++side) {
    if (isConstantValue(net, add->inputs[side], 3.0)) m.x = add->inputs[1 - side];
  }
  if (m.x.empty()) return std::nullopt;
  const std::string& c = clip.outputs[0];
  int first = timesX(net, view, c, m.x), second = -1;
  if (first >= 0) {
    second = sixthOf(net, view, net.layers()[size_t(first)].outputs[0]);
  } else if ((first = sixthOf(net, view, c)) >= 0) {
    second = timesX(net, view, net.layers()[size_t(first)].outputs[0], m.x);
  }
  if (second < 0) return std::nullopt;
  m.group = {size_t(view.producer(clip.inputs[0])), i, size_t(first), size_t(second)};
  m.output = net.layers()[size_t(second)].outputs[0];
  return m;
}

// x * HardSigmoid(x) with alpha 1/6 and beta 1/2.
std::optional<Match> matchHardSigmoid(const Network& net, const GraphView& view, size_t i) {
  const Layer& hs = net.layers()[i];
  if (!isOp(hs, "HardSigmoid") || !nearly(attrFloat(hs, "alpha", 0.2f), 1.0 / 6.0) ||
      !nearly(attrFloat(hs, "beta", 0.5f), 0.5)) {
    return std::nullopt;
  }
  const int mul = timesX(net, view, hs.outputs[0], hs.inputs[0]);
  if (mul < 0) return std::nullopt;
  return Match{{i, size_t(mul)}, hs.inputs[0], net.layers()[size_t(mul)].outputs[0]};
}

}  // namespace

std::vector<PassChange> RecogniseHardSwish::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& l = net.layers()[i];
    if (isOp(l, "HardSwish")) {
      return replaceLayers(net, {i}, kilnLayer(net, {i}, "HardSwish", l.inputs, l.outputs[0]), "replaced");
    }
    auto m = isOp(l, "Clip") ? matchClip(net, view, i) : matchHardSigmoid(net, view, i);
    if (!m || !sameDims(net, m->output, m->x)) return std::nullopt;
    if (!isClosedGroup(view, {m->group.begin(), m->group.end()}, m->output)) return std::nullopt;
    return replaceLayers(net, m->group, kilnLayer(net, m->group, "HardSwish", {m->x}, m->output), "recognised");
  });
}

}  // namespace kiln::passes
