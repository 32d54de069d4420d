#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>

#include "model_view.h"

namespace kiln::ui {

namespace {
constexpr int kMaxRecent = 8;
}

QString sampleModelPath() {
  const QString dir = QCoreApplication::applicationDirPath();
  for (const QString& candidate : {dir + "/../resources/sample.onnx", dir + "/../share/kiln/samples/sample.onnx"}) {
    if (QFileInfo::exists(candidate)) return QFileInfo(candidate).canonicalFilePath();
  }
  return {};
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), view_(new ModelView) {
  setWindowTitle(tr("Kiln Studio"));
  setCentralWidget(view_);
  setAcceptDrops(true);
  createActions();
  createStatusBar();
  connect(&loader_, &ModelLoader::loaded, this, &MainWindow::showModel);
  connect(&loader_, &ModelLoader::failed, this, [this](const QString& path, const QString& message) {
    statusBar()->showMessage(tr("Could not open %1").arg(QFileInfo(path).fileName()), 5000);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot open model"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // non-blocking: the UI thread never waits
    emit openFailed(path, message);
  });
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  if (!settings.contains("window/geometry")) resize(1200, 800);
}

void MainWindow::createActions() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open…"), this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Open model"), QString(), tr("ONNX models (*.onnx);;All files (*)"));
    if (!path.isEmpty()) openFile(path);
  });
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &Sample"), this, [this] {
    const QString sample = sampleModelPath();
    if (sample.isEmpty()) QMessageBox::information(this, tr("Sample"), tr("The bundled sample model is not installed."));
    else openFile(sample);
  });
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  rebuildRecentMenu();
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Kiln"), this, [this] {
    QMessageBox::about(this, tr("About Kiln"),
                       tr("<b>Kiln Studio</b><p>Turns ONNX models into fast inference plans for NVIDIA GPUs.</p>"));
  });
}

void MainWindow::createStatusBar() {
  summaryLabel_ = new QLabel(tr("No model"));
  statusBar()->addPermanentWidget(summaryLabel_);
}

void MainWindow::openFile(const QString& path) {
  statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
  loader_.load(path);
}

void MainWindow::showModel(const LoadedModel& model) {
  model_ = model;
  view_->show(model_);
  setWindowTitle(tr("%1 — Kiln Studio").arg(QFileInfo(model.path).fileName()));
  const NetworkSummary& s = model.summary;
  summaryLabel_->setText(tr("%1 layers · %2 parameters%3")
                             .arg(s.layerCount)
                             .arg(s.parameterCount)
                             .arg(s.unsupportedOps.empty() ? QString() : tr(" · %1 unsupported ops").arg(s.unsupportedOps.size())));
  statusBar()->showMessage(tr("Opened %1").arg(model.path), 4000);
  rememberRecent(model.path);
  emit modelShown(model.path);
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

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile() && url.toLocalFile().endsWith(".onnx", Qt::CaseInsensitive)) {
      event->acceptProposedAction();
      return;
    }
  }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile()) {
      openFile(url.toLocalFile());
      return;
    }
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  event->accept();
}

}  // namespace kiln::ui
