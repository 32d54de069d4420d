#include "panels/properties_panel.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <qcustomplot.h>

#include "document/model_document.h"
#include "document/network_edits.h"
#include "document/value_text.h"

namespace kiln::ui {

namespace {
constexpr int64_t kInlineStatsLimit = 1 << 16;  // above this, stats are computed on a worker
const char* const kStatNames[5] = {"elements", "min", "max", "mean", "std"};

QString q(const std::string& s) { return QString::fromStdString(s); }

QString number(double v) { return QString::number(v, 'g', 4); }

// Tables inside a scroll area show all their rows rather than scrolling twice.
void fitHeight(QAbstractItemView* view, int rows, int headerHeight) {
  const int row = view->fontMetrics().height() + 6;
  view->setFixedHeight(headerHeight + row * std::max(rows, 1) + 2 * view->frameWidth() + 2);
}

QTreeWidget* makeTensorTable() {
  auto* t = new QTreeWidget;
  t->setHeaderLabels({QObject::tr("Tensor"), QObject::tr("Type"), QObject::tr("Shape"), QObject::tr("Kind")});
  t->setRootIsDecorated(false);
  t->setUniformRowHeights(true);
  t->setAlternatingRowColors(true);
  t->header()->setStretchLastSection(false);
  t->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  t->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  return t;
}
}  // namespace

PropertiesPanel::PropertiesPanel(QWidget* parent) : QWidget(parent) {
  auto* content = new QWidget;
  auto* column = new QVBoxLayout(content);

  title_ = new QLabel;
  QFont big = title_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  big.setBold(true);
  title_->setFont(big);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #c0392b;");
  error_->hide();
  column->addWidget(title_);
  column->addWidget(error_);

  auto* form = new QFormLayout;
  name_ = new QLineEdit;
  name_->setToolTip(tr("Press Enter to rename (undoable)"));
  op_ = new QLabel;
  domain_ = new QLabel;
  origin_ = new QLabel;
  opKey_ = new QLabel(tr("Op"));
  domainKey_ = new QLabel(tr("Domain"));
  originKey_ = new QLabel(tr("Origin"));
  for (QLabel* l : {op_, domain_, origin_}) {
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
  }
  form->addRow(tr("Name"), name_);
  form->addRow(opKey_, op_);
  form->addRow(domainKey_, domain_);
  form->addRow(originKey_, origin_);
  column->addLayout(form);

  attributesBox_ = new QGroupBox(tr("Attributes"));
  attributes_ = new QTableWidget(0, 3);
  attributes_->setHorizontalHeaderLabels({tr("Name"), tr("Type"), tr("Value")});
  attributes_->verticalHeader()->hide();
  attributes_->verticalHeader()->setDefaultSectionSize(attributes_->fontMetrics().height() + 6);
  attributes_->horizontalHeader()->setStretchLastSection(true);
  attributes_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  attributes_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                               QAbstractItemView::AnyKeyPressed);
  (new QVBoxLayout(attributesBox_))->addWidget(attributes_);
  column->addWidget(attributesBox_);

  inputsBox_ = new QGroupBox(tr("Inputs"));
  inputs_ = makeTensorTable();
  (new QVBoxLayout(inputsBox_))->addWidget(inputs_);
  column->addWidget(inputsBox_);
  outputsBox_ = new QGroupBox(tr("Outputs"));
  outputs_ = makeTensorTable();
  (new QVBoxLayout(outputsBox_))->addWidget(outputs_);
  column->addWidget(outputsBox_);

  shapeBox_ = new QGroupBox(tr("Input shape"));
  auto* shapeForm = new QFormLayout(shapeBox_);
  shape_ = new QLineEdit;
  shape_->setPlaceholderText("batch, 3, 224, 224");
  shape_->setToolTip(tr("Sizes, symbols or ?, separated by commas; Enter applies"));
  batch_ = new QLineEdit;
  batch_->setPlaceholderText(tr("4 or batch"));
  batch_->setToolTip(tr("Sets dimension 0 of every graph input; Enter applies"));
  shapeForm->addRow(tr("Shape"), shape_);
  shapeForm->addRow(tr("Batch (all inputs)"), batch_);
  column->addWidget(shapeBox_);

