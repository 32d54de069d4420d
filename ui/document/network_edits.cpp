#include "document/network_edits.h"

#include <algorithm>

#include "kiln/errors.h"

namespace kiln::ui {

namespace {
[[noreturn]] void refuse(const std::string& message) { throw Error(ErrorCode::kInvalidArgument, message); }

bool layerNameTaken(const Network& network, const std::string& name) { return findLayer(network, name) >= 0; }
}  // namespace

int findLayer(const Network& network, const std::string& name) {
  const auto& layers = network.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == name) return int(i);
  }
  return -1;
}

int producerOf(const Network& network, const std::string& tensor) {
  if (tensor.empty()) return -1;
  const auto& layers = network.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& outs = layers[i].outputs;
    if (std::find(outs.begin(), outs.end(), tensor) != outs.end()) return int(i);
  }
  return -1;
}

std::vector<TensorUse> consumersOf(const Network& network, const std::string& tensor) {
  std::vector<TensorUse> uses;
  if (tensor.empty()) return uses;
  for (const Layer& l : network.layers()) {
    for (size_t s = 0; s < l.inputs.size(); ++s) {
      if (l.inputs[s] == tensor) uses.push_back({l.name, s});
    }
  }
  return uses;
}

bool isGraphOutput(const Network& network, const std::string& name) {
  const auto& outs = network.outputs();
  return std::find(outs.begin(), outs.end(), name) != outs.end();
}

std::string uniqueName(const Network& network, const std::string& base) {
  auto taken = [&](const std::string& n) { return network.findTensor(n) || layerNameTaken(network, n); };
  if (!taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!taken(candidate)) return candidate;
  }
}

void rebuildNetwork(Network& network, const std::vector<std::string>& outputs, const std::set<std::string>& drop) {
  Network out;
  out.name = network.name;
  out.opsets = network.opsets;
  for (const auto& name : network.inputs()) {
    const Tensor& t = network.tensor(name);
    out.addInput(t.name, t.type, t.dims);
    out.putTensor(t);  // keeps the data of an input that also has an initializer
  }
  for (const auto& [name, t] : network.tensors()) {
    if (!drop.count(name) && !out.findTensor(name)) out.putTensor(t);
  }
  out.layers() = network.layers();
  for (const auto& name : outputs) out.markOutput(name);
  network = std::move(out);
}

void renameLayer(Network& network, const std::string& from, const std::string& to) {
  const int index = findLayer(network, from);
  if (index < 0) refuse("no layer named '" + from + "'");
  if (to.empty()) refuse("a layer name cannot be empty");
  if (to == from) return;
  if (layerNameTaken(network, to)) refuse("a layer named '" + to + "' already exists");
  network.layers()[size_t(index)].name = to;
}

void renameProducedTensor(Network& network, const std::string& from, const std::string& to) {
  const int producer = producerOf(network, from);
  if (producer < 0) refuse("'" + from + "' is not the output of a layer");
  if (to.empty()) refuse("a tensor name cannot be empty");
  if (to == from) return;
  if (network.findTensor(to)) refuse("a tensor named '" + to + "' already exists");
  Tensor renamed = network.tensor(from);
  renamed.name = to;
  for (Layer& l : network.layers()) {
    std::replace(l.outputs.begin(), l.outputs.end(), from, to);
    std::replace(l.inputs.begin(), l.inputs.end(), from, to);
  }
  std::vector<std::string> outputs = network.outputs();
  std::replace(outputs.begin(), outputs.end(), from, to);
  network.putTensor(std::move(renamed));
  rebuildNetwork(network, outputs, {from});
}

void setLayerInput(Network& network, const std::string& layer, size_t slot, const std::string& tensor) {
  const int index = findLayer(network, layer);
  if (index < 0) refuse("no layer named '" + layer + "'");
  auto& inputs = network.layers()[size_t(index)].inputs;
  if (slot >= inputs.size()) refuse("layer '" + layer + "' has no input " + std::to_string(slot));
  inputs[slot] = tensor;
}

void forgetInferredShapes(Network& network) {
  for (const Layer& l : network.layers()) {
    if (!isSupportedOp(l.op, l.domain)) continue;
    for (const auto& o : l.outputs) {
      if (Tensor* t = o.empty() ? nullptr : network.findTensor(o)) t->dims = Dims::unknownRank();
    }
  }
}

}  // namespace kiln::ui
