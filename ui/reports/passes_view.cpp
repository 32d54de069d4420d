#include "passes_view.h"

#include <QHeaderView>

namespace kiln::ui {

PassesView::PassesView(QWidget* parent) : QTreeWidget(parent) {
  setHeaderLabels({tr("Pass / change"), tr("Changes"), tr("Time (ms)"), tr("Result")});
  setAlternatingRowColors(true);
  header()->setStretchLastSection(false);
  header()->setSectionResizeMode(0, QHeaderView::Stretch);
}

void PassesView::setReport(const BuildReport& report) {
  clear();
  for (const PassRecord& p : report.passes) {
    auto* pass = new QTreeWidgetItem(this, {QString::fromStdString(p.name), QString::number(p.changes.size()),
                                            QString::number(p.ms, 'f', 3)});
    pass->setTextAlignment(1, Qt::AlignRight);
    pass->setTextAlignment(2, Qt::AlignRight);
    if (p.changes.empty()) pass->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
    for (const PassChange& c : p.changes) {
      auto* change = new QTreeWidgetItem(pass, {QString::fromStdString(c.description), {}, {}, QString::fromStdString(c.result)});
      QStringList removed;
      for (const auto& r : c.removed) removed << QString::fromStdString(r);
      change->setToolTip(0, removed.isEmpty() ? change->text(0) : tr("Removed: %1").arg(removed.join(", ")));
    }
    pass->setExpanded(!p.changes.empty());
  }
  resizeColumnToContents(1);
  resizeColumnToContents(2);
  resizeColumnToContents(3);
}

}  // namespace kiln::ui
