#include "panels/op_palette.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "document/model_document.h"
#include "document/network_edits.h"
#include "document/op_catalog.h"
#include "document/value_text.h"

namespace kiln::ui {

namespace {
constexpr int kOpRole = Qt::UserRole;
}

OpPalette::OpPalette(QWidget* parent) : QWidget(parent) {
  filter_ = new QLineEdit;
  filter_->setPlaceholderText(tr("Filter ops…"));
  filter_->setClearButtonEnabled(true);
  tree_ = new QTreeWidget;
  tree_->setHeaderLabels({tr("Op"), tr("Defaults")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  tree_->setUniformRowHeights(true);
  targetLabel_ = new QLabel;
  targetLabel_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(filter_);
  layout->addWidget(tree_, 1);
  layout->addWidget(targetLabel_);

  QTreeWidgetItem* family = nullptr;
  for (const auto& entry : paletteOps()) {
    if (!family || family->text(0) != entry.family) {
      family = new QTreeWidgetItem(tree_, {entry.family});
      family->setFlags(Qt::ItemIsEnabled);
      QFont f = family->font(0);
      f.setBold(true);
      family->setFont(0, f);
    }
    QStringList defaults;
    for (const auto& [name, a] : entry.defaults) defaults << QString::fromStdString(name) + "=" + attributeToText(a);
    auto* item = new QTreeWidgetItem(family, {entry.op, defaults.join("  ")});
    item->setData(0, kOpRole, entry.op);
    item->setToolTip(0, tr("Double-click or Enter: add %1 after the selected tensor").arg(entry.op));
  }
  tree_->expandAll();

  connect(filter_, &QLineEdit::textChanged, this, &OpPalette::setFilter);
  // Enter in the filter adds the first op that matches, as in command palettes.
  connect(filter_, &QLineEdit::returnPressed, this, [this] {
    for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
      if (!(*it)->isHidden() && !(*it)->data(0, kOpRole).toString().isEmpty()) {
        addOp((*it)->data(0, kOpRole).toString());
        return;
      }
    }
  });
  connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
    const QString op = item->data(0, kOpRole).toString();
    if (!op.isEmpty()) addOp(op);
  });
  updateTargetLabel();
}

void OpPalette::setDocument(ModelDocument* document) {
  if (document_) disconnect(document_, nullptr, this, nullptr);
  document_ = document;
  target_.clear();
  if (document) connect(document, &ModelDocument::modelReset, this, [this] { setTargetTensor({}); });
  updateTargetLabel();
}

void OpPalette::setTargetTensor(const QString& tensor) {
  target_ = tensor;
  updateTargetLabel();
}

void OpPalette::setTargetLayer(const QString& layer) {
  auto net = document_ ? document_->snapshot() : nullptr;
  const int index = net ? findLayer(*net, layer.toStdString()) : -1;
  const auto* outputs = index >= 0 ? &net->layers()[size_t(index)].outputs : nullptr;
  setTargetTensor(outputs && !outputs->empty() ? QString::fromStdString(outputs->front()) : QString());
}

void OpPalette::setFilter(const QString& text) {
  for (int f = 0; f < tree_->topLevelItemCount(); ++f) {
    QTreeWidgetItem* family = tree_->topLevelItem(f);
    const bool familyMatches = family->text(0).contains(text, Qt::CaseInsensitive);
    int shown = 0;
    for (int i = 0; i < family->childCount(); ++i) {
      QTreeWidgetItem* item = family->child(i);
      const bool match = familyMatches || item->text(0).contains(text, Qt::CaseInsensitive);
      item->setHidden(!match);
      shown += match;
    }
    family->setHidden(shown == 0);
  }
}

int OpPalette::visibleOpCount() const {
  int n = 0;
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    if ((*it)->data(0, kOpRole).toString().isEmpty()) continue;  // a family row
    n += !(*it)->isHidden() && !(*it)->parent()->isHidden();
  }
  return n;
}

bool OpPalette::addOp(const QString& op) {
  QString why = tr("select a layer or tensor to add %1 after").arg(op);
  QString name;
  if (document_ && !target_.isEmpty()) {
    for (const auto& entry : paletteOps()) {
      if (entry.op == op && document_->addLayerAfter(target_, op, entry.defaults, &name, &why)) {
        emit layerAdded(name);
        setTargetTensor(name);  // a second Enter chains the next op after this one
        return true;
      }
    }
  }
  emit addFailed(why);
  return false;
}

void OpPalette::updateTargetLabel() {
  targetLabel_->setText(target_.isEmpty() ? tr("Select a layer or tensor to add after it.")
                                          : tr("Adds after <b>%1</b>").arg(target_.toHtmlEscaped()));
}

}  // namespace kiln::ui
