#include "passes/recognise_attention.h"

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

int64_t rankOf(const Network& net, const std::string& t) {
  const Dims& d = net.tensor(t).dims;
  return d.rankKnown ? int64_t(d.rank()) : -1;
}

// True for a softmax over the last axis (ONNX or kiln).
bool isLastAxisSoftmax(const Network& net, const Layer& l) {
  const int64_t rank = rankOf(net, l.inputs[0]);
  if (rank < 1) return false;
  if (isOp(l, "kiln:Softmax")) {
    const int64_t axis = attrInt(l, "axis", -1);
    return axis == -1 || axis == rank - 1;
  }
  if (!isOp(l, "Softmax")) return false;
  const int64_t axis = attrInt(l, "axis", net.opsetOf(l.domain, 1) < 13 ? 1 : -1);
  return axis == -1 || axis == rank - 1;
}

// True when a Transpose swaps only the last two dims.
bool swapsLastTwo(const Network& net, const Layer& t) {
  auto perm = transposePerm(net, t);
  if (!perm || perm->size() < 2) return false;
  const size_t r = perm->size();
  for (size_t i = 0; i + 2 < r; ++i) {
    if ((*perm)[i] != int64_t(i)) return false;
  }
  return (*perm)[r - 2] == int64_t(r - 1) && (*perm)[r - 1] == int64_t(r - 2);
}

struct Match {
  std::vector<size_t> group;
  std::string q, k, v, mask;
  double scale = 1.0;
  bool kTransposed = true;
};

// From the scores tensor back: [Add mask] <- [Mul/Div scale] <- MatMul(Q, K^T).
bool matchScores(const Network& net, const GraphView& view, std::string t, Match& m) {
  const int p = view.producer(t);
  if (p >= 0 && isOp(net.layers()[size_t(p)], "Add")) {
    const Layer& add = net.layers()[size_t(p)];
    for (size_t side = 0; side < 2 && m.mask.empty(); ++side) {
      const int s = view.producer(add.inputs[side]);
      if (s < 0) continue;
      const Layer& src = net.layers()[size_t(s)];
      if ((isOp(src, "Mul") || isOp(src, "Div") || isOp(src, "MatMul")) && sameDims(net, add.inputs[side], t)) {
        m.mask = add.inputs[1 - side];
        m.group.push_back(size_t(p));
        t = add.inputs[side];
      }
    }
    if (m.mask.empty()) return false;
  }
  int s = view.producer(t);
  if (s < 0) return false;
  const Layer& scale = net.layers()[size_t(s)];
  if (isOp(scale, "Mul") || isOp(scale, "Div")) {
    const size_t first = isOp(scale, "Div") ? 1 : 0;
    bool found = false;
    for (size_t side = first; side < 2 && !found; ++side) {
      auto c = scalarOf(net, scale.inputs[side]);
      if (!c || *c == 0 || !sameDims(net, scale.inputs[1 - side], t)) continue;
      m.scale = isOp(scale, "Div") ? 1.0 / *c : *c;
      m.group.push_back(size_t(s));
      t = scale.inputs[1 - side];
      found = true;
    }
    if (!found) return false;
    s = view.producer(t);
    if (s < 0) return false;
  }
  const Layer& qk = net.layers()[size_t(s)];
  if (!isOp(qk, "MatMul") || rankOf(net, qk.inputs[0]) < 2 || rankOf(net, qk.inputs[1]) < 2) return false;
  m.group.push_back(size_t(s));
  m.q = qk.inputs[0];
  m.k = qk.inputs[1];
  const int tr = view.producer(m.k);
  if (tr >= 0 && isOp(net.layers()[size_t(tr)], "Transpose") && swapsLastTwo(net, net.layers()[size_t(tr)]) &&
      view.soleConsumer(m.k) == s) {
    m.group.push_back(size_t(tr));
    m.k = net.layers()[size_t(tr)].inputs[0];
    m.kTransposed = false;
  }
  return true;
}

}  // namespace

std::vector<PassChange> RecogniseAttention::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& pv = net.layers()[i];
    if (!isOp(pv, "MatMul") || rankOf(net, pv.inputs[1]) < 2) return std::nullopt;
    const int sm = view.producer(pv.inputs[0]);
    if (sm < 0 || !isLastAxisSoftmax(net, net.layers()[size_t(sm)])) return std::nullopt;
    Match m;
    m.group = {i, size_t(sm)};
    m.v = pv.inputs[1];
    if (!matchScores(net, view, net.layers()[size_t(sm)].inputs[0], m)) return std::nullopt;
    const std::string& y = pv.outputs[0];
    if (!isClosedGroup(view, {m.group.begin(), m.group.end()}, y)) return std::nullopt;
    std::vector<std::string> inputs = {m.q, m.k, m.v};
    if (!m.mask.empty()) inputs.push_back(m.mask);
    Layer a = kilnLayer(net, m.group, "Attention", inputs, y,
                        {{"scale", Attribute::ofFloat(float(m.scale))},
                         {"k_transposed", Attribute::ofInt(m.kTransposed ? 1 : 0)}});
    return replaceLayers(net, m.group, std::move(a), "recognised");
  });
}

}  // namespace kiln::passes
