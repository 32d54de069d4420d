#include "shape_profile_table.h"

#include <QHeaderView>

#include "build_settings.h"

namespace kiln::ui {

namespace {
enum Column { kInput = 0, kMin = 1, kOpt = 2, kMax = 3 };

bool within(const std::vector<int64_t>& lo, const std::vector<int64_t>& hi) {
  if (lo.size() != hi.size()) return false;
  for (size_t i = 0; i < lo.size(); ++i) {
    if (lo[i] > hi[i]) return false;
  }
  return true;
}
}  // namespace

ShapeProfileTable::ShapeProfileTable(QWidget* parent) : QTableWidget(0, 4, parent) {
  setHorizontalHeaderLabels({tr("Input"), tr("Min"), tr("Opt"), tr("Max")});
  horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  verticalHeader()->hide();
  setSelectionBehavior(QAbstractItemView::SelectItems);
  setToolTip(tr("Shape range per input, e.g. 1x3x224x224. Tactics are timed at Opt; memory is planned for Max."));
  connect(this, &QTableWidget::itemChanged, this, &ShapeProfileTable::validate);
}

void ShapeProfileTable::setInputs(const Network& network) {
  const QSignalBlocker block(this);
  setRowCount(0);
  for (const std::string& name : network.inputs()) {
    const Tensor& t = network.tensor(name);
    if (t.isConstant()) continue;
    QString text;
    if (t.dims.rankKnown) {
      std::vector<int64_t> sizes;
      for (const Dim& d : t.dims.d) sizes.push_back(d.known() ? d.value : 1);
      text = shapeText(sizes);
    }
    const int row = rowCount();
    insertRow(row);
    auto* input = new QTableWidgetItem(QString::fromStdString(name));
    input->setFlags(input->flags() & ~Qt::ItemIsEditable);
    input->setToolTip(QString::fromStdString(t.dims.str()) + " " + toString(t.type));
    setItem(row, kInput, input);
    for (int c : {kMin, kOpt, kMax}) setItem(row, c, new QTableWidgetItem(text));
  }
  for (int r = 0; r < rowCount(); ++r) {
    for (int c : {kMin, kOpt, kMax}) validate(item(r, c));
  }
}

void ShapeProfileTable::applyProfile(const OptimizationProfile& profile) {
  for (int r = 0; r < rowCount(); ++r) {
    auto it = profile.inputs.find(item(r, kInput)->text().toStdString());
    if (it == profile.inputs.end()) continue;
    item(r, kMin)->setText(shapeText(it->second.min));
    item(r, kOpt)->setText(shapeText(it->second.opt));
    item(r, kMax)->setText(shapeText(it->second.max));
  }
}

std::optional<OptimizationProfile> ShapeProfileTable::profile(QString* error) const {
  OptimizationProfile p;
  for (int r = 0; r < rowCount(); ++r) {
    const QString input = item(r, kInput)->text();
    auto mn = parseShapeText(item(r, kMin)->text());
    auto opt = parseShapeText(item(r, kOpt)->text());
    auto mx = parseShapeText(item(r, kMax)->text());
    QString why;
    if (!mn || !opt || !mx) why = tr("write shapes as 1x3x224x224");
    else if (!within(*mn, *opt) || !within(*opt, *mx)) why = tr("needs min ≤ opt ≤ max in every dimension, at one rank");
    if (!why.isEmpty()) {
      if (error) *error = tr("Input '%1': %2").arg(input, why);
      return std::nullopt;
    }
    p.inputs[input.toStdString()] = ShapeRange{*mn, *opt, *mx};
  }
  return p;
}

void ShapeProfileTable::validate(QTableWidgetItem* cell) {
  if (!cell || cell->column() == kInput) return;
  const bool ok = parseShapeText(cell->text()).has_value();
  const QSignalBlocker block(this);
  cell->setForeground(ok ? palette().text() : QBrush(QColor(0xd0, 0x30, 0x30)));
  cell->setToolTip(ok ? QString() : tr("Not a shape: write sizes joined by x, e.g. 1x3x224x224"));
}

}  // namespace kiln::ui
