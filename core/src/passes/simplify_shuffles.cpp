#include "passes/simplify_shuffles.h"

#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

bool isShapeOnly(const Layer& l) {
  return isOp(l, "Reshape") || isOp(l, "Squeeze") || isOp(l, "Unsqueeze") || isOp(l, "Flatten");
}

// After `merged` replaced a group, removes it too when it turned out to be the
// identity; the change then says the group cancelled out.
PassChange dropIfIdentity(Network& net, PassChange change, const std::string& described, const std::string& in,
                          const std::string& out) {
  GraphView view(net);
  const int at = view.producer(out);
  if (at >= 0 && bypassLayer(net, view, size_t(at), in, out)) {
    change.description = "removed " + described + ", which cancel out";
    change.result.clear();
  }
  return change;
}

// Transpose(Transpose(x, p1), p2) = Transpose(x, c) with c[i] = p1[p2[i]].
std::optional<PassChange> composeTransposes(Network& net, const GraphView& view, size_t i) {
  const Layer& t2 = net.layers()[i];
  if (!isOp(t2, "Transpose")) return std::nullopt;
  const int p = view.producer(t2.inputs[0]);
  if (p < 0 || !isOp(net.layers()[size_t(p)], "Transpose") || view.soleConsumer(t2.inputs[0]) != int(i)) {
    return std::nullopt;
  }
  const Layer& t1 = net.layers()[size_t(p)];
  auto p1 = transposePerm(net, t1), p2 = transposePerm(net, t2);
  if (!p1 || !p2 || p1->size() != p2->size()) return std::nullopt;
  std::vector<int64_t> c;
  bool identity = true;
  for (size_t k = 0; k < p2->size(); ++k) {
    c.push_back((*p1)[size_t((*p2)[k])]);
    identity = identity && c.back() == int64_t(k);
  }
  Layer merged = t2;
  merged.name = t1.name;
  merged.inputs = {t1.inputs[0]};
  merged.attrs["perm"] = Attribute::ofInts(c);
  merged.origin = unionOrigins(net, {size_t(p), i});
  const std::string in = t1.inputs[0], out = t2.outputs[0];
  const std::string described = describeLayers(net, {size_t(p), i});
  PassChange change = replaceLayers(net, {size_t(p), i}, std::move(merged), "merged");
  return identity ? dropIfIdentity(net, std::move(change), described, in, out) : change;
}

// A chain of two or more shape-only layers with a static result: one Reshape.
std::optional<PassChange> mergeShapeChain(Network& net, const GraphView& view, size_t i) {
  const Layer& head = net.layers()[i];
  if (!isShapeOnly(head) || net.opsetOf("", 1) < 5) return std::nullopt;
  const int before = view.producer(head.inputs[0]);
  if (before >= 0 && isShapeOnly(net.layers()[size_t(before)]) && view.soleConsumer(head.inputs[0]) == int(i)) {
    return std::nullopt;  // not the head of its chain
  }
  std::vector<size_t> chain = {i};
  for (int c; (c = view.soleConsumer(net.layers()[chain.back()].outputs[0])) >= 0;) {
    const Layer& next = net.layers()[size_t(c)];
    if (!isShapeOnly(next) || next.inputs[0] != net.layers()[chain.back()].outputs[0]) break;
    chain.push_back(size_t(c));
  }
  if (chain.size() < 2) return std::nullopt;
  const std::string x = head.inputs[0];
  const std::string y = net.layers()[chain.back()].outputs[0];
  auto sizes = net.tensor(y).dims.sizes();
  if (!sizes) return std::nullopt;
  for (int64_t s : *sizes) {
    if (s == 0) return std::nullopt;  // a 0 in a Reshape shape would copy the input dim
  }
  const std::string shape = freshTensorName(net, y + "_shape");
  net.addConstant(shape, HostTensor::fromInt64s(*sizes));
  Layer reshape;
  reshape.name = head.name;
  reshape.op = "Reshape";
  reshape.inputs = {x, shape};
  reshape.outputs = {y};
  reshape.origin = unionOrigins(net, chain);
  const bool identity = net.tensor(x).dims.allKnown() && sameDims(net, x, y);
  const std::string described = describeLayers(net, chain);
  PassChange change = replaceLayers(net, chain, std::move(reshape), "merged");
  return identity ? dropIfIdentity(net, std::move(change), described, x, y) : change;
}

}  // namespace

std::vector<PassChange> SimplifyShuffles::run(Network& network) {
  return rewriteUntilStable(network, [](Network& net, const GraphView& view, size_t i) -> std::optional<PassChange> {
    if (auto c = composeTransposes(net, view, i)) return c;
    return mergeShapeChain(net, view, i);
  });
}

}  // namespace kiln::passes
