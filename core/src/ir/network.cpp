#include "kiln/network.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

#include "kiln/errors.h"

namespace kiln {

Attribute Attribute::ofInt(int64_t v) { Attribute a; a.kind = Kind::kInt; a.i = v; return a; }
Attribute Attribute::ofFloat(float v) { Attribute a; a.kind = Kind::kFloat; a.f = v; return a; }
Attribute Attribute::ofString(std::string v) { Attribute a; a.kind = Kind::kString; a.s = std::move(v); return a; }
Attribute Attribute::ofInts(std::vector<int64_t> v) { Attribute a; a.kind = Kind::kInts; a.ints = std::move(v); return a; }
Attribute Attribute::ofFloats(std::vector<float> v) { Attribute a; a.kind = Kind::kFloats; a.floats = std::move(v); return a; }
Attribute Attribute::ofStrings(std::vector<std::string> v) {
  Attribute a; a.kind = Kind::kStrings; a.strings = std::move(v); return a;
}
Attribute Attribute::ofTensor(HostTensor v) {
  Attribute a; a.kind = Kind::kTensor; a.t = std::make_shared<const HostTensor>(std::move(v)); return a;
}

Network::Network() { opsets[""] = 17; }

std::string Network::uniqueName(const std::string& base) {
  std::string name;
  do {
    name = base + "_" + std::to_string(nameCounter_++);
  } while (tensors_.count(name));
  return name;
}

Tensor& Network::addInput(const std::string& name, DataType type, Dims dims) {
  if (name.empty() || tensors_.count(name)) {
    throw Error(ErrorCode::kInvalidArgument, "tensor name '" + name + "' is empty or already used");
  }
  inputs_.push_back(name);
  return tensors_[name] = Tensor{name, type, std::move(dims), nullptr};
}

Tensor& Network::addConstant(const std::string& name, HostTensor value) {
  if (name.empty() || tensors_.count(name)) {
    throw Error(ErrorCode::kInvalidArgument, "tensor name '" + name + "' is empty or already used");
  }
  Tensor t{name, value.type(), Dims::of(value.shape()), std::make_shared<const HostTensor>(std::move(value))};
  return tensors_[name] = std::move(t);
}

Layer& Network::addLayer(const std::string& op, std::vector<std::string> inputs,
                         std::vector<std::string> outputs, Attributes attrs, const std::string& name) {
  Layer layer;
  layer.op = op;
  layer.name = name.empty() ? uniqueName(op) : name;
  layer.inputs = std::move(inputs);
  layer.outputs = std::move(outputs);
  layer.attrs = std::move(attrs);
  layer.origin = {layer.name};
  for (const auto& in : layer.inputs) {
    if (!in.empty() && !tensors_.count(in)) {
      throw Error(ErrorCode::kInvalidArgument, "layer '" + layer.name + "' reads unknown tensor '" + in + "'");
    }
  }
  for (const auto& out : layer.outputs) {
    if (out.empty()) continue;
    if (tensors_.count(out)) {
      throw Error(ErrorCode::kInvalidArgument, "layer '" + layer.name + "' writes tensor '" + out +
                                                   "', which already exists");
    }
    tensors_[out] = Tensor{out, DataType::kFloat32, Dims::unknownRank(), nullptr};
  }
  layers_.push_back(std::move(layer));
  return layers_.back();
}

std::string Network::add(const std::string& op, std::vector<std::string> inputs, Attributes attrs,
                         const std::string& name) {
  std::string layerName = name.empty() ? uniqueName(op) : name;
  std::string out = tensors_.count(layerName) ? uniqueName(layerName) : layerName;
  addLayer(op, std::move(inputs), {out}, std::move(attrs), layerName);
  return out;
}

void Network::markOutput(const std::string& name) {
  if (!tensors_.count(name)) throw Error(ErrorCode::kInvalidArgument, "no tensor named '" + name + "'");
  outputs_.push_back(name);
}

Tensor* Network::findTensor(const std::string& name) {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

const Tensor* Network::findTensor(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

Tensor& Network::tensor(const std::string& name) {
  if (Tensor* t = findTensor(name)) return *t;
  throw Error(ErrorCode::kInvalidArgument, "no tensor named '" + name + "'");
}

const Tensor& Network::tensor(const std::string& name) const {
  if (const Tensor* t = findTensor(name)) return *t;
  throw Error(ErrorCode::kInvalidArgument, "no tensor named '" + name + "'");
}

Tensor& Network::putTensor(Tensor t) {
  std::string name = t.name;
  return tensors_[name] = std::move(t);
}

int64_t Network::opsetOf(const std::string& domain, int64_t fallback) const {
  auto it = opsets.find(domain == "ai.onnx" ? std::string() : domain);
  return it == opsets.end() ? fallback : it->second;
}

int64_t Network::parameterCount() const {
  int64_t n = 0;
  for (const auto& [name, t] : tensors_) {
    if (t.data) n += t.data->numel();
  }
  return n;
}

int64_t Network::parameterBytes() const {
  int64_t n = 0;
  for (const auto& [name, t] : tensors_) {
    if (t.data) n += int64_t(t.data->bytes());
  }
  return n;
}

size_t Network::removeUnusedConstants() {
  std::unordered_set<std::string> used(inputs_.begin(), inputs_.end());
  used.insert(outputs_.begin(), outputs_.end());
  for (const auto& l : layers_) used.insert(l.inputs.begin(), l.inputs.end());
  size_t removed = 0;
  for (auto it = tensors_.begin(); it != tensors_.end();) {
    if (it->second.data && !used.count(it->first)) {
      it = tensors_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

void Network::sortTopologically() {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < layers_.size(); ++i) {
    for (const auto& o : layers_[i].outputs) {
      if (!o.empty()) producer[o] = i;
    }
  }
  std::vector<int> pending(layers_.size(), 0);
  std::vector<std::vector<size_t>> consumers(layers_.size());
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::unordered_set<size_t> deps;
    for (const auto& in : layers_[i].inputs) {
      if (in.empty()) continue;
      auto it = producer.find(in);
      if (it != producer.end()) {
        deps.insert(it->second);
      } else {
        const Tensor* t = findTensor(in);
        bool isGraphInput = std::find(inputs_.begin(), inputs_.end(), in) != inputs_.end();
        if (!t || (!t->data && !isGraphInput)) {
          throw Error(ErrorCode::kInvalidModel, "input '" + in + "' is not produced by any node, nor a graph input or initializer",
                      ErrorLocation{{}, layers_[i].name, layers_[i].op, -1});
        }
      }
    }
    pending[i] = int(deps.size());
    for (size_t d : deps) consumers[d].push_back(i);
  }
  // Kahn's algorithm, stable: ready layers run in their original order.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<Layer> sorted;
  sorted.reserve(layers_.size());
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    sorted.push_back(layers_[i]);
    for (size_t c : consumers[i]) {
      if (--pending[c] == 0) ready.push(c);
    }
  }
  if (sorted.size() != layers_.size()) {
    for (size_t i = 0; i < layers_.size(); ++i) {
      if (pending[i] > 0) {
        throw Error(ErrorCode::kInvalidModel, "the graph has a cycle",
                    ErrorLocation{{}, layers_[i].name, layers_[i].op, -1});
      }
    }
  }
  layers_ = std::move(sorted);
}

}  // namespace kiln
