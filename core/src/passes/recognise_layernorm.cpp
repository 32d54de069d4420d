#include "passes/recognise_layernorm.h"

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// The number of trailing axes a ReduceMean with keepdims averages over, or 0
// when it is not such a reduction.
int64_t trailingMean(const Network& network, const Layer& l) {
  if (!isOp(l, "ReduceMean") || attrInt(l, "keepdims", 1) == 0) return 0;
  auto axes = reduceAxes(network, l);
  if (!axes || axes->empty()) return 0;
  const int64_t rank = int64_t(network.tensor(l.inputs[0]).dims.rank());
  for (size_t i = 0; i < axes->size(); ++i) {
    if ((*axes)[i] != rank - int64_t(axes->size()) + int64_t(i)) return 0;
  }
  return int64_t(axes->size());
}

// True when `param` has x's type and a static shape that broadcasts onto the
// last `k` dims of x without reaching the leading ones.
bool fitsNormalizedDims(const Network& network, const std::string& param, const std::string& x, int64_t k) {
  const Tensor& p = network.tensor(param);
  const Tensor& t = network.tensor(x);
  if (p.type != t.type || !p.dims.allKnown()) return false;
  auto shape = *p.dims.sizes();
  while (!shape.empty() && shape.front() == 1) shape.erase(shape.begin());
  if (int64_t(shape.size()) > k) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const Dim& d = t.dims[t.dims.rank() - shape.size() + i];
    if (shape[i] != 1 && (!d.known() || d.value != shape[i])) return false;
  }
  return true;
}

struct Match {
  std::vector<size_t> group;
  std::string x, scale, bias, output;
  int64_t axes = 0;
  double epsilon = 0;
};

// Div(x - mean(x), sqrt(mean((x - mean(x))^2) + eps)) ending at layer `div`.
std::optional<Match> matchCore(const Network& net, const GraphView& view, size_t div) {
  const Layer& d = net.layers()[div];
  if (!isOp(d, "Div") || d.inputs.size() != 2) return std::nullopt;
  const Layer* sqrt = view.producerOp(d.inputs[1], "Sqrt");
  const Layer* sub = view.producerOp(d.inputs[0], "Sub");
  if (!sqrt || !sub) return std::nullopt;
  const Layer* add = view.producerOp(sqrt->inputs[0], "Add");
  if (!add) return std::nullopt;
  const Layer* var = nullptr;
  std::optional<double> eps;
  for (size_t side = 0; side < 2 && !var; ++side) {
    var = view.producerOp(add->inputs[side], "ReduceMean");
    eps = scalarOf(net, add->inputs[1 - side]);
    if (!eps) var = nullptr;
  }
  if (!var) return std::nullopt;
  const std::string& diff = sub->outputs[0];
  const int sq = view.producer(var->inputs[0]);
  if (sq < 0) return std::nullopt;
  const Layer& square = net.layers()[size_t(sq)];
  const bool isSquare = (isOp(square, "Pow") && square.inputs[0] == diff && isConstantValue(net, square.inputs[1], 2.0)) ||
                        (isOp(square, "Mul") && square.inputs[0] == diff && square.inputs[1] == diff);
  if (!isSquare) return std::nullopt;
  const Layer* mean = view.producerOp(sub->inputs[1], "ReduceMean");
  if (!mean || mean->inputs[0] != sub->inputs[0]) return std::nullopt;
  const int64_t k = trailingMean(net, *mean);
  if (k == 0 || trailingMean(net, *var) != k) return std::nullopt;
  Match m;
  m.x = sub->inputs[0];
  m.axes = k;
  m.epsilon = *eps;
  m.output = d.outputs[0];
  m.group = {div, size_t(view.producer(sqrt->outputs[0])), size_t(view.producer(add->outputs[0])),
             size_t(view.producer(var->outputs[0])), size_t(sq), size_t(view.producer(diff)),
             size_t(view.producer(mean->outputs[0]))};
  return m;
}

// Extends the match by a following Mul by `param` (or Add of it).
bool absorbParam(const Network& net, const GraphView& view, Match& m, const char* op, std::string* param) {
  const int c = view.soleConsumer(m.output);
  if (c < 0 || !isOp(net.layers()[size_t(c)], op)) return false;
  const Layer& l = net.layers()[size_t(c)];
  auto other = otherOperand(l, m.output);
  if (!other || *other == m.output || !fitsNormalizedDims(net, *other, m.x, m.axes)) return false;
  if (!sameDims(net, l.outputs[0], m.x)) return false;
  *param = *other;
  m.group.push_back(size_t(c));
  m.output = l.outputs[0];
  return true;
}

std::optional<PassChange> recogniseDecomposed(Network& net, const GraphView& view, size_t i) {
  auto m = matchCore(net, view, i);
  if (!m || !sameDims(net, m->output, m->x)) return std::nullopt;
  if (!isClosedGroup(view, {m->group.begin(), m->group.end()}, m->output)) return std::nullopt;
  absorbParam(net, view, *m, "Mul", &m->scale);
  absorbParam(net, view, *m, "Add", &m->bias);
  std::vector<std::string> inputs = {m->x, m->scale, m->bias};
  while (inputs.back().empty()) inputs.pop_back();
  Layer ln = kilnLayer(net, m->group, "LayerNorm", inputs, m->output,
                       {{"axis", Attribute::ofInt(-m->axes)}, {"epsilon", Attribute::ofFloat(float(m->epsilon))}});
  return replaceLayers(net, m->group, std::move(ln), "recognised");
}

std::optional<PassChange> replaceOnnx(Network& net, const GraphView& view, size_t i) {
  const Layer& l = net.layers()[i];
  if (!isOp(l, "LayerNormalization")) return std::nullopt;
  for (size_t o = 1; o < l.outputs.size(); ++o) {
    if (!l.outputs[o].empty() && (!view.consumers(l.outputs[o]).empty() || view.isOutput(l.outputs[o]))) {
      return std::nullopt;
    }
  }
  Layer ln = kilnLayer(net, {i}, "LayerNorm", l.inputs, l.outputs[0],
                       {{"axis", Attribute::ofInt(attrInt(l, "axis", -1))},
                        {"epsilon", Attribute::ofFloat(attrFloat(l, "epsilon", 1e-5f))}});
  return replaceLayers(net, {i}, std::move(ln), "replaced");
}

}  // namespace

std::vector<PassChange> RecogniseLayerNorm::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    if (auto c = replaceOnnx(net, view, i)) return c;
    return recogniseDecomposed(net, view, i);
  });
}

}  // namespace kiln::passes
