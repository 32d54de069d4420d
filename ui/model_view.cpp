#include "model_view.h"

#include <QHeaderView>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace kiln::ui {

namespace {
QString shapeOf(const Network& net, const std::string& name) {
  if (name.empty()) return QString();
  const Tensor* t = net.findTensor(name);
  if (!t) return QString::fromStdString(name);
  return QString::fromStdString(name) + "  " + toString(t->type) + " " + QString::fromStdString(t->dims.str());
}

QTreeWidget* makeTable(const QStringList& headers) {
  auto* t = new QTreeWidget;
  t->setHeaderLabels(headers);
  t->setRootIsDecorated(false);
  t->setAlternatingRowColors(true);
  t->setUniformRowHeights(true);  // keeps large models fast to scroll
  t->header()->setSectionResizeMode(QHeaderView::Interactive);
  return t;
}
}  // namespace

ModelView::ModelView(QWidget* parent) : QWidget(parent) {
  io_ = makeTable({tr("Role"), tr("Name"), tr("Type"), tr("Shape")});
  layers_ = makeTable({tr("#"), tr("Layer"), tr("Op"), tr("Inputs"), tr("Outputs")});
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(io_);
  split->addWidget(layers_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 4);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
}

void ModelView::clear() {
  io_->clear();
  layers_->clear();
}

void ModelView::show(const Network& net) {
  clear();
  auto addIo = [&](const QString& role, const std::string& name) {
    const Tensor& t = net.tensor(name);
    new QTreeWidgetItem(io_, {role, QString::fromStdString(name), toString(t.type), QString::fromStdString(t.dims.str())});
  };
  for (const auto& n : net.inputs()) addIo(tr("input"), n);
  for (const auto& n : net.outputs()) addIo(tr("output"), n);
  QList<QTreeWidgetItem*> rows;
  rows.reserve(int(net.layers().size()));
  int index = 0;
  for (const Layer& l : net.layers()) {
    QStringList ins, outs;
    for (const auto& i : l.inputs) {
      const Tensor* t = net.findTensor(i);
      if (!i.empty() && !(t && t->data)) ins << shapeOf(net, i);
    }
    for (const auto& o : l.outputs) outs << shapeOf(net, o);
    auto* item = new QTreeWidgetItem({QString::number(index++), QString::fromStdString(l.name),
                                      QString::fromStdString(l.op), ins.join(", "), outs.join(", ")});
    if (!isSupportedOp(l.op, l.domain)) item->setForeground(2, QBrush(Qt::red));
    rows << item;
  }
  layers_->addTopLevelItems(rows);
  for (int c = 0; c < 3; ++c) layers_->resizeColumnToContents(c);
  for (int c = 0; c < 4; ++c) io_->resizeColumnToContents(c);
}

}  // namespace kiln::ui
