// The main window's wiring of graph, properties, build, report and profiling.
#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QTreeWidget>

#include "build/build_panel.h"
#include "build/console_widget.h"
#include "document/model_document.h"
#include "graph/graph_view.h"
#include "graph/graph_widget.h"
#include "main_window.h"
#include "model_view.h"
#include "panels/op_palette.h"
#include "panels/properties_panel.h"
#include "profiling/plan_loader.h"
#include "profiling/profiling_view.h"
#include "reports/engine_layers_view.h"
#include "reports/report_widget.h"

namespace kiln::ui {

void MainWindow::connectGraph() {
  connect(graph_, &GraphWidget::layerSelected, this, &MainWindow::selectLayer);
  connect(graph_, &GraphWidget::layerContextMenuRequested, this, &MainWindow::showLayerMenu);
  connect(graph_, &GraphWidget::layoutFailed, this,
          [this](const QString& message) { statusBar()->showMessage(tr("Graph layout failed: %1").arg(message)); });
  connect(modelView_->layerTable(), &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item) selectLayer(item->text(1));
  });
  connect(properties_, &PropertiesPanel::editFailed, this,
          [this](const QString& message) { statusBar()->showMessage(message, 8000); });
  connect(palette_, &OpPalette::addFailed, this, [this](const QString& message) { showError(tr("Cannot add"), message); });
  connect(palette_, &OpPalette::layerAdded, this, &MainWindow::selectLayer);
  connect(report_, &ReportWidget::originSelected, graph_->view(), &GraphView::highlightLayers);
}

void MainWindow::connectBuild() {
  connect(build_->worker(), &BuildWorker::logMessage, console_, &ConsoleWidget::appendMessage);
  connect(build_, &BuildPanel::buildFinished, this, [this](const QByteArray& plan, const BuildReport& report) {
    statusBar()->showMessage(tr("Built %1 layers; loading the plan…").arg(report.layers.size()));
    planLoader_->openBytes(plan, document_->displayName());
  });
  connect(build_, &BuildPanel::buildFailed, this, [this](const QString& message) {
    statusBar()->showMessage(tr("Build failed"), 5000);
    showError(tr("Build failed"), message);
  });
  connect(build_, &BuildPanel::buildCancelled, this,
          [this] { statusBar()->showMessage(tr("Build cancelled; the previous report stays"), 5000); });
  connect(planLoader_, &PlanLoader::loaded, this, &MainWindow::onPlanLoaded);
  connect(planLoader_, &PlanLoader::failed, this, [this](const QString& name, const QString& message) {
    statusBar()->showMessage(tr("Could not load plan %1").arg(QFileInfo(name).fileName()), 5000);
    showError(tr("Cannot load plan"), message);
  });
  connect(profiling_->worker(), &ProfilingWorker::failed, this,
          [this](const QString& message) { showError(tr("Profiling stopped"), message); });
}

void MainWindow::selectLayer(const QString& layer) {
  selectedLayer_ = layer;
  properties_->showLayer(layer);
  palette_->setTargetLayer(layer);
}

void MainWindow::showLayerMenu(const QString& layer, const QPoint& globalPos) {
  selectLayer(layer);
  auto* menu = new QMenu(this);
  menu->setAttribute(Qt::WA_DeleteOnClose);
  for (Precision p : {Precision::kFP32, Precision::kFP16, Precision::kBF16}) {
    const QString name = toString(p);
    menu->addAction(tr("Run in %1").arg(name), this, [this, layer, p, name] {
      build_->addPrecisionOverride(layer, p);
      statusBar()->showMessage(tr("%1 will run in %2 in the next build").arg(layer, name), 5000);
    });
  }
  menu->addSeparator();
  menu->addAction(tr("Delete Layer"), this, [this, layer] { deleteLayer(layer); });
  menu->popup(globalPos);
}

void MainWindow::deleteLayer(const QString& layer) {
  if (layer.isEmpty() || !document_->hasModel()) return;
  if (!document_->deleteWouldDangle(layer)) {
    QString error;
    if (!document_->deleteLayer(layer, false, &error)) showError(tr("Cannot delete"), error);
    return;
  }
  auto* box = new QMessageBox(QMessageBox::Question, tr("Delete layer"),
                              tr("Other layers read the outputs of %1. Delete it and leave their inputs "
                                 "unconnected?").arg(layer),
                              QMessageBox::Yes | QMessageBox::Cancel, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  connect(box, &QMessageBox::accepted, this, [this, layer] {
    QString error;
    if (!document_->deleteLayer(layer, true, &error)) showError(tr("Cannot delete"), error);
  });
  box->open();
}

void MainWindow::applyFusionOverlay() {
  const bool on = findChild<QAction*>("fusionOverlay", Qt::FindDirectChildrenOnly)->isChecked();
  graph_->view()->setFusionGroups(on ? report_->layersView()->fusionGroups() : QList<QStringList>{});
}

void MainWindow::onPlanLoaded(const LoadedPlan& plan) {
  showPlan(plan, report_, profiling_);
  hasPlan_ = true;
  applyFusionOverlay();
  raise(report_);
  const QString name = QFileInfo(plan.name).fileName();
  const int layers = int(plan.engine->report().layers.size());
  if (plan.bytes.isEmpty()) {
    rememberRecent(plan.name);
    statusBar()->showMessage(tr("Plan %1: %2 engine layers. Report and profiling only; the graph keeps the model.")
                                 .arg(name)
                                 .arg(layers));
  } else {
    statusBar()->showMessage(tr("Built %1: %2 engine layers. F5 profiles it.").arg(name).arg(layers), 8000);
  }
  emit planShown(plan.name);
}

void MainWindow::askExportGraph(bool svg) {
  const QString base = QFileInfo(document_->path()).completeBaseName();
  const QString path = QFileDialog::getSaveFileName(this, tr("Export graph"), base + (svg ? ".svg" : ".png"),
                                                    svg ? tr("SVG images (*.svg)") : tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  const bool ok = svg ? graph_->view()->exportSvg(path) : graph_->view()->exportPng(path);
  if (ok) statusBar()->showMessage(tr("Exported the graph to %1").arg(path), 4000);
  else showError(tr("Export failed"), tr("Could not write %1.").arg(path));
}

void MainWindow::askSaveReport(bool plan) {
  if (!hasPlan_) {
    showError(tr("Nothing to save"), tr("Build the model or open a plan first."));
    return;
  }
  const QString base = QFileInfo(document_->path()).completeBaseName();
  const QString path = QFileDialog::getSaveFileName(this, plan ? tr("Save plan") : tr("Save report"),
                                                    base + (plan ? ".plan" : ".report.json"),
                                                    plan ? tr("Plans (*.plan)") : tr("JSON (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  const bool ok = plan ? report_->savePlan(path, &error) : report_->saveReport(path, &error);
  if (ok) statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
  else showError(tr("Save failed"), error);
}

}  // namespace kiln::ui
