// Static inference over a whole network, and the supported-op queries.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "ops/evaluate.h"
#include "ops/op.h"

namespace kiln {

using ops::OpRegistry;
using ops::ValueInfo;

bool isSupportedOp(const std::string& op, const std::string& domain) {
  return OpRegistry::instance().find(op, domain) != nullptr;
}

std::vector<std::string> unsupportedOps(const Network& network) {
  std::set<std::string> missing;
  for (const auto& l : network.layers()) {
    if (!isSupportedOp(l.op, l.domain)) {
      missing.insert(l.domain.empty() || l.domain == "ai.onnx" ? l.op : l.domain + ":" + l.op);
    }
  }
  return {missing.begin(), missing.end()};
}

namespace {
// Keeps what a declaration knew where inference knows less.
Dims mergeDims(const Dims& inferred, const Dims& declared) {
  if (!inferred.rankKnown) return declared;
  if (!declared.rankKnown || declared.rank() != inferred.rank()) return inferred;
  Dims out = inferred;
  for (size_t i = 0; i < out.rank(); ++i) {
    if (!out[i].known() && (declared[i].known() || out[i].symbol.empty())) out[i] = declared[i];
  }
  return out;
}
}  // namespace

void inferShapes(Network& network, const InferOptions& options) {
  const auto& registry = OpRegistry::instance();
  std::unordered_map<std::string, ValueInfo> info;
  std::unordered_map<std::string, std::shared_ptr<HostTensor>> folded;
  for (const auto& [name, t] : network.tensors()) {
    if (t.data) info[name] = ValueInfo{t.type, t.dims, t.data.get()};
  }
  for (const auto& name : network.inputs()) {
    const Tensor& t = network.tensor(name);
    info[name] = ValueInfo{t.type, t.dims, t.data.get()};
  }
  for (const Layer& layer : network.layers()) {
    const ops::OpSchema* schema = registry.find(layer.op, layer.domain);
    const int64_t opset = network.opsetOf(layer.domain, 1);
    if (!schema) {
      for (const auto& o : layer.outputs) {
        if (!o.empty()) info[o] = ValueInfo{network.tensor(o).type, network.tensor(o).dims, nullptr};
      }
      continue;
    }
    ops::checkArity(*schema, layer, opset);
    std::vector<const ValueInfo*> inputs(layer.inputs.size(), nullptr);
    std::vector<ValueInfo> shapeOnly(layer.inputs.size());
    std::vector<HostTensor> placeholders(layer.inputs.size());
    bool allKnown = true;
    for (size_t i = 0; i < layer.inputs.size(); ++i) {
      const std::string& name = layer.inputs[i];
      if (name.empty()) continue;
      auto it = info.find(name);
      if (it == info.end()) {
        throw Error(ErrorCode::kInvalidModel, "input '" + name + "' has no producer",
                    ErrorLocation{{}, layer.name, layer.op, opset});
      }
      inputs[i] = &it->second;
      if (!it->second.value && schema->readsShapesOnly && it->second.dims.allKnown()) {
        placeholders[i] = HostTensor::placeholder(it->second.type, *it->second.dims.sizes());
        shapeOnly[i] = ValueInfo{it->second.type, it->second.dims, &placeholders[i]};
        inputs[i] = &shapeOnly[i];
      }
      allKnown = allKnown && inputs[i]->value;
    }
    std::vector<ValueInfo> outputs(layer.outputs.size());
    ops::InferContext ctx(layer, opset, inputs, outputs);
    schema->infer(ctx);

    if (allKnown && schema->foldable) {
      bool small = true;
      for (size_t i = 0; i < outputs.size(); ++i) {
        int64_t n = outputs[i].dims.numel();
        if (!layer.outputs[i].empty() && (n < 0 || n > options.maxFoldElements)) small = false;
      }
      if (small) {
        std::vector<const HostTensor*> values;
        for (const auto* v : inputs) values.push_back(v ? v->value : nullptr);
        auto results = ops::evaluateLayer(*schema, layer, opset, values);
        for (size_t i = 0; i < results.size(); ++i) {
          if (layer.outputs[i].empty()) continue;
          auto value = std::make_shared<HostTensor>(std::move(results[i]));
          outputs[i].value = value.get();
          folded[layer.outputs[i]] = std::move(value);
        }
      }
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string& name = layer.outputs[i];
      if (name.empty()) continue;
      Tensor& t = network.tensor(name);
      t.type = outputs[i].type;
      t.dims = mergeDims(outputs[i].dims, t.dims);
      outputs[i].dims = t.dims;
      info[name] = outputs[i];
    }
  }
}

}  // namespace kiln
