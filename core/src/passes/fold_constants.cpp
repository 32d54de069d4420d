#include "passes/fold_constants.h"

#include <optional>
#include <unordered_set>

#include "ops/evaluate.h"
#include "passes/rewrite.h"

namespace kiln::passes {

namespace {

// Quantize and dequantize layers stay: an INT8 or FP8 build needs to see
// where the model quantizes its weights.
bool keepsQuantization(const Layer& layer) {
  return layer.domain.empty() && (layer.op == "QuantizeLinear" || layer.op == "DequantizeLinear" ||
                                  layer.op == "DynamicQuantizeLinear");
}

// The values to evaluate `layer` on: the constants, and for an op that reads
// only shapes (Shape, Size) a zero tensor of its input's static shape. Empty
// when some input is neither; `scratch` owns the zero tensors.
std::optional<std::vector<const HostTensor*>> knownInputs(const Network& network, const Layer& layer,
                                                          const ops::OpSchema& schema, int64_t maxElements,
                                                          std::vector<HostTensor>& scratch) {
  std::vector<const HostTensor*> args;
  scratch.reserve(layer.inputs.size());
  for (const auto& in : layer.inputs) {
    if (in.empty()) {
      args.push_back(nullptr);
    } else if (const HostTensor* c = constantOf(network, in)) {
      args.push_back(c);
    } else {
      const Tensor& t = network.tensor(in);
      if (!schema.readsShapesOnly || !t.dims.allKnown() || t.dims.numel() > maxElements) return std::nullopt;
      scratch.emplace_back(t.type, *t.dims.sizes());
      args.push_back(&scratch.back());
    }
  }
  return args;
}

// True when every output's static size is known and within the limit, and none is a graph output.
bool smallOutputs(const Network& network, const Layer& layer, const std::unordered_set<std::string>& graphOutputs,
                  int64_t maxElements) {
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
    std::vector<HostTensor> scratch;
    std::optional<std::vector<const HostTensor*>> args;
    if (schema && schema->foldable && !keepsQuantization(layer) &&
        smallOutputs(network, layer, graphOutputs, maxElements_)) {
      args = knownInputs(network, layer, *schema, maxElements_, scratch);
    }
    std::vector<HostTensor> results;
    try {
      if (args) results = ops::evaluateLayer(*schema, layer, network.opsetOf(layer.domain, 1), *args);
    } catch (const Error&) {
      args.reset();  // a layer that cannot be evaluated stays, so the build reports it where it runs
    }
    if (!args) {
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
