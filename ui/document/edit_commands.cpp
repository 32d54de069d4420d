#include "document/edit_commands.h"

#include <algorithm>
#include <cctype>

#include "kiln/errors.h"

namespace kiln::ui {

namespace {
QString q(const std::string& s) { return QString::fromStdString(s); }

bool fail(QString* error, const QString& why) {
  if (error) *error = why;
  return false;
}

QStringList layersOf(const std::vector<TensorUse>& uses) {
  QStringList names;
  for (const auto& u : uses) {
    if (!names.contains(q(u.layer))) names << q(u.layer);
  }
  return names;
}

std::vector<std::string> replaced(std::vector<std::string> names, const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  for (auto& n : names) {
    if (n == from) n = to;
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);  // ONNX outputs are unique
  }
  return out;
}
}  // namespace

// ---- EditCommand -----------------------------------------------------------

void EditCommand::redo() { run(true); }
void EditCommand::undo() { run(false); }

void EditCommand::run(bool forward) {
  // prepare() checked the edit against this very state, so apply() cannot
  // fail short of a bug; Qt must not see an exception either way.
  EditEffect effect;
  try {
    effect = apply(document_->network(), forward);
  } catch (const std::exception& e) {
    emit document_->inferenceFailed(QString("edit '%1' failed: %2").arg(text(), QString::fromUtf8(e.what())));
  }
  document_->afterEdit(effect);
}

// ---- RenameLayerCommand ----------------------------------------------------

RenameLayerCommand::RenameLayerCommand(ModelDocument* document, std::string from, std::string to, bool renameOutput)
    : EditCommand(document, QObject::tr("Rename %1 to %2").arg(q(from), q(to))),
      from_(std::move(from)),
      to_(std::move(to)),
      renameOutput_(renameOutput) {}

bool RenameLayerCommand::prepare(const Network& network, QString* error) {
  const int index = findLayer(network, from_);
  if (index < 0) return fail(error, QObject::tr("no layer named '%1'").arg(q(from_)));
  if (to_.empty()) return fail(error, QObject::tr("a layer name cannot be empty"));
  if (to_ == from_) return fail(error, QObject::tr("the layer is already named '%1'").arg(q(to_)));
  if (findLayer(network, to_) >= 0) return fail(error, QObject::tr("a layer named '%1' already exists").arg(q(to_)));
  const Layer& layer = network.layers()[size_t(index)];
  if (renameOutput_ && layer.outputs.size() == 1 && layer.outputs[0] != to_) {
    if (network.findTensor(to_)) return fail(error, QObject::tr("a tensor named '%1' already exists").arg(q(to_)));
    outputFrom_ = layer.outputs[0];
  }
  return true;
}

EditEffect RenameLayerCommand::apply(Network& network, bool forward) {
  const std::string& from = forward ? from_ : to_;
  const std::string& to = forward ? to_ : from_;
  renameLayer(network, from, to);
  EditEffect effect;
  if (!outputFrom_.empty()) {
    const std::string& tFrom = forward ? outputFrom_ : to_;
    const std::string& tTo = forward ? to_ : outputFrom_;
    effect.changed = layersOf(consumersOf(network, tFrom));
    renameProducedTensor(network, tFrom, tTo);
  }
  effect.changed.prepend(q(to));
  effect.renamed = {q(from), q(to)};
  return effect;
}

// ---- SetAttributeCommand ---------------------------------------------------

SetAttributeCommand::SetAttributeCommand(ModelDocument* document, std::string layer, std::string name,
                                         std::optional<Attribute> value)
    : EditCommand(document, QObject::tr("Edit %1.%2").arg(q(layer), q(name))),
      layer_(std::move(layer)),
      name_(std::move(name)),
      after_(std::move(value)) {}

