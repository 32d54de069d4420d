#include "passes/rewrite.h"

#include <algorithm>
#include <cmath>

#include "passes/pass.h"

namespace kiln::passes {

GraphView::GraphView(const Network& network) : net_(network) {
  const auto& layers = network.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    for (const auto& in : layers[i].inputs) {
      if (!in.empty()) consumers_[in].push_back(i);
    }
    for (const auto& out : layers[i].outputs) {
      if (!out.empty()) producer_[out] = int(i);
    }
  }
  outputs_.insert(network.outputs().begin(), network.outputs().end());
}

int GraphView::producer(const std::string& tensor) const {
  auto it = producer_.find(tensor);
  return it == producer_.end() ? -1 : it->second;
}

const Layer* GraphView::producerOp(const std::string& tensor, std::string_view op) const {
  const int p = producer(tensor);
  if (p < 0) return nullptr;
  const Layer& l = net_.layers()[size_t(p)];
  return isOp(l, op) ? &l : nullptr;
}

const std::vector<size_t>& GraphView::consumers(const std::string& tensor) const {
  static const std::vector<size_t> kNone;
  auto it = consumers_.find(tensor);
  return it == consumers_.end() ? kNone : it->second;
}

int GraphView::soleConsumer(const std::string& tensor) const {
  const auto& c = consumers(tensor);
  return c.size() == 1 && !isOutput(tensor) ? int(c[0]) : -1;
}

bool GraphView::onlyReadBy(const std::string& tensor, const std::unordered_set<size_t>& group) const {
  if (isOutput(tensor)) return false;
  for (size_t c : consumers(tensor)) {
    if (!group.count(c)) return false;
  }
  return true;
}

std::string opName(const Layer& layer) {
  return layer.domain.empty() || layer.domain == "ai.onnx" ? layer.op : layer.domain + ":" + layer.op;
}

bool isOp(const Layer& layer, std::string_view op) { return opName(layer) == op; }

const HostTensor* constantOf(const Network& network, const std::string& tensor) {
  const Tensor* t = network.findTensor(tensor);
  return t ? t->data.get() : nullptr;
}

bool nearly(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + 1e-12;
}

bool isConstantValue(const Network& network, const std::string& tensor, double value, double rel) {
  const HostTensor* c = constantOf(network, tensor);
  if (!c || c->numel() == 0 || !(isFloat(c->type()) || isInteger(c->type()))) return false;
  for (int64_t i = 0; i < c->numel(); ++i) {
    if (!nearly(c->getAsDouble(i), value, rel)) return false;
  }
  return true;
}

std::optional<double> scalarOf(const Network& network, const std::string& tensor) {
  const HostTensor* c = constantOf(network, tensor);
  if (!c || c->numel() != 1 || c->type() == DataType::kBool) return std::nullopt;
  return c->getAsDouble(0);
}

std::optional<std::string> otherOperand(const Layer& layer, const std::string& known, bool* knownOnLeft) {
  if (layer.inputs.size() != 2) return std::nullopt;
  if (layer.inputs[0] == known) {
    if (knownOnLeft) *knownOnLeft = true;
    return layer.inputs[1];
  }
  if (layer.inputs[1] == known) {
    if (knownOnLeft) *knownOnLeft = false;
    return layer.inputs[0];
  }
  return std::nullopt;
}

namespace {
const Attribute* findAttr(const Layer& layer, const std::string& name, Attribute::Kind kind) {
  auto it = layer.attrs.find(name);
  return it != layer.attrs.end() && it->second.kind == kind ? &it->second : nullptr;
}
}  // namespace

int64_t attrInt(const Layer& layer, const std::string& name, int64_t fallback) {
  const Attribute* a = findAttr(layer, name, Attribute::Kind::kInt);
  return a ? a->i : fallback;
}

float attrFloat(const Layer& layer, const std::string& name, float fallback) {
  const Attribute* a = findAttr(layer, name, Attribute::Kind::kFloat);
  return a ? a->f : fallback;
}

std::string attrString(const Layer& layer, const std::string& name, const std::string& fallback) {
  const Attribute* a = findAttr(layer, name, Attribute::Kind::kString);
  return a ? a->s : fallback;
}

std::optional<std::vector<int64_t>> attrInts(const Layer& layer, const std::string& name) {
  const Attribute* a = findAttr(layer, name, Attribute::Kind::kInts);
  if (!a) return std::nullopt;
  return a->ints;
}

