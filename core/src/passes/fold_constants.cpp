#include "passes/fold_constants.h"

#include <unordered_set>

#include "ops/evaluate.h"
#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// True when every input is omitted or a constant, and every output's static
// size is known and within the limit.
bool foldable(const Network& network, const Layer& layer, const std::unordered_set<std::string>& graphOutputs,
              int64_t maxElements) {
  for (const auto& in : layer.inputs) {
    if (!in.empty() && !constantOf(network, in)) return false;
  }
  for (const auto& out : layer.outputs) {
    if (out.empty()) continue;
    if (graphOutputs.count(out)) return false;
    const int64_t n = network.tensor(out).dims.numel();
    if (n < 0 || n > maxElements) return false;
  }
  return true;
}

}  // namespace

std::vector<PassChange> FoldConstants::run(Network& network) {
  const auto& registry = ops::OpRegistry::instance();
  const std::unordered_set<std::string> graphOutputs(network.outputs().begin(), network.outputs().end());
  std::vector<PassChange> changes;
  std::vector<Layer> kept;
  for (Layer& layer : network.layers()) {
    const ops::OpSchema* schema = registry.find(layer.op, layer.domain);
    if (!schema || !schema->foldable || !foldable(network, layer, graphOutputs, maxElements_)) {
      kept.push_back(std::move(layer));
      continue;
    }
    std::vector<const HostTensor*> args;
    for (const auto& in : layer.inputs) args.push_back(in.empty() ? nullptr : constantOf(network, in));
    std::vector<HostTensor> results;
    try {
      results = ops::evaluateLayer(*schema, layer, network.opsetOf(layer.domain, 1), args);
    } catch (const Error&) {
      // A layer that cannot be evaluated stays, so the build reports it where it runs.
      kept.push_back(std::move(layer));
      continue;
    }
    std::string names;
    for (size_t i = 0; i < results.size(); ++i) {
      if (layer.outputs[i].empty()) continue;
      Tensor t = network.tensor(layer.outputs[i]);
      t.type = results[i].type();
      t.dims = Dims::of(results[i].shape());
      t.data = std::make_shared<const HostTensor>(std::move(results[i]));
      network.putTensor(std::move(t));
      names += (names.empty() ? "'" : ", '") + layer.outputs[i] + "'";
    }
    changes.push_back({"folded " + opName(layer) + " '" + layer.name + "' into constant " + names, {layer.name}, ""});
  }
  network.layers() = std::move(kept);
  return changes;
}

}  // namespace kiln::passes