  statsBox_ = new QGroupBox(tr("Weights"));
  auto* statsColumn = new QVBoxLayout(statsBox_);
  auto* grid = new QGridLayout;
  for (int i = 0; i < 5; ++i) {
    statLabels_[i] = new QLabel;
    statLabels_[i]->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(new QLabel(tr(kStatNames[i])), i / 3 * 2, i % 3);
    grid->addWidget(statLabels_[i], i / 3 * 2 + 1, i % 3);
    QFont f = statLabels_[i]->font();
    f.setBold(true);
    statLabels_[i]->setFont(f);
  }
  statsColumn->addLayout(grid);
  plot_ = new QCustomPlot;
  plot_->setMinimumHeight(150);
  plot_->xAxis->setLabel(tr("value"));
  plot_->yAxis->setLabel(tr("count"));
  auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
  bars->setPen(Qt::NoPen);
  bars->setBrush(QColor(52, 120, 198));
  statsColumn->addWidget(plot_);
  column->addWidget(statsBox_);
  column->addStretch(1);

  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // a dock is narrow: wrap and elide, never scroll sideways
  scroll->setWidget(content);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);

  connect(attributes_, &QTableWidget::itemChanged, this, &PropertiesPanel::onAttributeEdited);
  connect(name_, &QLineEdit::returnPressed, this, &PropertiesPanel::onNameEdited);
  connect(shape_, &QLineEdit::returnPressed, this, &PropertiesPanel::onShapeEdited);
  connect(batch_, &QLineEdit::returnPressed, this, &PropertiesPanel::onBatchEdited);
  connect(inputs_, &QTreeWidget::itemClicked, this, &PropertiesPanel::onInputClicked);
  connect(&statsWatcher_, &QFutureWatcher<StatsResult>::finished, this,
          [this] { showStats(statsWatcher_.result()); });
  showNothing();
}

PropertiesPanel::~PropertiesPanel() { statsWatcher_.waitForFinished(); }

void PropertiesPanel::setDocument(ModelDocument* document) {
  if (document_) disconnect(document_, nullptr, this, nullptr);
  document_ = document;
  clearSelection();
  if (!document) return;
  connect(document, &ModelDocument::modelReset, this, &PropertiesPanel::clearSelection);
  connect(document, &ModelDocument::layerRenamed, this, [this](const QString& from, const QString& to) {
    if (layer_ == from) layer_ = to;
  });
  // Queued: an edit typed into a table must finish before the table is refilled.
  connect(document, &ModelDocument::networkChanged, this, &PropertiesPanel::refresh, Qt::QueuedConnection);
}

void PropertiesPanel::showLayer(const QString& name) {
  layer_ = name;
  tensor_.clear();
  error_->hide();
  refresh();
}

void PropertiesPanel::showTensor(const QString& name) {
  layer_.clear();
  tensor_ = name;
  error_->hide();
  refresh();
}

void PropertiesPanel::clearSelection() {
  layer_.clear();
  tensor_.clear();
  error_->hide();
  showNothing();
}

QString PropertiesPanel::statText(const QString& which) const {
  for (int i = 0; i < 5; ++i) {
    if (which == kStatNames[i]) return statLabels_[i]->text();
  }
  return {};
}

QString PropertiesPanel::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void PropertiesPanel::showNothing() {
  title_->setText(tr("Nothing selected"));
  for (QWidget* w : std::initializer_list<QWidget*>{name_, opKey_, op_, domainKey_, domain_, originKey_, origin_,
                                                    attributesBox_, inputsBox_, outputsBox_, shapeBox_, statsBox_}) {
    w->hide();
  }
  statsTensor_.clear();
}

void PropertiesPanel::refresh() {
  auto net = document_ ? document_->snapshot() : nullptr;
  if (!net) return showNothing();
  if (!layer_.isEmpty()) {
    const int index = findLayer(*net, layer_.toStdString());
    if (index < 0) return clearSelection();
    fillLayer(*net, net->layers()[size_t(index)]);
  } else if (!tensor_.isEmpty() && net->findTensor(tensor_.toStdString())) {
    fillTensor(*net, tensor_);
  } else {
    clearSelection();
  }
}