std::optional<std::vector<int64_t>> reduceAxes(const Network& network, const Layer& layer) {
  const Tensor* x = network.findTensor(layer.inputs.at(0));
  if (!x || !x->dims.rankKnown) return std::nullopt;
  const int64_t rank = int64_t(x->dims.rank());
  const int64_t since = layer.op == "ReduceSum" ? 13 : 18;
  std::vector<int64_t> axes;
  if (network.opsetOf(layer.domain, 1) >= since) {
    if (layer.inputs.size() > 1 && !layer.inputs[1].empty()) {
      const HostTensor* a = constantOf(network, layer.inputs[1]);
      if (!a) return std::nullopt;
      axes = a->toInt64Vector();
    }
    if (axes.empty() && attrInt(layer, "noop_with_empty_axes", 0) != 0) return std::nullopt;
  } else {
    axes = attrInts(layer, "axes").value_or(std::vector<int64_t>{});
  }
  if (axes.empty()) {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  }
  for (auto& a : axes) {
    if (a < -rank || a >= rank) return std::nullopt;
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

std::optional<std::vector<int64_t>> transposePerm(const Network& network, const Layer& layer) {
  const Tensor* x = network.findTensor(layer.inputs.at(0));
  if (!x || !x->dims.rankKnown) return std::nullopt;
  const size_t rank = x->dims.rank();
  std::vector<int64_t> perm;
  if (auto p = attrInts(layer, "perm")) {
    perm = *p;
  } else {
    for (size_t i = 0; i < rank; ++i) perm.push_back(int64_t(rank - 1 - i));
  }
  if (perm.size() != rank) return std::nullopt;
  return perm;
}

std::vector<std::string> unionOrigins(const Network& network, std::vector<size_t> layers) {
  std::sort(layers.begin(), layers.end());
  std::vector<std::string> out;
  for (size_t i : layers) {
    for (const auto& o : network.layers()[i].origin) {
      if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
    }
  }
  return out;
}

std::string describeLayers(const Network& network, std::vector<size_t> layers) {
  std::sort(layers.begin(), layers.end());
  std::string s;
  for (size_t i : layers) {
    const Layer& l = network.layers()[i];
    s += (s.empty() ? "" : " + ") + opName(l) + " '" + l.name + "'";
  }
  return s;
}

std::string freshTensorName(const Network& network, const std::string& base) {
  if (!network.findTensor(base)) return base;
  for (int i = 1;; ++i) {
    std::string name = base + "_" + std::to_string(i);
    if (!network.findTensor(name)) return name;
  }
}

PassChange replaceLayers(Network& network, std::vector<size_t> group, Layer layer, const std::string& verb) {
  std::sort(group.begin(), group.end());
  group.erase(std::unique(group.begin(), group.end()), group.end());
  PassChange change;
  change.description = verb + " " + describeLayers(network, group) + " into " + opName(layer) + " '" + layer.name + "'";
  auto& layers = network.layers();
  for (size_t i : group) {
    if (layers[i].name != layer.name) change.removed.push_back(layers[i].name);
  }
  change.result = layer.name;
  layers[group.back()] = std::move(layer);
  for (auto it = group.rbegin() + 1; it != group.rend(); ++it) layers.erase(layers.begin() + int64_t(*it));
  return change;
}

Layer kilnLayer(Network& network, const std::vector<size_t>& group, const std::string& op,
                std::vector<std::string> inputs, const std::string& output, Attributes attrs) {
  Layer l;
  l.name = network.layers()[*std::min_element(group.begin(), group.end())].name;
  l.op = op;
  l.domain = kKilnDomain;
  l.attrs = std::move(attrs);
  l.inputs = std::move(inputs);
  l.outputs = {output};
  l.origin = unionOrigins(network, group);
  network.opsets[kKilnDomain] = 1;
  return l;
}

bool bypassLayer(Network& network, const GraphView& view, size_t index, const std::string& in, const std::string& out) {
  auto& layers = network.layers();
  if (!view.isOutput(out)) {
    for (auto& l : layers) {
      for (auto& name : l.inputs) {
        if (name == out) name = in;
      }
    }
    layers.erase(layers.begin() + int64_t(index));
    return true;
  }
  // `out` must keep its name: the producer of `in` writes it instead.
  const int p = view.producer(in);
  if (p < 0 || view.isOutput(in)) return false;
  for (auto& l : layers) {
    for (auto& name : l.inputs) {
      if (name == in) name = out;
    }
    for (auto& name : l.outputs) {
      if (name == in && &l == &layers[size_t(p)]) name = out;
    }
  }
  layers.erase(layers.begin() + int64_t(index));
  return true;
}

bool isClosedGroup(const GraphView& view, const std::unordered_set<size_t>& group, const std::string& result) {
  for (size_t i : group) {
    for (const auto& out : view.network().layers()[i].outputs) {
      if (!out.empty() && out != result && !view.onlyReadBy(out, group)) return false;
    }
  }
  return true;
}

bool sameDims(const Network& network, const std::string& a, const std::string& b) {
  const Tensor* ta = network.findTensor(a);
  const Tensor* tb = network.findTensor(b);
  if (!ta || !tb || !ta->dims.rankKnown || !tb->dims.rankKnown || ta->dims.rank() != tb->dims.rank()) return false;
  for (size_t i = 0; i < ta->dims.rank(); ++i) {
    const Dim& x = ta->dims[i];
    const Dim& y = tb->dims[i];
    if (x.known() != y.known() || (x.known() && x.value != y.value)) return false;
    if (!x.known() && (x.symbol.empty() || x.symbol != y.symbol)) return false;
  }
  return true;
}

std::vector<PassChange> rewriteUntilStable(
    Network& network, const std::function<std::optional<PassChange>(Network&, const GraphView&, size_t)>& tryAt) {
  std::vector<PassChange> changes;
  for (bool changed = true; changed;) {
    changed = false;
    GraphView view(network);
    for (size_t i = 0; i < network.layers().size(); ++i) {
      if (auto c = tryAt(network, view, i)) {
        changes.push_back(std::move(*c));
        changed = true;
        break;
      }
    }
  }
  return changes;
}

}  // namespace kiln::passes
