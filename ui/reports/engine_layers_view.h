// The built engine's layers as a sortable table.
#pragma once

#include <QList>
#include <QStringList>
#include <QTableWidget>

#include "kiln/report.h"

namespace kiln::ui {

/// One row per layer of a BuildReport: #, name, type, precision, tactic,
/// time and origin, in execution order until the user sorts by a column.
class EngineLayersView : public QTableWidget {
  Q_OBJECT
 public:
  /// Columns, in order.
  enum Column { kIndex = 0, kName, kType, kPrecision, kTactic, kTime, kOrigin, kColumnCount };

  explicit EngineLayersView(QWidget* parent = nullptr);

  /// Shows `report`'s layers (copied); clears the selection.
  void setReport(const BuildReport& report);
  /// The origin of every layer standing for more than one ONNX node, in layer
  /// order: the groups the graph's fusion overlay draws.
  QList<QStringList> fusionGroups() const { return fusionGroups_; }
  /// Selects the row of the report's layer `index` (execution order).
  void selectLayer(int index);

 signals:
  /// The selected layer stands for these ONNX nodes (for the graph to highlight).
  void originSelected(const QStringList& origin);
  /// The selected layer's index in the report's layers.
  void layerSelected(int index);

 private:
  void onSelectionChanged();

  QList<QStringList> origins_;
  QList<QStringList> fusionGroups_;
};

}  // namespace kiln::ui