void PropertiesPanel::fillLayer(const Network& net, const Layer& layer) {
  filling_ = true;
  title_->setText(q(layer.op) + "   " + q(layer.name));
  name_->setText(q(layer.name));
  name_->setEnabled(true);
  opKey_->setText(tr("Op"));
  op_->setText(q(layer.op) + (isSupportedOp(layer.op, layer.domain) ? QString() : tr("  (Kiln cannot run it)")));
  domainKey_->setText(tr("Domain"));
  domain_->setText(layer.domain.empty() ? "ai.onnx" : q(layer.domain));
  originKey_->setText(tr("Origin"));
  QStringList origin;
  for (const auto& o : layer.origin) origin << q(o);
  origin_->setText(origin.join(", "));

  attributes_->setRowCount(int(layer.attrs.size()));
  int row = 0;
  for (const auto& [name, a] : layer.attrs) {
    auto* key = new QTableWidgetItem(q(name));
    key->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    auto* kind = new QTableWidgetItem(attributeKindName(a.kind));
    kind->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    kind->setData(Qt::UserRole, int(a.kind));
    auto* value = new QTableWidgetItem(attributeToText(a));
    value->setFlags(isEditableKind(a.kind) ? value->flags() | Qt::ItemIsEditable : Qt::ItemIsEnabled);
    value->setToolTip(isEditableKind(a.kind) ? tr("Double-click or F2 to edit") : tr("Not editable here"));
    attributes_->setItem(row, 0, key);
    attributes_->setItem(row, 1, kind);
    attributes_->setItem(row, 2, value);
    ++row;
  }
  attributes_->resizeColumnToContents(0);
  attributes_->resizeColumnToContents(1);
  fitHeight(attributes_, attributes_->rowCount(), attributes_->horizontalHeader()->sizeHint().height());
  attributesBox_->setTitle(tr("Attributes (%1)").arg(layer.attrs.size()));

  fillTensorRows(inputs_, net, layer.inputs);
  fillTensorRows(outputs_, net, layer.outputs);
  for (QWidget* w : std::initializer_list<QWidget*>{name_, opKey_, op_, domainKey_, domain_, originKey_, origin_,
                                                    attributesBox_, inputsBox_, outputsBox_}) {
    w->show();
  }
  shapeBox_->hide();
  filling_ = false;

  QString weights = statsTensor_;
  const auto& ins = layer.inputs;
  if (std::find(ins.begin(), ins.end(), weights.toStdString()) == ins.end()) weights.clear();
  for (size_t i = 0; weights.isEmpty() && i < ins.size(); ++i) {
    const Tensor* t = net.findTensor(ins[i]);
    if (t && t->isConstant()) weights = q(ins[i]);
  }
  if (weights.isEmpty()) {
    statsBox_->hide();
    statsTensor_.clear();
  } else {
    showStatsOf(net, weights);
  }
}

void PropertiesPanel::fillTensor(const Network& net, const QString& name) {
  const Tensor& t = net.tensor(name.toStdString());
  const auto& inputs = net.inputs();
  const bool isInput = std::find(inputs.begin(), inputs.end(), t.name) != inputs.end();
  const int producer = producerOf(net, t.name);
  QString role = isInput ? tr("Graph input") : t.isConstant() ? tr("Constant") : tr("Tensor");
  if (isGraphOutput(net, t.name)) role += tr(" (graph output)");
  title_->setText(role + "   " + name);
  name_->setText(name);
  name_->setEnabled(false);  // tensors are renamed through their producing layer
  opKey_->setText(tr("Type"));
  op_->setText(toString(t.type));
  domainKey_->setText(tr("Shape"));
  domain_->setText(q(t.dims.str()));
  originKey_->setText(producer >= 0 ? tr("Made by") : tr("Read by"));
  QStringList readers;
  for (const auto& u : consumersOf(net, t.name)) readers << q(u.layer);
  origin_->setText(producer >= 0 ? q(net.layers()[size_t(producer)].name) : readers.join(", "));
  for (QWidget* w : std::initializer_list<QWidget*>{name_, opKey_, op_, domainKey_, domain_, originKey_, origin_}) {
    w->show();
  }
  for (QWidget* w : std::initializer_list<QWidget*>{attributesBox_, inputsBox_, outputsBox_}) w->hide();
  shapeBox_->setVisible(isInput);
  if (isInput) {
    shape_->setText(dimsToText(t.dims));
    batch_->setText(t.dims.rankKnown && t.dims.rank() > 0 ? dimToText(t.dims[0]) : QString());
  }
  if (t.isConstant()) showStatsOf(net, name);
  else statsBox_->hide();
}

void PropertiesPanel::fillTensorRows(QTreeWidget* table, const Network& net, const std::vector<std::string>& names) {
  table->clear();
  const auto& graphInputs = net.inputs();
  for (const auto& n : names) {
    const Tensor* t = n.empty() ? nullptr : net.findTensor(n);
    QString kind = n.empty() ? tr("omitted")
                   : !t ? tr("missing")
                   : t->isConstant() ? tr("weights")
                   : std::find(graphInputs.begin(), graphInputs.end(), n) != graphInputs.end() ? tr("graph input")
                   : isGraphOutput(net, n) ? tr("graph output")
                                           : tr("activation");
    auto* item = new QTreeWidgetItem(table, {n.empty() ? QString("—") : q(n), t ? QString(toString(t->type)) : QString(),
                                             t ? q(t->dims.str()) : QString(), kind});
    if (!t && !n.empty()) item->setForeground(3, QColor(192, 57, 43));
  }
  for (int c = 1; c < 4; ++c) table->resizeColumnToContents(c);
  fitHeight(table, table->topLevelItemCount(), table->header()->sizeHint().height());
}

