#include "passes/eliminate_dead_layers.h"

#include <algorithm>
#include <unordered_set>

#include "passes/rewrite.h"

namespace kiln::passes {

std::vector<PassChange> EliminateDeadLayers::run(Network& network) {
  std::unordered_set<std::string> needed(network.outputs().begin(), network.outputs().end());
  auto& layers = network.layers();
  std::vector<bool> live(layers.size(), false);
  for (size_t i = layers.size(); i-- > 0;) {
    const Layer& l = layers[i];
    live[i] = std::any_of(l.outputs.begin(), l.outputs.end(), [&](const std::string& o) { return needed.count(o) > 0; });
    if (!live[i]) continue;
    for (const auto& in : l.inputs) {
      if (!in.empty()) needed.insert(in);
    }
  }
  std::vector<PassChange> changes;
  std::vector<Layer> kept;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (live[i]) {
      kept.push_back(std::move(layers[i]));
      continue;
    }
    changes.push_back({"removed " + opName(layers[i]) + " '" + layers[i].name + "', whose outputs nothing reads",
                       {layers[i].name}, ""});
  }
  layers = std::move(kept);
  return changes;
}

}  // namespace kiln::passes
