#include "engine_layers_view.h"

#include <QHeaderView>

namespace kiln::ui {

namespace {

// Sorts by the number in Qt::UserRole rather than by the displayed text.
class NumberItem : public QTableWidgetItem {
 public:
  NumberItem(const QString& text, double value) : QTableWidgetItem(text) {
    setData(Qt::UserRole, value);
    setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  }
  bool operator<(const QTableWidgetItem& other) const override {
    return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
  }
};

QStringList toQt(const std::vector<std::string>& v) {
  QStringList l;
  for (const auto& s : v) l << QString::fromStdString(s);
  return l;
}

QTableWidgetItem* textItem(const std::string& s) {
  auto* item = new QTableWidgetItem(QString::fromStdString(s));
  item->setToolTip(item->text());
  return item;
}

}  // namespace

EngineLayersView::EngineLayersView(QWidget* parent) : QTableWidget(0, kColumnCount, parent) {
  setHorizontalHeaderLabels({tr("#"), tr("Layer"), tr("Type"), tr("Precision"), tr("Tactic"), tr("Time (ms)"), tr("Origin")});
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setAlternatingRowColors(true);
  setWordWrap(false);
  verticalHeader()->hide();
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  horizontalHeader()->setStretchLastSection(true);
  horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  connect(this, &QTableWidget::itemSelectionChanged, this, &EngineLayersView::onSelectionChanged);
}

void EngineLayersView::setReport(const BuildReport& report) {
  setSortingEnabled(false);
  clearContents();
  setRowCount(int(report.layers.size()));
  origins_.clear();
  fusionGroups_.clear();
  for (size_t i = 0; i < report.layers.size(); ++i) {
    const LayerReport& l = report.layers[i];
    const int row = int(i);
    const QStringList origin = toQt(l.origin);
    origins_ << origin;
    if (origin.size() > 1) fusionGroups_ << origin;
    setItem(row, kIndex, new NumberItem(QString::number(i), double(i)));
    setItem(row, kName, textItem(l.name));
    setItem(row, kType, textItem(l.type));
    setItem(row, kPrecision, textItem(l.precision));
    setItem(row, kTactic, textItem(l.tactic));
    setItem(row, kTime, new NumberItem(l.ms >= 0 ? QString::number(l.ms, 'f', 4) : tr("—"), l.ms));
    auto* originItem = new QTableWidgetItem(origin.join(", "));
    originItem->setToolTip(origin.join("\n"));
    setItem(row, kOrigin, originItem);
  }
  setSortingEnabled(true);
  sortByColumn(kIndex, Qt::AscendingOrder);
  resizeColumnsToContents();
  for (int c : {kName, kTactic}) setColumnWidth(c, std::min(columnWidth(c), 260));
  clearSelection();
}

void EngineLayersView::selectLayer(int index) {
  for (int r = 0; r < rowCount(); ++r) {
    if (item(r, kIndex)->data(Qt::UserRole).toInt() == index) {
      selectRow(r);
      scrollToItem(item(r, kIndex));
      return;
    }
  }
}

void EngineLayersView::onSelectionChanged() {
  const QList<QTableWidgetItem*> items = selectedItems();
  if (items.isEmpty()) return;
  const int index = item(items.first()->row(), kIndex)->data(Qt::UserRole).toInt();
  emit layerSelected(index);
  emit originSelected(origins_.value(index));
}

}  // namespace kiln::ui
