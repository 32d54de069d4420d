#include "profiling_view.h"

#include <QAction>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMap>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QTextStream>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>
#include <qcustomplot.h>

#include "reports/chart_style.h"

namespace kiln::ui {

namespace {

enum ExportKind { kLayersCsv = 0, kLatencyCsv = 1, kJson = 2 };

bool writeText(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile file(path);
  if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit()) return true;
  if (error) *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
  return false;
}

QString csvField(const QString& s) {
  if (!s.contains(',') && !s.contains('"') && !s.contains('\n')) return s;
  return '"' + QString(s).replace('"', "\"\"") + '"';
}

double totalOf(const QVector<LayerTime>& layers) {
  return std::accumulate(layers.begin(), layers.end(), 0.0, [](double s, const LayerTime& l) { return s + l.totalMs; });
}

// Mean milliseconds per run by layer type, largest first.
QVector<QPair<QString, double>> byType(const QVector<LayerTime>& layers, qint64 runs) {
  QMap<QString, double> sums;
  for (const LayerTime& l : layers) sums[l.type] += l.totalMs;
  QVector<QPair<QString, double>> out;
  for (auto it = sums.cbegin(); it != sums.cend(); ++it) out.push_back({it.key(), runs > 0 ? it.value() / runs : 0});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

void horizontalBars(QCustomPlot* plot, const QVector<QPair<QString, double>>& rows, const QColor& colour) {
  plot->clearPlottables();
  auto* bars = new QCPBars(plot->yAxis, plot->xAxis);
  bars->setBrush(colour);
  bars->setPen(Qt::NoPen);
  bars->setWidth(0.7);
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  double most = 0;
  for (int i = 0; i < rows.size(); ++i) {
    bars->addData(i, rows[i].second);
    ticker->addTick(i, QString("%1  %2").arg(rows[i].first).arg(rows[i].second, 0, 'f', 3));
    most = std::max(most, rows[i].second);
  }
  plot->yAxis->setTicker(ticker);
  plot->yAxis->setRangeReversed(true);
  plot->yAxis->setRange(-0.6, std::max<int>(rows.size(), 1) - 0.4);
  plot->xAxis->setRange(0, most > 0 ? most * 1.1 : 1);
  plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace

ProfilingView::ProfilingView(QWidget* parent)
    : QWidget(parent),
      throughput_(new QLabel),
      status_(new QLabel),
      latency_(new QCustomPlot),
      layersPlot_(new QCustomPlot),
      typesPlot_(new QCustomPlot) {
  auto* toolbar = new QToolBar;
  toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  startAction_ = toolbar->addAction(tr("Start"), this, &ProfilingView::start);
  startAction_->setShortcut(QKeySequence(Qt::Key_F5));
  startAction_->setToolTip(tr("Run the engine continuously and measure it (F5)"));
  stopAction_ = toolbar->addAction(tr("Stop"), this, &ProfilingView::stop);
  stopAction_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
  stopAction_->setToolTip(tr("Stop profiling (Shift+F5)"));
  for (QAction* a : {startAction_, stopAction_}) a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  addActions({startAction_, stopAction_});
  auto* exportMenu = new QMenu(this);
  exportMenu->addAction(tr("Per-layer times as CSV…"), this, [this] { askAndExport(kLayersCsv); });
  exportMenu->addAction(tr("Latency series as CSV…"), this, [this] { askAndExport(kLatencyCsv); });
  exportMenu->addAction(tr("Everything as JSON…"), this, [this] { askAndExport(kJson); });
  exportAction_ = toolbar->addAction(tr("Export"));
  exportAction_->setMenu(exportMenu);
  if (auto* button = qobject_cast<QToolButton*>(toolbar->widgetForAction(exportAction_))) {
    button->setPopupMode(QToolButton::InstantPopup);
  }
  toolbar->addSeparator();
  QFont big = throughput_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  big.setBold(true);
  throughput_->setFont(big);
  toolbar->addWidget(throughput_);
  toolbar->addSeparator();
  toolbar->addWidget(status_);

  styleChart(latency_);
  latency_->addGraph();
  latency_->graph(0)->setPen(QPen(kAccent, 1.2));
  latency_->graph(0)->setLineStyle(QCPGraph::lsLine);
  latency_->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
  latency_->xAxis->setLabel(tr("time (s)"));
  latency_->yAxis->setLabel(tr("latency (ms)"));
  latency_->yAxis->grid()->setVisible(true);
  styleChart(layersPlot_);
  layersPlot_->xAxis->setLabel(tr("mean ms per run — %1 slowest layers").arg(kTopLayers));
  styleChart(typesPlot_);
  typesPlot_->xAxis->setLabel(tr("mean ms per run by layer type"));

  auto* bottom = new QSplitter;
  bottom->addWidget(layersPlot_);
  bottom->addWidget(typesPlot_);
  bottom->setStretchFactor(0, 3);
  bottom->setStretchFactor(1, 2);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(latency_);
  split->addWidget(bottom);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(toolbar);
  layout->addWidget(split, 1);

  connect(&worker_, &ProfilingWorker::sampled, this, &ProfilingView::onSample);
  connect(&worker_, &ProfilingWorker::stopped, this, [this] {
    status_->setText(tr("Stopped after %1 runs").arg(runs_));
    updateActions();
  });
  connect(&worker_, &ProfilingWorker::failed, this, [this](const QString& message) {
    status_->setText(tr("Failed: %1").arg(message));
    updateActions();
  });
  setEngine(nullptr);
}

void ProfilingView::setEngine(std::shared_ptr<const Engine> engine) {
  worker_.stop();
  engine_ = std::move(engine);
  status_->setText(engine_ ? tr("Ready: press Start (F5)") : tr("Build or open a plan to profile it"));
  updateActions();
}

void ProfilingView::start() {
  if (!engine_ || worker_.running()) return;
  layers_.clear();
  runSeconds_.clear();
  latencyMs_.clear();
  runs_ = 0;
  lastThroughput_ = 0;
  latency_->graph(0)->data()->clear();
  if (worker_.start(engine_)) status_->setText(tr("Profiling…"));
  updateActions();
}

void ProfilingView::stop() {
  worker_.stop();
  stopAction_->setEnabled(false);
}

void ProfilingView::updateActions() {
  // running() can still be true for a loop that was told to stop; Start waits for stopped().
  startAction_->setEnabled(engine_ && !worker_.running());
  stopAction_->setEnabled(worker_.running());
  exportAction_->setEnabled(runs_ > 0);
  throughput_->setText(runs_ > 0 ? tr("%1 runs/s").arg(lastThroughput_, 0, 'f', 1) : tr("— runs/s"));
}

void ProfilingView::onSample(const ProfilingSample& s) {
  if (layers_.isEmpty()) {
    layers_ = s.layers;
  } else if (layers_.size() == s.layers.size()) {
    for (qsizetype i = 0; i < layers_.size(); ++i) {
      LayerTime& l = layers_[i];
      const LayerTime& n = s.layers[i];
      l.minMs = l.calls ? std::min(l.minMs, n.minMs) : n.minMs;
      l.maxMs = std::max(l.maxMs, n.maxMs);
      l.calls += n.calls;
      l.totalMs += n.totalMs;
    }
  }
  runs_ += s.latencyMs.size();
  lastThroughput_ = s.throughput();
  runSeconds_ += s.runSeconds;
  latencyMs_ += s.latencyMs;
  if (latencyMs_.size() > kMaxHistory) {
    const qsizetype drop = latencyMs_.size() - kMaxHistory;
    runSeconds_.remove(0, drop);
    latencyMs_.remove(0, drop);
  }

  QCPGraph* g = latency_->graph(0);
  if (s.latencyMs.size() <= kMaxPlotPointsPerSample) {
    g->addData(s.runSeconds, s.latencyMs, true);
  } else {
    // Very fast engines finish thousands of runs per sample: plot a stride so redraws stay cheap.
    const qsizetype stride = s.latencyMs.size() / kMaxPlotPointsPerSample + 1;
    for (qsizetype i = 0; i < s.latencyMs.size(); i += stride) g->addData(s.runSeconds[i], s.latencyMs[i]);
  }
  g->data()->removeBefore(s.endSeconds - kWindowSeconds);
  latency_->xAxis->setRange(std::max(0.0, s.endSeconds - kWindowSeconds), std::max(s.endSeconds, 1.0));
  bool found = false;
  const QCPRange y = g->getValueRange(found);
  latency_->yAxis->setRange(0, found && y.upper > 0 ? y.upper * 1.15 : 1);
  latency_->replot(QCustomPlot::rpQueuedReplot);

  redrawLayers();
  redrawTypes();
  if (!worker_.running()) updateActions();
  else {
    exportAction_->setEnabled(true);
    throughput_->setText(tr("%1 runs/s").arg(lastThroughput_, 0, 'f', 1));
  }
  status_->setText(tr("Profiling… %1 runs").arg(runs_));
  emit sampleShown(int(s.latencyMs.size()));
}

void ProfilingView::redrawLayers() {
  QVector<const LayerTime*> order;
  for (const LayerTime& l : layers_) order.push_back(&l);
  const qsizetype n = std::min<qsizetype>(kTopLayers, order.size());
  std::partial_sort(order.begin(), order.begin() + n, order.end(),
                    [](auto* a, auto* b) { return a->totalMs > b->totalMs; });
  QVector<QPair<QString, double>> rows;
  for (qsizetype i = 0; i < n; ++i) rows.push_back({order[i]->name, runs_ > 0 ? order[i]->totalMs / runs_ : 0});
  horizontalBars(layersPlot_, rows, kAccent);
}

void ProfilingView::redrawTypes() { horizontalBars(typesPlot_, byType(layers_, runs_), seriesColour(1)); }

bool ProfilingView::exportLayersCsv(const QString& path, QString* error) const {
  QString text;
  QTextStream out(&text);
  out << kLayersCsvHeader << '\n';
  const double total = totalOf(layers_);
  for (const LayerTime& l : layers_) {
    out << csvField(l.name) << ',' << csvField(l.type) << ',' << l.calls << ','
        << QString::number(l.calls ? l.totalMs / l.calls : 0, 'g', 9) << ',' << QString::number(l.minMs, 'g', 9) << ','
        << QString::number(l.maxMs, 'g', 9) << ',' << QString::number(l.totalMs, 'g', 9) << ','
        << QString::number(total > 0 ? 100.0 * l.totalMs / total : 0, 'f', 3) << '\n';
  }
  out.flush();
  return writeText(path, text.toUtf8(), error);
}

bool ProfilingView::exportLatencyCsv(const QString& path, QString* error) const {
  QString text;
  QTextStream out(&text);
  out << "time_s,latency_ms\n";
  for (qsizetype i = 0; i < latencyMs_.size(); ++i) {
    out << QString::number(runSeconds_[i], 'f', 6) << ',' << QString::number(latencyMs_[i], 'g', 9) << '\n';
  }
  out.flush();
  return writeText(path, text.toUtf8(), error);
}

bool ProfilingView::exportJson(const QString& path, QString* error) const {
  QJsonArray layers;
  for (const LayerTime& l : layers_) {
    layers.append(QJsonObject{{"name", l.name}, {"type", l.type}, {"calls", l.calls},
                              {"meanMs", l.calls ? l.totalMs / l.calls : 0}, {"minMs", l.minMs},
                              {"maxMs", l.maxMs}, {"totalMs", l.totalMs}});
  }
  QJsonObject types;
  for (const auto& [type, ms] : byType(layers_, runs_)) types[type] = ms;
  QJsonArray latency;
  for (qsizetype i = 0; i < latencyMs_.size(); ++i) latency.append(QJsonArray{runSeconds_[i], latencyMs_[i]});
  const QJsonObject root{{"runs", runs_}, {"throughput", lastThroughput_}, {"layers", layers},
                         {"byType", types}, {"latency", latency}};
  return writeText(path, QJsonDocument(root).toJson(QJsonDocument::Indented), error);
}

void ProfilingView::askAndExport(int kind) {
  const QString filter = kind == kJson ? tr("JSON (*.json)") : tr("CSV (*.csv)");
  auto* dialog = new QFileDialog(this, tr("Export profile"), QString(), filter);
  dialog->setAcceptMode(QFileDialog::AcceptSave);
  dialog->setDefaultSuffix(kind == kJson ? "json" : "csv");
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QFileDialog::fileSelected, this, [this, kind](const QString& path) {
    QString error;
    const bool ok = kind == kLayersCsv    ? exportLayersCsv(path, &error)
                    : kind == kLatencyCsv ? exportLatencyCsv(path, &error)
                                          : exportJson(path, &error);
    if (!ok) {
      auto* box = new QMessageBox(QMessageBox::Warning, tr("Export failed"), error, QMessageBox::Ok, this);
      box->setAttribute(Qt::WA_DeleteOnClose);
      box->open();
    }
  });
  dialog->open();
}

}  // namespace kiln::ui
