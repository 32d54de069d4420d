#include "precision_override_table.h"

#include <QComboBox>
#include <QHeaderView>
#include <QKeyEvent>
#include <set>

namespace kiln::ui {

namespace {
constexpr Precision kAll[] = {Precision::kFP32, Precision::kTF32, Precision::kFP16,
                              Precision::kBF16, Precision::kINT8, Precision::kFP8};
}

PrecisionOverrideTable::PrecisionOverrideTable(QWidget* parent) : QTableWidget(0, 2, parent) {
  setHorizontalHeaderLabels({tr("Layer"), tr("Precision")});
  horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  verticalHeader()->hide();
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setToolTip(tr("Precision requests per layer; right-click a node in the graph to add one. Delete removes."));
}

void PrecisionOverrideTable::setOverride(const QString& layer, Precision precision) {
  int row = 0;
  while (row < rowCount() && item(row, 0)->text() != layer) ++row;
  if (row == rowCount()) {
    insertRow(row);
    auto* name = new QTableWidgetItem(layer);
    name->setFlags(name->flags() & ~Qt::ItemIsEditable);
    setItem(row, 0, name);
    auto* combo = new QComboBox;
    for (Precision p : kAll) combo->addItem(toString(p), int(p));
    setCellWidget(row, 1, combo);
  }
  auto* combo = static_cast<QComboBox*>(cellWidget(row, 1));
  combo->setCurrentIndex(combo->findData(int(precision)));
}

void PrecisionOverrideTable::setOverrides(const std::map<std::string, Precision>& overrides) {
  setRowCount(0);
  for (const auto& [layer, p] : overrides) setOverride(QString::fromStdString(layer), p);
}

std::map<std::string, Precision> PrecisionOverrideTable::overrides() const {
  std::map<std::string, Precision> result;
  for (int r = 0; r < rowCount(); ++r) {
    auto* combo = static_cast<QComboBox*>(cellWidget(r, 1));
    result[item(r, 0)->text().toStdString()] = Precision(combo->currentData().toInt());
  }
  return result;
}

void PrecisionOverrideTable::removeSelected() {
  std::set<int, std::greater<>> rows;
  for (const QModelIndex& i : selectionModel()->selectedRows()) rows.insert(i.row());
  for (int r : rows) removeRow(r);
}

void PrecisionOverrideTable::keyPressEvent(QKeyEvent* event) {
  if (event->matches(QKeySequence::Delete) || event->key() == Qt::Key_Backspace) removeSelected();
  else QTableWidget::keyPressEvent(event);
}

}  // namespace kiln::ui
