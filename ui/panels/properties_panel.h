// The properties dock: what the selected layer or tensor is, and the edits
// that apply to it.
#pragma once

#include <QFutureWatcher>
#include <QPointer>
#include <QWidget>
#include <memory>

#include "panels/tensor_stats.h"

class QCustomPlot;
class QGroupBox;
class QLabel;
class QLineEdit;
class QTableWidget;
class QTableWidgetItem;
class QTreeWidget;
class QTreeWidgetItem;

namespace kiln {
class Network;
struct Layer;
}  // namespace kiln

namespace kiln::ui {

class ModelDocument;

/// Shows the selected layer (name, op, domain, origin, attributes, inputs and
/// outputs with shapes and types, and statistics of its weights) or tensor (a
/// graph input with its editable shape, a constant with its statistics).
/// Edits go through the document's undoable commands; text that does not
/// parse shows an error and changes nothing.
class PropertiesPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PropertiesPanel(QWidget* parent = nullptr);
  ~PropertiesPanel() override;

  /// Follows `document` (kept by pointer; it may be destroyed first).
  void setDocument(ModelDocument* document);

  /// The shown stat as displayed: "elements", "min", "max", "mean" or "std".
  QString statText(const QString& which) const;
  /// The error line, empty when hidden.
  QString errorText() const;
  QTableWidget* attributeTable() const { return attributes_; }
  QTreeWidget* inputsTable() const { return inputs_; }
  QTreeWidget* outputsTable() const { return outputs_; }
  QLineEdit* nameEdit() const { return name_; }
  QLineEdit* shapeEdit() const { return shape_; }
  QLineEdit* batchEdit() const { return batch_; }
  QCustomPlot* histogram() const { return plot_; }

 public slots:
  /// Shows a layer; an unknown name clears the panel.
  void showLayer(const QString& name);
  /// Shows a tensor: a graph input, a constant or a layer's output.
  void showTensor(const QString& name);
  /// Shows nothing.
  void clearSelection();

 signals:
  /// An edit typed into the panel was refused; `message` is one line.
  void editFailed(const QString& message);

 private:
  struct StatsResult {
    QString tensor;
    TensorStats stats;
  };
  void refresh();
  void showNothing();
  void fillLayer(const Network& net, const Layer& layer);
  void fillTensor(const Network& net, const QString& name);
  void fillTensorRows(QTreeWidget* table, const Network& net, const std::vector<std::string>& names);
  void showStatsOf(const Network& net, const QString& tensor);
  void showStats(const StatsResult& result);
  void onAttributeEdited(QTableWidgetItem* item);
  void onNameEdited();
  void onShapeEdited();
  void onBatchEdited();
  void onInputClicked(QTreeWidgetItem* item);
  void showError(const QString& message);

  QPointer<ModelDocument> document_;
  QString layer_;   ///< the shown layer, or empty
  QString tensor_;  ///< the shown tensor when no layer is shown
  QString statsTensor_;
  bool filling_ = false;

  QLabel* title_;
  QLabel* error_;
  QLineEdit* name_;
  QLabel* opKey_;
  QLabel* op_;
  QLabel* domainKey_;
  QLabel* domain_;
  QLabel* originKey_;
  QLabel* origin_;
  QGroupBox* attributesBox_;
  QTableWidget* attributes_;
  QGroupBox* inputsBox_;
  QTreeWidget* inputs_;
  QGroupBox* outputsBox_;
  QTreeWidget* outputs_;
  QGroupBox* shapeBox_;
  QLineEdit* shape_;
  QLineEdit* batch_;
  QGroupBox* statsBox_;
  QLabel* statLabels_[5];
  QCustomPlot* plot_;
  QFutureWatcher<StatsResult> statsWatcher_;
};

}  // namespace kiln::ui
