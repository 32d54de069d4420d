#include "build/host_values.h"

#include "ops/evaluate.h"
#include "ops/op.h"

namespace kiln::build {

HostEvaluation evaluateOnHost(const Network& network, int64_t maxElements) {
  const auto& registry = ops::OpRegistry::instance();
  HostEvaluation result;
  const auto& layers = network.layers();
  for (size_t li = 0; li < layers.size(); ++li) {
    const Layer& l = layers[li];
    const auto* schema = registry.find(l.op, l.domain);
    if (!schema || !schema->foldable) continue;
    bool small = true;
    for (const auto& o : l.outputs) {
      if (o.empty()) continue;
      const Tensor& t = network.tensor(o);
      const int64_t n = t.dims.numel();
      small = small && n >= 0 && n <= maxElements && !isFloat(t.type);
    }
    if (!small) continue;
    std::vector<HostTensor> placeholders(l.inputs.size());
    std::vector<const HostTensor*> args(l.inputs.size(), nullptr);
    bool known = true;
    for (size_t i = 0; i < l.inputs.size() && known; ++i) {
      const std::string& in = l.inputs[i];
      if (in.empty()) continue;
      const Tensor& t = network.tensor(in);
      if (t.data) {
        args[i] = t.data.get();
      } else if (auto it = result.values.find(in); it != result.values.end()) {
        args[i] = &it->second;
      } else if (schema->readsShapesOnly && t.dims.allKnown()) {
        placeholders[i] = HostTensor::placeholder(t.type, *t.dims.sizes());
        args[i] = &placeholders[i];
      } else {
        known = false;
      }
    }
    if (!known) continue;
    auto outs = ops::evaluateLayer(*schema, l, network.opsetOf(l.domain, 1), args);
    for (size_t i = 0; i < outs.size(); ++i) {
      if (!l.outputs[i].empty()) result.values[l.outputs[i]] = std::move(outs[i]);
    }
    result.layers.insert(li);
  }
  return result;
}

}  // namespace kiln::build