void PropertiesPanel::showStatsOf(const Network& net, const QString& tensor) {
  const Tensor* t = net.findTensor(tensor.toStdString());
  if (!t || !t->data) return statsBox_->hide();
  statsBox_->setTitle(tr("Weights: %1  (%2 %3)").arg(tensor, toString(t->type), q(t->dims.str())));
  statsBox_->show();
  if (statsTensor_ == tensor && !statLabels_[0]->text().isEmpty()) return;  // constants do not change under edits
  statsTensor_ = tensor;
  if (t->data->numel() <= kInlineStatsLimit) return showStats({tensor, computeTensorStats(*t->data)});
  for (QLabel* l : statLabels_) l->setText("…");
  statsWatcher_.setFuture(QtConcurrent::run([tensor, data = t->data]() {
    return StatsResult{tensor, computeTensorStats(*data)};
  }));
}

void PropertiesPanel::showStats(const StatsResult& r) {
  if (r.tensor != statsTensor_) return;  // the selection moved on while it was computed
  const TensorStats& s = r.stats;
  statLabels_[0]->setText(QLocale().toString(qlonglong(s.count)) +
                          (s.nanCount ? tr("  (%1 NaN)").arg(s.nanCount) : QString()));
  statLabels_[1]->setText(number(s.min));
  statLabels_[2]->setText(number(s.max));
  statLabels_[3]->setText(number(s.mean));
  statLabels_[4]->setText(number(s.stddev));
  auto* bars = qobject_cast<QCPBars*>(plot_->plottable(0));
  QVector<double> keys, values;
  for (size_t i = 0; i < s.bins.size(); ++i) {
    keys << s.binLow + (double(i) + 0.5) * s.binWidth;
    values << double(s.bins[i]);
  }
  bars->setWidth(s.binWidth);
  bars->setData(keys, values, true);
  plot_->rescaleAxes();
  plot_->yAxis->setRangeLower(0);
  plot_->replot();
}

void PropertiesPanel::showError(const QString& message) {
  error_->setText(message);
  error_->show();
  emit editFailed(message);
}

void PropertiesPanel::onAttributeEdited(QTableWidgetItem* item) {
  if (filling_ || !document_ || item->column() != 2) return;
  const int row = item->row();
  const QString name = attributes_->item(row, 0)->text();
  const auto kind = Attribute::Kind(attributes_->item(row, 1)->data(Qt::UserRole).toInt());
  QString why;
  auto value = attributeFromText(kind, item->text(), &why);
  if (value && document_->setAttribute(layer_, name, std::move(value), &why)) {
    error_->hide();
    return;
  }
  showError(tr("%1: %2").arg(name, why));
  // Puts the document's value back, once the table has finished with the item.
  QMetaObject::invokeMethod(this, &PropertiesPanel::refresh, Qt::QueuedConnection);
}

void PropertiesPanel::onNameEdited() {
  if (!document_ || layer_.isEmpty() || name_->text() == layer_) return;
  auto net = document_->snapshot();
  const int index = findLayer(*net, layer_.toStdString());
  // Keep the exporters' convention of an output named after its layer.
  const bool renameOutput = index >= 0 && net->layers()[size_t(index)].outputs == std::vector{layer_.toStdString()};
  QString why;
  if (document_->renameLayer(layer_, name_->text(), renameOutput, &why)) return error_->hide();
  showError(tr("Rename: %1").arg(why));
  name_->setText(layer_);
}

void PropertiesPanel::onShapeEdited() {
  if (!document_ || tensor_.isEmpty()) return;
  QString why;
  auto dims = dimsFromText(shape_->text(), &why);
  if (dims && document_->setInputShape(tensor_, *dims, &why)) return error_->hide();
  showError(tr("Shape: %1").arg(why));
}

void PropertiesPanel::onBatchEdited() {
  if (!document_) return;
  QString why;
  auto dim = dimFromText(batch_->text(), &why);
  if (dim && document_->setBatchDim(*dim, &why)) return error_->hide();
  showError(tr("Batch: %1").arg(why));
}

void PropertiesPanel::onInputClicked(QTreeWidgetItem* item) {
  auto net = document_ ? document_->snapshot() : nullptr;
  if (net && item->text(3) == tr("weights")) showStatsOf(*net, item->text(0));
}

}  // namespace kiln::ui
