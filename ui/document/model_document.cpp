#include "document/model_document.h"

#include <QFileInfo>
#include <QUndoStack>
#include <QtConcurrent>

#include "document/edit_commands.h"
#include "document/model_saver.h"
#include "document/network_edits.h"
#include "kiln/errors.h"
#include "kiln/onnx.h"

namespace kiln::ui {

ModelDocument::ModelDocument(QObject* parent) : QObject(parent), undo_(new QUndoStack(this)) {
  connect(undo_, &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
  connect(&openWatcher_, &QFutureWatcher<Outcome>::finished, this, [this] {
    Outcome o = openWatcher_.result();
    if (o.error.isEmpty()) reset(std::move(*o.network), o.path);
    else emit openFailed(o.path, o.error);
  });
  connect(&saveWatcher_, &QFutureWatcher<QString>::finished, this, [this] {
    const QString reason = saveWatcher_.result();
    if (!reason.isEmpty()) {
      emit saveFailed(savingTo_, reason);
      return;
    }
    path_ = savingTo_;
    // Edits made while the save ran are not in the file.
    if (undo_->index() == savingIndex_) undo_->setClean();
    emit saved(path_);
  });
}

ModelDocument::~ModelDocument() {
  openWatcher_.waitForFinished();
  saveWatcher_.waitForFinished();  // a half-written save would leave a temporary behind
}

void ModelDocument::open(const QString& path) {
  openWatcher_.setFuture(QtConcurrent::run([path]() {
    Outcome o;
    o.path = path;
    try {
      OnnxImportOptions options;
      options.rejectUnsupported = false;  // shown and editable; the op is marked as one Kiln cannot run
      o.network = std::make_shared<Network>(importOnnx(path.toStdString(), options));
    } catch (const Error& e) {
      o.error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      o.error = path + ": " + QString::fromStdString(e.what());
    }
    return o;
  }));
}

void ModelDocument::reset(Network network, const QString& path) {
  network_ = std::make_unique<Network>(std::move(network));
  path_ = path;
  undo_->clear();
  afterEdit(EditEffect{});
  emit modelReset();
}

bool ModelDocument::save(const QString& path) {
  if (!snapshot_ || saveWatcher_.isRunning()) return false;
  savingTo_ = path.isEmpty() ? path_ : path;
  savingIndex_ = undo_->index();
  saveWatcher_.setFuture(QtConcurrent::run(
      [network = snapshot_, target = savingTo_]() { return validateAndSave(*network, target); }));
  return true;
}

bool ModelDocument::busy() const { return openWatcher_.isRunning() || saveWatcher_.isRunning(); }

QString ModelDocument::displayName() const {
  return path_.isEmpty() ? tr("untitled") : QFileInfo(path_).fileName();
}

bool ModelDocument::isModified() const { return !undo_->isClean(); }

void ModelDocument::afterEdit(const EditEffect& effect) {
  forgetInferredShapes(*network_);
  try {
    inferShapes(*network_);
    inferenceError_.clear();
  } catch (const std::exception& e) {
    inferenceError_ = QString::fromUtf8(e.what());
  }
  snapshot_ = std::make_shared<const Network>(*network_);
  if (!inferenceError_.isEmpty()) emit inferenceFailed(inferenceError_);
  if (effect.renamed) emit layerRenamed(effect.renamed->first, effect.renamed->second);
  for (const auto& name : effect.removed) emit layerRemoved(name);
  for (const auto& name : effect.added) emit layerAdded(name);
  for (const auto& name : effect.changed) emit layerChanged(name);
  if (effect.inputs) emit inputsChanged();
  emit networkChanged(snapshot_);
}

bool ModelDocument::refuse(const QString& why, QString* error) {
  if (error) *error = why;
  return false;
}

bool ModelDocument::push(EditCommand* command, QString* error) {
  std::unique_ptr<EditCommand> owned(command);
  if (!network_) return refuse(tr("no model is open"), error);
  if (!owned->prepare(*network_, error)) return false;
  undo_->push(owned.release());
  return true;
}

bool ModelDocument::renameLayer(const QString& from, const QString& to, bool renameOutput, QString* error) {
  return push(new RenameLayerCommand(this, from.toStdString(), to.trimmed().toStdString(), renameOutput), error);
}

bool ModelDocument::setAttribute(const QString& layer, const QString& name, std::optional<Attribute> value,
                                 QString* error) {
  return push(new SetAttributeCommand(this, layer.toStdString(), name.toStdString(), std::move(value)), error);
}

bool ModelDocument::deleteLayer(const QString& name, bool allowDangling, QString* error) {
  return push(new DeleteLayerCommand(this, name.toStdString(), allowDangling), error);
}

bool ModelDocument::deleteWouldDangle(const QString& name) const {
  const int index = network_ ? findLayer(*network_, name.toStdString()) : -1;
  if (index < 0) return false;
  const Layer& layer = network_->layers()[size_t(index)];
  if (!DeleteLayerCommand::bypassInput(*network_, layer).empty()) return false;
  for (const auto& o : layer.outputs) {
    if (!consumersOf(*network_, o).empty() || isGraphOutput(*network_, o)) return true;
  }
  return false;
}

bool ModelDocument::setInputShape(const QString& input, const Dims& dims, QString* error) {
  return push(new SetInputShapesCommand(this, tr("Set shape of %1").arg(input), {{input.toStdString(), dims}}),
              error);
}

bool ModelDocument::setBatchDim(const Dim& batch, QString* error) {
  if (!network_) return refuse(tr("no model is open"), error);
  std::map<std::string, Dims> shapes;
  for (const auto& name : network_->inputs()) {
    const Tensor& t = network_->tensor(name);
    if (t.isConstant() || !t.dims.rankKnown || t.dims.rank() == 0) continue;
    Dims dims = t.dims;
    dims[0] = batch;
    shapes[name] = dims;
  }
  if (shapes.empty()) return refuse(tr("no graph input has a batch dimension"), error);
  const QString text = batch.known() ? QString::number(batch.value) : QString::fromStdString(batch.symbol);
  return push(new SetInputShapesCommand(this, tr("Set batch to %1").arg(text), std::move(shapes)), error);
}

bool ModelDocument::addLayerAfter(const QString& tensor, const QString& op, const Attributes& attrs,
                                  QString* newLayer, QString* error) {
  auto* command = new AddLayerCommand(this, tensor.toStdString(), op.toStdString(), attrs);
  if (!push(command, error)) return false;
  if (newLayer) *newLayer = QString::fromStdString(command->layerName());  // the stack owns it now; it is not merged
  return true;
}

}  // namespace kiln::ui
