// The model being edited in the studio: a kiln::Network, its file, and the
// undo stack through which every edit goes.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>
#include <optional>

#include "kiln/network.h"

class QUndoStack;

namespace kiln::ui {

class EditCommand;
struct EditEffect;

/// Holds the network being edited and applies edits as undoable commands.
/// After every edit, shapes are inferred afresh; observers get named change
/// signals and an immutable snapshot of the whole network. The mutable
/// network never leaves the document. Opening and saving run on worker
/// threads and report through signals.
class ModelDocument : public QObject {
  Q_OBJECT
 public:
  explicit ModelDocument(QObject* parent = nullptr);
  ~ModelDocument() override;

  // ---- file --------------------------------------------------------------
  /// Starts importing `path` on a worker; modelReset() or openFailed() follows.
  void open(const QString& path);
  /// Replaces the model with `network` (already imported), clearing the undo stack.
  void reset(Network network, const QString& path);
  /// Starts validating and saving the current network to `path` (the current
  /// file when empty) on a worker; saved() or saveFailed() follows. Returns
  /// false, doing nothing, when there is no model or a save is running.
  bool save(const QString& path = {});
  /// True while an open or a save runs.
  bool busy() const;

  /// The file the model came from or was last saved to.
  QString path() const { return path_; }
  /// The file name to show ("sample.onnx", or "untitled").
  QString displayName() const;
  /// True when there is a model.
  bool hasModel() const { return snapshot_ != nullptr; }
  /// True when the model differs from the file (the undo stack is not clean).
  bool isModified() const;
  /// The current network, immutable; null when there is no model.
  std::shared_ptr<const Network> snapshot() const { return snapshot_; }
  /// The undo stack, for Undo/Redo actions and an undo view.
  QUndoStack* undoStack() const { return undo_; }
  /// The error of the last shape inference, empty when it succeeded.
  QString inferenceError() const { return inferenceError_; }

  // ---- edits (each pushes one undoable command) --------------------------
  // Each returns false and sets `error` to one line when the edit does not
  // fit the model; nothing changes then.

  /// Renames a layer and, when `renameOutput` and it has one output, that
  /// output tensor too (to the same name).
  bool renameLayer(const QString& from, const QString& to, bool renameOutput, QString* error = nullptr);
  /// Sets (or, with nullopt, removes) an attribute of a layer. Consecutive
  /// edits of the same attribute merge into one undo step.
  bool setAttribute(const QString& layer, const QString& name, std::optional<Attribute> value,
                    QString* error = nullptr);
  /// Deletes a layer. A layer with one data input and one output is cut out
  /// and its consumers read its input instead. Any other layer that is read
  /// by others is deleted only with `allowDangling`, leaving their inputs
  /// naming a tensor that no longer exists.
  bool deleteLayer(const QString& name, bool allowDangling, QString* error = nullptr);
  /// True when deleteLayer(name, false) would refuse because consumers would dangle.
  bool deleteWouldDangle(const QString& name) const;
  /// Changes the shape of a graph input.
  bool setInputShape(const QString& input, const Dims& dims, QString* error = nullptr);
  /// Sets dimension 0 of every graph input of rank ≥ 1 (a size or a symbol).
  bool setBatchDim(const Dim& batch, QString* error = nullptr);
  /// Adds a layer of `op` whose one input reads `tensor`, placed right after
  /// the tensor's producer, and moves the tensor's consumers and graph-output
  /// role to the new layer's output (named like the layer). Returns the new
  /// layer's name through `newLayer`.
  bool addLayerAfter(const QString& tensor, const QString& op, const Attributes& attrs, QString* newLayer = nullptr,
                     QString* error = nullptr);

 signals:
  /// A different model (or none) is shown; observers rebuild from snapshot().
  void modelReset();
  /// Opening `path` failed; `message` is one line naming the problem.
  void openFailed(const QString& path, const QString& message);
  /// A layer's name, attributes or wiring changed (after a rename: the new name).
  void layerChanged(const QString& name);
  /// A layer was renamed.
  void layerRenamed(const QString& from, const QString& to);
  /// A layer appeared (added, or restored by undo).
  void layerAdded(const QString& name);
  /// A layer went away (deleted, or an addition undone).
  void layerRemoved(const QString& name);
  /// The shapes of graph inputs changed.
  void inputsChanged();
  /// The model now differs from its file, or no longer does.
  void modifiedChanged(bool modified);
  /// The network after an edit (or a reset); shared and immutable.
  void networkChanged(std::shared_ptr<const kiln::Network> network);
  /// Shape inference failed after an edit; the edit stays applied.
  void inferenceFailed(const QString& message);
  /// The model was validated and written to `path`.
  void saved(const QString& path);
  /// Validation or writing failed; `path` is untouched. `reason` is one line.
  void saveFailed(const QString& path, const QString& reason);

 private:
  friend class EditCommand;
  Network& network() { return *network_; }
  /// Re-infers shapes, refreshes the snapshot and emits the signals of `effect`.
  void afterEdit(const EditEffect& effect);
  /// Prepares `command` against the network and pushes it; deletes it and
  /// reports why when it does not apply.
  bool push(EditCommand* command, QString* error);
  static bool refuse(const QString& why, QString* error);

  struct Outcome {
    QString path;
    std::shared_ptr<Network> network;
    QString error;
  };
  std::unique_ptr<Network> network_;
  std::shared_ptr<const Network> snapshot_;
  QString path_;
  QString inferenceError_;
  QUndoStack* undo_;
  QFutureWatcher<Outcome> openWatcher_;
  QFutureWatcher<QString> saveWatcher_;
  QString savingTo_;
  int savingIndex_ = -1;
};

}  // namespace kiln::ui