bool SetAttributeCommand::prepare(const Network& network, QString* error) {
  const int index = findLayer(network, layer_);
  if (index < 0) return fail(error, QObject::tr("no layer named '%1'").arg(q(layer_)));
  if (name_.empty()) return fail(error, QObject::tr("an attribute name cannot be empty"));
  const auto& attrs = network.layers()[size_t(index)].attrs;
  auto it = attrs.find(name_);
  if (it != attrs.end()) before_ = it->second;
  if (!before_ && !after_) return fail(error, QObject::tr("%1 has no attribute '%2'").arg(q(layer_), q(name_)));
  return true;
}

bool SetAttributeCommand::mergeWith(const QUndoCommand* other) {
  const auto* o = dynamic_cast<const SetAttributeCommand*>(other);
  if (!o || o->layer_ != layer_ || o->name_ != name_) return false;
  after_ = o->after_;
  return true;
}

EditEffect SetAttributeCommand::apply(Network& network, bool forward) {
  Layer& layer = network.layers().at(size_t(findLayer(network, layer_)));
  const auto& value = forward ? after_ : before_;
  if (value) layer.attrs[name_] = *value;
  else layer.attrs.erase(name_);
  EditEffect effect;
  effect.changed << q(layer_);
  return effect;
}

// ---- DeleteLayerCommand ----------------------------------------------------

DeleteLayerCommand::DeleteLayerCommand(ModelDocument* document, std::string name, bool allowDangling)
    : EditCommand(document, QObject::tr("Delete %1").arg(q(name))), name_(std::move(name)), allowDangling_(allowDangling) {}

std::string DeleteLayerCommand::bypassInput(const Network& network, const Layer& layer) {
  std::vector<std::string> data;
  for (const auto& in : layer.inputs) {
    const Tensor* t = network.findTensor(in);
    if (!in.empty() && !(t && t->isConstant())) data.push_back(in);
  }
  size_t outputs = std::count_if(layer.outputs.begin(), layer.outputs.end(), [](auto& o) { return !o.empty(); });
  return data.size() == 1 && outputs == 1 && layer.outputs.size() == 1 ? data[0] : std::string();
}

bool DeleteLayerCommand::prepare(const Network& network, QString* error) {
  const int index = findLayer(network, name_);
  if (index < 0) return fail(error, QObject::tr("no layer named '%1'").arg(q(name_)));
  index_ = size_t(index);
  layer_ = network.layers()[index_];
  bypass_ = bypassInput(network, layer_);
  graphOutputsBefore_ = network.outputs();
  graphOutputsAfter_ = graphOutputsBefore_;
  std::vector<TensorUse> readers;
  for (const auto& o : layer_.outputs) {
    if (o.empty()) continue;
    if (const Tensor* t = network.findTensor(o)) outputs_.push_back(*t);
    auto uses = consumersOf(network, o);
    readers.insert(readers.end(), uses.begin(), uses.end());
  }
  if (!bypass_.empty()) {
    rewired_ = readers;
    graphOutputsAfter_ = replaced(graphOutputsBefore_, layer_.outputs[0], bypass_);
    return true;
  }
  bool isOutput = false;
  for (const auto& o : layer_.outputs) {
    isOutput = isOutput || isGraphOutput(network, o);
    std::erase(graphOutputsAfter_, o);
  }
  if ((!readers.empty() || isOutput) && !allowDangling_) {
    return fail(error, QObject::tr("%1 has %2 data inputs and %3 outputs, so its readers cannot be rewired; "
                                   "deleting it leaves them dangling")
                           .arg(q(name_))
                           .arg(layer_.inputs.size())
                           .arg(layer_.outputs.size()));
  }
  return true;
}

