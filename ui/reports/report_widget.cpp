#include "report_widget.h"

#include <QAction>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include "engine_layers_view.h"
#include "kiln/report.h"
#include "memory_view.h"
#include "passes_view.h"
#include "precision_chart.h"
#include "tactic_chart.h"

namespace kiln::ui {

namespace {

bool writeBytes(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile file(path);  // replaces the old file only once everything is written
  if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit()) return true;
  if (error) *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
  return false;
}

}  // namespace

ReportWidget::ReportWidget(QWidget* parent)
    : QWidget(parent),
      summary_(new QLabel),
      tabs_(new QTabWidget),
      layers_(new EngineLayersView),
      tactics_(new TacticChart),
      precision_(new PrecisionChart),
      memory_(new MemoryView),
      passes_(new PassesView) {
  auto* toolbar = new QToolBar;
  toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  QAction* saveReport = toolbar->addAction(tr("Save Report…"), this, [this] { askAndSave(false); });
  saveReport->setToolTip(tr("Save the build report as JSON"));
  savePlanAction_ = toolbar->addAction(tr("Save Plan…"), this, [this] { askAndSave(true); });
  savePlanAction_->setToolTip(tr("Save the built plan (Ctrl+Shift+S)"));
  savePlanAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
  savePlanAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  addAction(savePlanAction_);
  toolbar->addSeparator();
  toolbar->addWidget(summary_);

  auto* split = new QSplitter;
  split->addWidget(layers_);
  split->addWidget(tactics_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  tabs_->addTab(split, tr("Layers"));
  tabs_->addTab(precision_, tr("Precision"));
  tabs_->addTab(memory_, tr("Memory"));
  tabs_->addTab(passes_, tr("Passes"));

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(toolbar);
  layout->addWidget(tabs_, 1);

  connect(layers_, &EngineLayersView::layerSelected, this, [this](int i) {
    if (i >= 0 && size_t(i) < report_.layers.size()) tactics_->setLayer(report_.layers[size_t(i)]);
  });
  connect(layers_, &EngineLayersView::originSelected, this, &ReportWidget::originSelected);
  setReport(BuildReport{});
}

void ReportWidget::setReport(const BuildReport& report, const QByteArray& planBytes) {
  report_ = report;
  plan_ = planBytes;
  layers_->setReport(report_);
  tactics_->clear();
  precision_->setReport(report_);
  memory_->setReport(report_);
  passes_->setReport(report_);
  savePlanAction_->setEnabled(!plan_.isEmpty());
  summary_->setText(report_.layers.empty()
                        ? tr("No build yet")
                        : tr("%1 · %2 (%3) · %4 ONNX nodes → %5 layers · built in %6 s · timing cache %7 hits, %8 misses%9")
                              .arg(QString::fromStdString(report_.model), QString::fromStdString(report_.target),
                                   QString::fromStdString(report_.device))
                              .arg(report_.onnxNodes)
                              .arg(report_.layers.size())
                              .arg(report_.buildSeconds, 0, 'f', 2)
                              .arg(report_.timingCacheHits)
                              .arg(report_.timingCacheMisses)
                              .arg(report_.warnings.empty() ? QString() : tr(" · %1 warnings").arg(report_.warnings.size())));
  QStringList warnings;
  for (const auto& w : report_.warnings) warnings << QString::fromStdString(w);
  summary_->setToolTip(warnings.join("\n"));
}

bool ReportWidget::saveReport(const QString& path, QString* error) const {
  return writeBytes(path, QByteArray::fromStdString(reportToJson(report_)), error);
}

bool ReportWidget::savePlan(const QString& path, QString* error) const {
  if (plan_.isEmpty()) {
    if (error) *error = tr("There is no plan to save.");
    return false;
  }
  return writeBytes(path, plan_, error);
}

void ReportWidget::askAndSave(bool plan) {
  auto* dialog = new QFileDialog(this, plan ? tr("Save plan") : tr("Save report"), QString(),
                                 plan ? tr("Kiln plans (*.plan)") : tr("JSON (*.json)"));
  dialog->setAcceptMode(QFileDialog::AcceptSave);
  dialog->setDefaultSuffix(plan ? "plan" : "json");
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QFileDialog::fileSelected, this, [this, plan](const QString& path) {
    QString error;
    if (!(plan ? savePlan(path, &error) : saveReport(path, &error))) {
      auto* box = new QMessageBox(QMessageBox::Warning, tr("Save failed"), error, QMessageBox::Ok, this);
      box->setAttribute(Qt::WA_DeleteOnClose);
      box->open();
    }
  });
  dialog->open();
}

}  // namespace kiln::ui
