#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "kiln/errors.h"
#include "kiln/reference.h"
#include "ops/evaluate.h"
#include "ops/op.h"

namespace kiln {

ReferenceExecutor::ReferenceExecutor(Network network) : network_(std::move(network)) {
  auto missing = unsupportedOps(network_);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw Error(ErrorCode::kUnsupportedOp, "unsupported operators: " + list);
  }
  const auto& layers = network_.layers();
  std::unordered_map<std::string, size_t> lastUse;
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const auto& in : layers[i].inputs) {
      if (!in.empty()) lastUse[in] = i;
    }
  }
  std::unordered_set<std::string> keep(network_.outputs().begin(), network_.outputs().end());
  freeAfter_.resize(layers.size());
  for (const auto& [name, at] : lastUse) {
    const Tensor* t = network_.findTensor(name);
    if (keep.count(name) || (t && t->data)) continue;
    freeAfter_[at].push_back(name);
  }
}

TensorMap ReferenceExecutor::run(const TensorMap& inputs) const { return execute(inputs, false); }

TensorMap ReferenceExecutor::runKeepingAll(const TensorMap& inputs) const { return execute(inputs, true); }

namespace {
void checkInput(const Tensor& decl, const HostTensor& given) {
  if (given.type() != decl.type) {
    throw Error(ErrorCode::kInvalidArgument, "input '" + decl.name + "' has type " + toString(given.type()) +
                                                 "; the model expects " + toString(decl.type));
  }
  if (!decl.dims.rankKnown) return;
  bool fits = decl.dims.rank() == given.rank();
  for (size_t i = 0; fits && i < given.rank(); ++i) {
    if (decl.dims[i].known() && decl.dims[i].value != given.shape()[i]) fits = false;
  }
  if (!fits) {
    throw Error(ErrorCode::kShapeMismatch, "input '" + decl.name + "' has shape " + shapeString(given.shape()) +
                                               "; the model expects " + decl.dims.str());
  }
}
}  // namespace

TensorMap ReferenceExecutor::execute(const TensorMap& inputs, bool keepAll) const {
  const auto& registry = ops::OpRegistry::instance();
  std::unordered_map<std::string, HostTensor> owned;
  std::unordered_map<std::string, const HostTensor*> values;
  for (const auto& name : network_.inputs()) {
    const Tensor& decl = network_.tensor(name);
    auto it = inputs.find(name);
    if (it == inputs.end()) {
      if (decl.data) continue;  // an input with a default (an initializer)
      throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' was not given");
    }
    checkInput(decl, it->second);
    values[name] = &it->second;
  }
  for (const auto& [name, t] : network_.tensors()) {
    if (t.data && !values.count(name)) values[name] = t.data.get();
  }
  const auto& layers = network_.layers();
  for (size_t li = 0; li < layers.size(); ++li) {
    const Layer& layer = layers[li];
    const int64_t opset = network_.opsetOf(layer.domain, 1);
    const ops::OpSchema* schema = registry.find(layer.op, layer.domain);
    std::vector<const HostTensor*> args(layer.inputs.size(), nullptr);
    for (size_t i = 0; i < layer.inputs.size(); ++i) {
      if (layer.inputs[i].empty()) continue;
      auto it = values.find(layer.inputs[i]);
      if (it == values.end()) {
        throw Error(ErrorCode::kInvalidModel, "input '" + layer.inputs[i] + "' has no value",
                    ErrorLocation{{}, layer.name, layer.op, opset});
      }
      args[i] = it->second;
    }
    auto results = ops::evaluateLayer(*schema, layer, opset, args);
    for (size_t i = 0; i < results.size(); ++i) {
      const std::string& name = layer.outputs[i];
      if (name.empty()) continue;
      auto& slot = owned[name] = std::move(results[i]);
      values[name] = &slot;
    }
    if (!keepAll) {
      for (const auto& name : freeAfter_[li]) {
        values.erase(name);
        owned.erase(name);
      }
    }
  }
  TensorMap out;
  auto take = [&](const std::string& name) {
    auto it = owned.find(name);
    if (it != owned.end()) {
      out[name] = keepAll ? it->second : std::move(it->second);
      return;
    }
    auto v = values.find(name);
    if (v == values.end()) throw Error(ErrorCode::kInvalidModel, "output '" + name + "' was never computed");
    out[name] = *v->second;
  };
  if (keepAll) {
    for (const auto& [name, v] : values) out[name] = *v;
  } else {
    for (const auto& name : network_.outputs()) take(name);
  }
  return out;
}

TensorMap makeRandomInputs(const Network& network, const std::map<std::string, std::vector<int64_t>>& shapes,
                           uint64_t seed) {
  TensorMap result;
  std::mt19937_64 rng(seed);
  for (const auto& name : network.inputs()) {
    const Tensor& t = network.tensor(name);
    if (t.data) continue;
    std::vector<int64_t> shape;
    auto given = shapes.find(name);
    if (given != shapes.end()) {
      shape = given->second;
    } else {
      if (!t.dims.rankKnown) {
        throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' has unknown rank; give its shape");
      }
      for (const auto& d : t.dims.d) shape.push_back(d.known() ? d.value : 1);
    }
    HostTensor h(t.type, shape);
    std::uniform_real_distribution<double> uni(-1.0, 1.0);
    std::uniform_int_distribution<int> small(0, 9);
    for (int64_t i = 0; i < h.numel(); ++i) {
      if (isFloat(t.type)) h.setFromDouble(i, uni(rng));
      else if (t.type == DataType::kBool) h.setFromDouble(i, small(rng) & 1);
      else h.setFromDouble(i, small(rng));
    }
    result[name] = std::move(h);
  }
  return result;
}

}  // namespace kiln
