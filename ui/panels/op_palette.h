// The op palette dock: a filterable list of ops to add to the model.
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace kiln::ui {

class ModelDocument;

/// Lists paletteOps() grouped by family, filtered as the user types.
/// Double-click or Enter on an op adds it after the target tensor through
/// the document (one undoable command).
class OpPalette : public QWidget {
  Q_OBJECT
 public:
  explicit OpPalette(QWidget* parent = nullptr);

  /// Adds to `document` (kept by pointer; it may be destroyed first).
  void setDocument(ModelDocument* document);
  /// Adds `op` after the target; false (and addFailed) when it cannot.
  bool addOp(const QString& op);
  /// Number of ops shown under the current filter.
  int visibleOpCount() const;

  QLineEdit* filterEdit() const { return filter_; }
  QTreeWidget* tree() const { return tree_; }

 public slots:
  /// New layers read `tensor`; empty disables adding.
  void setTargetTensor(const QString& tensor);
  /// New layers read the first output of `layer`.
  void setTargetLayer(const QString& layer);
  /// Shows only ops whose name or family contains `text` (case-insensitive).
  void setFilter(const QString& text);

 signals:
  /// A layer was added; a view may select it.
  void layerAdded(const QString& name);
  /// Adding failed; `message` is one line.
  void addFailed(const QString& message);

 private:
  void updateTargetLabel();

  QPointer<ModelDocument> document_;
  QString target_;
  QLineEdit* filter_;
  QTreeWidget* tree_;
  QLabel* targetLabel_;
};

}  // namespace kiln::ui