EditEffect DeleteLayerCommand::apply(Network& network, bool forward) {
  auto& layers = network.layers();
  EditEffect effect;
  effect.changed = layersOf(rewired_);
  std::set<std::string> drop;
  if (forward) {
    layers.erase(layers.begin() + std::ptrdiff_t(index_));
    for (const auto& u : rewired_) setLayerInput(network, u.layer, u.slot, bypass_);
    for (const auto& t : outputs_) drop.insert(t.name);
    effect.removed << q(name_);
  } else {
    layers.insert(layers.begin() + std::ptrdiff_t(index_), layer_);
    for (const auto& t : outputs_) network.putTensor(t);
    for (const auto& u : rewired_) setLayerInput(network, u.layer, u.slot, layer_.outputs[0]);
    effect.added << q(name_);
  }
  rebuildNetwork(network, forward ? graphOutputsAfter_ : graphOutputsBefore_, drop);
  return effect;
}

// ---- SetInputShapesCommand -------------------------------------------------

SetInputShapesCommand::SetInputShapesCommand(ModelDocument* document, const QString& text,
                                             std::map<std::string, Dims> shapes)
    : EditCommand(document, text), after_(std::move(shapes)) {}

bool SetInputShapesCommand::prepare(const Network& network, QString* error) {
  if (after_.empty()) return fail(error, QObject::tr("no input to change"));
  const auto& inputs = network.inputs();
  for (const auto& [name, dims] : after_) {
    if (std::find(inputs.begin(), inputs.end(), name) == inputs.end()) {
      return fail(error, QObject::tr("'%1' is not a graph input").arg(q(name)));
    }
    before_[name] = network.tensor(name).dims;
  }
  if (before_ == after_) return fail(error, QObject::tr("the shapes are unchanged"));
  return true;
}

EditEffect SetInputShapesCommand::apply(Network& network, bool forward) {
  for (const auto& [name, dims] : forward ? after_ : before_) network.tensor(name).dims = dims;
  EditEffect effect;
  effect.inputs = true;
  return effect;
}

// ---- AddLayerCommand -------------------------------------------------------

AddLayerCommand::AddLayerCommand(ModelDocument* document, std::string tensor, std::string op, Attributes attrs)
    : EditCommand(document, QObject::tr("Add %1 after %2").arg(q(op), q(tensor))), tensor_(std::move(tensor)) {
  layer_.op = std::move(op);
  layer_.attrs = std::move(attrs);
}

bool AddLayerCommand::prepare(const Network& network, QString* error) {
  if (!network.findTensor(tensor_)) return fail(error, QObject::tr("no tensor named '%1'").arg(q(tensor_)));
  if (!isSupportedOp(layer_.op, layer_.domain)) {
    return fail(error, QObject::tr("Kiln does not know the op '%1'").arg(q(layer_.op)));
  }
  std::string base = layer_.op;
  std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  layer_.name = uniqueName(network, base);
  layer_.inputs = {tensor_};
  layer_.outputs = {layer_.name};
  layer_.origin = {layer_.name};
  index_ = size_t(producerOf(network, tensor_) + 1);
  rewired_ = consumersOf(network, tensor_);
  graphOutputsBefore_ = network.outputs();
  graphOutputsAfter_ = replaced(graphOutputsBefore_, tensor_, layer_.name);
  return true;
}

EditEffect AddLayerCommand::apply(Network& network, bool forward) {
  auto& layers = network.layers();
  EditEffect effect;
  effect.changed = layersOf(rewired_);
  if (forward) {
    for (const auto& u : rewired_) setLayerInput(network, u.layer, u.slot, layer_.name);
    layers.insert(layers.begin() + std::ptrdiff_t(index_), layer_);
    network.putTensor(Tensor{layer_.name, network.tensor(tensor_).type, Dims::unknownRank(), nullptr});
    rebuildNetwork(network, graphOutputsAfter_);
    effect.added << q(layer_.name);
  } else {
    for (const auto& u : rewired_) setLayerInput(network, u.layer, u.slot, tensor_);
    layers.erase(layers.begin() + std::ptrdiff_t(index_));
    rebuildNetwork(network, graphOutputsBefore_, {layer_.name});
    effect.removed << q(layer_.name);
  }
  return effect;
}

}  // namespace kiln::ui
