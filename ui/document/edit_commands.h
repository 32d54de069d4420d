// The undoable edits of a ModelDocument. Commands hold values (names,
// attributes, saved layers and tensors), never pointers into the network:
// the network is rebuilt by some edits, and undo must survive that.
#pragma once

#include <QStringList>
#include <QUndoCommand>
#include <map>
#include <optional>
#include <utility>

#include "document/model_document.h"
#include "document/network_edits.h"

namespace kiln::ui {

/// What one edit touched, for the document's change signals.
struct EditEffect {
  QStringList changed;  ///< layers whose name, attributes or wiring changed
  QStringList added;    ///< layers that appeared
  QStringList removed;  ///< layers that went away
  std::optional<std::pair<QString, QString>> renamed;  ///< a layer's old and new name
  bool inputs = false;  ///< graph input shapes changed
};

/// Base of the document's edits: checks the edit against the network once
/// (prepare), then applies it or its exact inverse on redo and undo.
class EditCommand : public QUndoCommand {
 public:
  /// The command keeps `document`, which owns the undo stack holding it.
  EditCommand(ModelDocument* document, const QString& text) : QUndoCommand(text), document_(document) {}

  /// Reads what the edit needs; false with a one-line `error` when it cannot apply.
  virtual bool prepare(const Network& network, QString* error) = 0;
  void redo() final;
  void undo() final;

 protected:
  /// Applies the edit, or with `forward` false its inverse; returns what changed.
  virtual EditEffect apply(Network& network, bool forward) = 0;

 private:
  void run(bool forward);
  ModelDocument* document_;
};

/// Renames a layer and optionally its single output tensor.
class RenameLayerCommand : public EditCommand {
 public:
  RenameLayerCommand(ModelDocument* document, std::string from, std::string to, bool renameOutput);
  bool prepare(const Network& network, QString* error) override;

 protected:
  EditEffect apply(Network& network, bool forward) override;

 private:
  std::string from_, to_;
  bool renameOutput_;
  std::string outputFrom_;  ///< the output tensor renamed with the layer; empty when none
};

/// Sets or removes one attribute; consecutive edits of the same one merge.
class SetAttributeCommand : public EditCommand {
 public:
  SetAttributeCommand(ModelDocument* document, std::string layer, std::string name, std::optional<Attribute> value);
  bool prepare(const Network& network, QString* error) override;
  int id() const override { return 1; }
  bool mergeWith(const QUndoCommand* other) override;

 protected:
  EditEffect apply(Network& network, bool forward) override;

 private:
  std::string layer_, name_;
  std::optional<Attribute> before_, after_;
};

/// Deletes a layer, rewiring its consumers to its input when it has one data
/// input and one output.
class DeleteLayerCommand : public EditCommand {
 public:
  DeleteLayerCommand(ModelDocument* document, std::string name, bool allowDangling);
  bool prepare(const Network& network, QString* error) override;

  /// The data input a deleted layer's consumers would read instead, or empty
  /// when the layer cannot be cut out (not one data input and one output).
  static std::string bypassInput(const Network& network, const Layer& layer);

 protected:
  EditEffect apply(Network& network, bool forward) override;

 private:
  std::string name_;
  bool allowDangling_;
  Layer layer_;
  size_t index_ = 0;
  std::string bypass_;               ///< what consumers read instead; empty when they dangle
  std::vector<TensorUse> rewired_;   ///< consumer slots moved to bypass_
  std::vector<Tensor> outputs_;      ///< the layer's output tensors, restored by undo
  std::vector<std::string> graphOutputsBefore_, graphOutputsAfter_;
};

/// Changes the declared shapes of graph inputs.
class SetInputShapesCommand : public EditCommand {
 public:
  SetInputShapesCommand(ModelDocument* document, const QString& text, std::map<std::string, Dims> shapes);
  bool prepare(const Network& network, QString* error) override;

 protected:
  EditEffect apply(Network& network, bool forward) override;

 private:
  std::map<std::string, Dims> after_, before_;
};

/// Inserts a layer after a tensor and moves the tensor's readers to its output.
class AddLayerCommand : public EditCommand {
 public:
  AddLayerCommand(ModelDocument* document, std::string tensor, std::string op, Attributes attrs);
  bool prepare(const Network& network, QString* error) override;
  /// The new layer's name, known after prepare().
  const std::string& layerName() const { return layer_.name; }

 protected:
  EditEffect apply(Network& network, bool forward) override;

 private:
  std::string tensor_;
  Layer layer_;
  size_t index_ = 0;
  std::vector<TensorUse> rewired_;
  std::vector<std::string> graphOutputsBefore_, graphOutputsAfter_;
};

}  // namespace kiln::ui
