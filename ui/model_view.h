// Tables of a model's inputs, outputs and layers.
#pragma once

#include <QWidget>

#include "kiln/network.h"

class QTreeWidget;

namespace kiln::ui {

/// Shows what a loaded model holds: its inputs and outputs with types and
/// shapes, and every layer with its op, inputs and outputs.
class ModelView : public QWidget {
  Q_OBJECT
 public:
  explicit ModelView(QWidget* parent = nullptr);

  /// Replaces the shown model with `network` (copied into the tables).
  void show(const Network& network);
  /// Empties every table.
  void clear();

  QTreeWidget* ioTable() const { return io_; }
  QTreeWidget* layerTable() const { return layers_; }

 private:
  QTreeWidget* io_;
  QTreeWidget* layers_;
};

}  // namespace kiln::ui
