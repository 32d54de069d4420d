#include "passes/recognise_softmax.h"

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// The one axis a keepdims reduction reduces, or nullopt.
std::optional<int64_t> singleAxis(const Network& net, const Layer& l) {
  if (attrInt(l, "keepdims", 1) == 0) return std::nullopt;
  auto axes = reduceAxes(net, l);
  if (!axes || axes->size() != 1) return std::nullopt;
  return (*axes)[0];
}

// Exp(x - ReduceMax(x)) / ReduceSum(Exp(...)), anchored at the Div.
std::optional<PassChange> recogniseDecomposed(Network& net, const GraphView& view, size_t i) {
  const Layer& div = net.layers()[i];
  if (!isOp(div, "Div")) return std::nullopt;
  const Layer* exp = view.producerOp(div.inputs[0], "Exp");
  const Layer* sum = view.producerOp(div.inputs[1], "ReduceSum");
  if (!exp || !sum || sum->inputs[0] != div.inputs[0]) return std::nullopt;
  auto axis = singleAxis(net, *sum);
  if (!axis) return std::nullopt;
  std::vector<size_t> group = {size_t(view.producer(exp->outputs[0])), size_t(view.producer(sum->outputs[0])), i};
  std::string x = exp->inputs[0];
  if (const Layer* sub = view.producerOp(x, "Sub")) {
    const Layer* max = view.producerOp(sub->inputs[1], "ReduceMax");
    if (max && max->inputs[0] == sub->inputs[0] && singleAxis(net, *max) == axis) {
      group.push_back(size_t(view.producer(x)));
      group.push_back(size_t(view.producer(sub->inputs[1])));
      x = sub->inputs[0];
    }
  }
  const std::string& y = div.outputs[0];
  if (!sameDims(net, y, x) || !isClosedGroup(view, {group.begin(), group.end()}, y)) return std::nullopt;
  const int64_t rank = int64_t(net.tensor(x).dims.rank());
  Layer s = kilnLayer(net, group, "Softmax", {x}, y, {{"axis", Attribute::ofInt(*axis - rank)}});
  return replaceLayers(net, group, std::move(s), "recognised");
}

// ONNX Softmax: from opset 13 any axis; before, only over the last axis, where
// its flattening to 2-D changes nothing.
std::optional<PassChange> replaceOnnx(Network& net, size_t i) {
  const Layer& l = net.layers()[i];
  if (!isOp(l, "Softmax")) return std::nullopt;
  int64_t axis = attrInt(l, "axis", -1);
  if (net.opsetOf(l.domain, 1) < 13) {
    const Dims& d = net.tensor(l.inputs[0]).dims;
    axis = attrInt(l, "axis", 1);
    if (!d.rankKnown || (axis != -1 && axis != int64_t(d.rank()) - 1)) return std::nullopt;
    axis = -1;
  }
  Layer s = kilnLayer(net, {i}, "Softmax", l.inputs, l.outputs[0], {{"axis", Attribute::ofInt(axis)}});
  return replaceLayers(net, {i}, std::move(s), "replaced");
}

}  // namespace

std::vector<PassChange> RecogniseSoftmax::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    if (auto c = replaceOnnx(net, i)) return c;
    return recogniseDecomposed(net, view, i);
  });
}

}  // namespace kiln::passes
