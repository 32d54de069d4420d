#include "passes/remove_noops.h"

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// True when `c` is a constant that broadcasts onto `x` without changing its shape.
bool keepsShape(const Network& network, const std::string& x, const std::string& c, const std::string& out) {
  const HostTensor* v = constantOf(network, c);
  const Tensor& tx = network.tensor(x);
  if (!v || !tx.dims.rankKnown || network.tensor(out).type != tx.type) return false;
  if (v->numel() == 1 && v->rank() <= tx.dims.rank()) return true;
  return tx.dims.allKnown() && sameDims(network, x, out);
}

// A binary layer that is the identity when its constant operand is `neutral`:
// the other operand, or nullopt. `commutes`: the constant may be on either side.
std::optional<std::string> neutralBinary(const Network& network, const Layer& l, double neutral, bool commutes) {
  if (l.inputs.size() != 2) return std::nullopt;
  for (size_t c = commutes ? 0 : 1; c < 2; ++c) {
    const std::string& x = l.inputs[1 - c];
    if (isConstantValue(network, l.inputs[c], neutral, 0.0) && keepsShape(network, x, l.inputs[c], l.outputs[0])) {
      return x;
    }
  }
  return std::nullopt;
}

bool unread(const GraphView& view, const Layer& l, size_t from) {
  for (size_t i = from; i < l.outputs.size(); ++i) {
    const std::string& o = l.outputs[i];
    if (!o.empty() && (!view.consumers(o).empty() || view.isOutput(o))) return false;
  }
  return true;
}

// The tensor a no-op layer passes through, or nullopt when `l` is not one.
std::optional<std::string> passedThrough(const Network& network, const GraphView& view, const Layer& l) {
  if (!l.domain.empty() || l.inputs.empty() || l.outputs.empty() || l.inputs[0].empty()) return std::nullopt;
  const std::string& x = l.inputs[0];
  const std::string& y = l.outputs[0];
  if (l.op == "Identity") return x;
  if (l.op == "Dropout") {
    // Without a training-mode input (or with it constant false) Dropout is the identity.
    const bool training = l.inputs.size() > 2 && !l.inputs[2].empty() && !isConstantValue(network, l.inputs[2], 0.0, 0.0);
    if (training || !unread(view, l, 1)) return std::nullopt;
    return x;
  }
  if (l.op == "Add") return neutralBinary(network, l, 0.0, true);
  if (l.op == "Sub") return neutralBinary(network, l, 0.0, false);
  if (l.op == "Mul") return neutralBinary(network, l, 1.0, true);
  if (l.op == "Div") return neutralBinary(network, l, 1.0, false);
  if (l.op == "Cast") {
    if (network.tensor(x).type == network.tensor(y).type) return x;
    return std::nullopt;
  }
  if (l.op == "Reshape") {
    if (network.tensor(x).dims.allKnown() && sameDims(network, x, y)) return x;
    return std::nullopt;
  }
  if (l.op == "Transpose") {
    auto perm = transposePerm(network, l);
    if (!perm) return std::nullopt;
    for (size_t i = 0; i < perm->size(); ++i) {
      if ((*perm)[i] != int64_t(i)) return std::nullopt;
    }
    return x;
  }
  return std::nullopt;
}

}  // namespace

std::vector<PassChange> RemoveNoops::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    const Layer& l = net.layers()[i];
    auto x = passedThrough(net, view, l);
    if (!x) return std::nullopt;
    PassChange change{"removed " + opName(l) + " '" + l.name + "', which passes '" + *x + "' through", {l.name}, ""};
    if (!bypassLayer(net, view, i, *x, l.outputs[0])) return std::nullopt;
    return change;
  });
}

}  // namespace kiln::passes
