#include "passes/attention_layouts.h"

#include "ops/fused.h"
#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

const std::vector<int64_t> kToKt = {0, 2, 3, 1};  // [B, L, H, D] -> [B, H, D, L]

bool hasPerm(const Network& net, const Layer& l, const std::vector<int64_t>& perm) {
  if (!isOp(l, "Transpose")) return false;
  const auto p = transposePerm(net, l);
  return p && *p == perm;
}

std::optional<PassChange> fold(Network& net, const GraphView& view, size_t i) {
  const Layer& a = net.layers()[i];
  if (!isOp(a, "kiln:Attention") || a.inputs.size() < 3) return std::nullopt;
  std::vector<std::string> inputs = a.inputs;
  Attributes attrs = a.attrs;
  std::string output = a.outputs[0];
  std::vector<size_t> group = {i};
  for (size_t k = 0; k < 3; ++k) {
    const std::string& t = a.inputs[k];
    const char* attr = ops::kAttentionBshdAttrs[k];
    if (attrInt(a, attr, 0) != 0 || view.soleConsumer(t) != int(i)) continue;  // soleConsumer: read once
    const int p = view.producer(t);
    if (p < 0) continue;
    const Layer& tr = net.layers()[size_t(p)];
    const bool kt = k == 1 && attrInt(a, "k_transposed", 0) != 0;
    if (!hasPerm(net, tr, kt ? kToKt : ops::kAttentionSwapHeads)) continue;
    if (kt) attrs["k_transposed"] = Attribute::ofInt(0);
    inputs[k] = tr.inputs[0];
    attrs[attr] = Attribute::ofInt(1);
    group.push_back(size_t(p));
  }
  if (attrInt(a, "y_bshd", 0) == 0) {
    const int c = view.soleConsumer(output);
    if (c >= 0 && hasPerm(net, net.layers()[size_t(c)], ops::kAttentionSwapHeads)) {
      output = net.layers()[size_t(c)].outputs[0];
      attrs["y_bshd"] = Attribute::ofInt(1);
      group.push_back(size_t(c));
    }
  }
  if (group.size() == 1) return std::nullopt;
  Layer folded = kilnLayer(net, group, "Attention", inputs, output, std::move(attrs));
  return replaceLayers(net, group, std::move(folded), "folded");
}

}  // namespace

std::vector<PassChange> AttentionLayouts::run(Network& network) { return rewriteUntilStable(network, fold); }

}  // namespace kiln::passes
