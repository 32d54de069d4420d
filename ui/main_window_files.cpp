// The main window's files: open, save, recent files, drag and drop, and the
// unsaved-changes prompt.
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>

#include "build/build_panel.h"
#include "document/model_document.h"
#include "graph/graph_widget.h"
#include "kiln/summary.h"
#include "main_window.h"
#include "model_view.h"
#include "profiling/plan_loader.h"

namespace kiln::ui {

namespace {
constexpr int kMaxRecent = 8;

bool isPlan(const QString& path) { return path.endsWith(".plan", Qt::CaseInsensitive); }
bool isOpenable(const QString& path) { return isPlan(path) || path.endsWith(".onnx", Qt::CaseInsensitive); }
}  // namespace

void MainWindow::connectDocument() {
  connect(document_, &ModelDocument::modelReset, this, &MainWindow::onModelReset);
  connect(document_, &ModelDocument::networkChanged, this, &MainWindow::onNetworkChanged);
  connect(document_, &ModelDocument::modifiedChanged, this, &MainWindow::updateTitle);
  connect(document_, &ModelDocument::openFailed, this, [this](const QString& path, const QString& message) {
    statusBar()->showMessage(tr("Could not open %1").arg(QFileInfo(path).fileName()), 5000);
    showError(tr("Cannot open model"), message);
    emit openFailed(path, message);
  });
  connect(document_, &ModelDocument::saved, this, [this](const QString& path) {
    statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
    rememberRecent(path);
    updateTitle();
    emit saved(path);
    if (auto next = std::exchange(afterSave_, nullptr)) next();
  });
  connect(document_, &ModelDocument::saveFailed, this, [this](const QString& path, const QString& reason) {
    afterSave_ = nullptr;  // the document stays open: nothing is lost
    showError(tr("Cannot save model"), tr("%1 was not written:\n%2").arg(path, reason));
  });
  connect(document_, &ModelDocument::inferenceFailed, this,
          [this](const QString& message) { statusBar()->showMessage(tr("Shape inference: %1").arg(message), 8000); });
}

void MainWindow::openFile(const QString& path) {
  if (isPlan(path)) {
    statusBar()->showMessage(tr("Loading plan %1…").arg(QFileInfo(path).fileName()));
    planLoader_->openFile(path);
    return;
  }
  whenDocumentMayClose([this, path] {
    statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    document_->open(path);
  });
}

bool MainWindow::saveTo(const QString& path) {
  if (!document_->hasModel()) return false;
  if (path.isEmpty() && document_->path().isEmpty()) {
    askSaveAs();
    return false;
  }
  if (!document_->save(path)) return false;
  statusBar()->showMessage(tr("Validating and saving…"));
  return true;
}

void MainWindow::askOpen() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open model or plan"), QFileInfo(document_->path()).path(),
                                                    tr("Models and plans (*.onnx *.plan);;All files (*)"));
  if (!path.isEmpty()) openFile(path);
}

void MainWindow::askSaveAs() {
  if (!document_->hasModel()) return;
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Save model as"), document_->path(), tr("ONNX models (*.onnx)"));
  if (!path.isEmpty()) saveTo(path);
}

// Runs `next` once the document may be replaced or closed: at once, after a
// save the user asked for, or never when the user cancels.
void MainWindow::whenDocumentMayClose(std::function<void()> next) {
  switch (decideBeforeClosing(document_->isModified(), askSave_)) {
    case CloseStep::kProceed:
      next();
      break;
    case CloseStep::kSaveFirst:
      afterSave_ = std::move(next);
      if (!saveTo()) afterSave_ = nullptr;
      break;
    case CloseStep::kStay:
      break;
  }
}

void MainWindow::onModelReset() {
  selectedLayer_.clear();
  updateTitle();
  if (document_->path().isEmpty()) return;
  statusBar()->showMessage(tr("Opened %1").arg(document_->path()), 4000);
  rememberRecent(document_->path());
  emit modelShown(document_->path());
}

void MainWindow::onNetworkChanged(std::shared_ptr<const Network> network) {
  graph_->setNetwork(network);
  applyFusionOverlay();  // a new layout drops the hulls
  build_->setNetwork(network);
  modelView_->show(*network);
  const NetworkSummary s = summarize(*network);
  summaryLabel_->setText(tr("%1 layers · %2 parameters%3")
                             .arg(s.layerCount)
                             .arg(QLocale().toString(qlonglong(s.parameterCount)))
                             .arg(s.unsupportedOps.empty() ? QString()
                                                           : tr(" · %1 unsupported ops").arg(s.unsupportedOps.size())));
}

void MainWindow::updateTitle() {
  setWindowTitle(document_->hasModel() ? tr("%1[*] — Kiln Studio").arg(document_->displayName()) : tr("Kiln Studio"));
  setWindowModified(document_->isModified());
}

void MainWindow::rememberRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value("recentFiles").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue("recentFiles", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value("recentFiles").toStringList();
  for (const QString& path : recent) {
    recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
  }
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::showError(const QString& title, const QString& message) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // non-blocking: the UI thread never waits
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile() && isOpenable(url.toLocalFile())) {
      event->acceptProposedAction();
      return;
    }
  }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile() && isOpenable(url.toLocalFile())) {
      openFile(url.toLocalFile());
      event->acceptProposedAction();
      return;
    }
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  const CloseStep step = decideBeforeClosing(document_->isModified(), askSave_);
  if (step == CloseStep::kProceed) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState(kStateVersion));
    event->accept();
    return;
  }
  event->ignore();
  if (step == CloseStep::kSaveFirst) {
    afterSave_ = [this] { close(); };
    if (!saveTo()) afterSave_ = nullptr;
  }
}

}  // namespace kiln::ui
