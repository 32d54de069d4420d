#include "main_window.h"

#include <QAction>
#include <QCoreApplication>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>

#include "build/build_panel.h"
#include "build/console_widget.h"
#include "document/model_document.h"
#include "graph/graph_view.h"
#include "graph/graph_widget.h"
#include "model_view.h"
#include "panels/op_palette.h"
#include "panels/properties_panel.h"
#include "profiling/plan_loader.h"
#include "profiling/profiling_view.h"
#include "reports/report_widget.h"

namespace kiln::ui {

QString sampleModelPath() {
  const QString dir = QCoreApplication::applicationDirPath();
  for (const QString& candidate : {dir + "/../resources/sample.onnx", dir + "/../share/kiln/samples/sample.onnx"}) {
    if (QFileInfo::exists(candidate)) return QFileInfo(candidate).canonicalFilePath();
  }
  return {};
}

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), document_(new ModelDocument(this)), planLoader_(new PlanLoader(this)) {
  askSave_ = [this] { return askToSaveChanges(this, document_->displayName()); };
  setAcceptDrops(true);
  setDockNestingEnabled(true);
  createPanels();
  createActions();
  createMenus();
  createToolBar();
  createDocks();
  createStatusBar();
  claimWindowShortcuts();
  connectDocument();
  connectGraph();
  connectBuild();
  restoreSettings();
  updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createPanels() {
  graph_ = new GraphWidget;
  setCentralWidget(graph_);
  properties_ = new PropertiesPanel;
  properties_->setDocument(document_);
  palette_ = new OpPalette;
  palette_->setDocument(document_);
  build_ = new BuildPanel;
  console_ = new ConsoleWidget;
  report_ = new ReportWidget;
  profiling_ = new ProfilingView;
  modelView_ = new ModelView;
}

QAction* MainWindow::makeAction(const QString& name, const QString& text, const QKeySequence& key, const QString& tip) {
  auto* action = new QAction(text, this);
  action->setObjectName(name);
  action->setShortcut(key);
  action->setToolTip(key.isEmpty() ? tip : tr("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
  action->setStatusTip(tip);
  addAction(action);  // shortcuts work while the menu bar is hidden, too
  return action;
}

void MainWindow::createActions() {
  connect(makeAction("open", tr("&Open…"), QKeySequence::Open, tr("Open an ONNX model or a plan")),
          &QAction::triggered, this, &MainWindow::askOpen);
  connect(makeAction("openSample", tr("Open &Sample"), {}, tr("Open the bundled sample model")), &QAction::triggered,
          this, [this] {
            const QString sample = sampleModelPath();
            if (sample.isEmpty()) showError(tr("Sample"), tr("The bundled sample model is not installed."));
            else openFile(sample);
          });
  connect(makeAction("save", tr("&Save"), QKeySequence::Save, tr("Validate and save the model")), &QAction::triggered,
          this, [this] { saveTo(); });
  connect(makeAction("saveAs", tr("Save &As…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                     tr("Validate and save the model to a new file")),
          &QAction::triggered, this, &MainWindow::askSaveAs);
  connect(makeAction("exportPng", tr("Export Graph as &PNG…"), {}, tr("Write the whole graph as an image")),
          &QAction::triggered, this, [this] { askExportGraph(false); });
  connect(makeAction("exportSvg", tr("Export Graph as S&VG…"), {}, tr("Write the whole graph as SVG")),
          &QAction::triggered, this, [this] { askExportGraph(true); });
  connect(makeAction("savePlan", tr("Save P&lan…"), {}, tr("Save the built plan")), &QAction::triggered, this,
          [this] { askSaveReport(true); });
  connect(makeAction("saveReport", tr("Save &Report…"), {}, tr("Save the build report as JSON")),
          &QAction::triggered, this, [this] { askSaveReport(false); });
  connect(makeAction("quit", tr("&Quit"), QKeySequence::Quit, tr("Quit Kiln Studio")), &QAction::triggered, this,
          &QWidget::close);

  QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
  undo->setObjectName("undo");
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
  redo->setObjectName("redo");
  redo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
  addActions({undo, redo});
  connect(makeAction("deleteLayer", tr("&Delete Layer"), QKeySequence::Delete, tr("Delete the selected layer")),
          &QAction::triggered, this, [this] { deleteLayer(selectedLayer_); });

  connect(makeAction("fit", tr("&Fit Graph"), QKeySequence(Qt::Key_F), tr("Fit the whole graph into the view")),
          &QAction::triggered, this, [this] { graph_->view()->fitAll(); });
  // Del and F belong to the graph: in tables and text fields they edit or search.
  for (const char* name : {"deleteLayer", "fit"}) {
    QAction* a = findChild<QAction*>(name, Qt::FindDirectChildrenOnly);
    removeAction(a);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    graph_->addAction(a);
  }
  connect(makeAction("find", tr("F&ind…"), QKeySequence::Find, tr("Find layers and tensors")), &QAction::triggered,
          graph_, &GraphWidget::showFind);
  connect(makeAction("zoomIn", tr("Zoom &In"), QKeySequence::ZoomIn, tr("Zoom into the graph")), &QAction::triggered,
          this, [this] { graph_->view()->zoomIn(); });
  connect(makeAction("zoomOut", tr("Zoom &Out"), QKeySequence::ZoomOut, tr("Zoom out of the graph")),
          &QAction::triggered, this, [this] { graph_->view()->zoomOut(); });
  QAction* overlay = makeAction("fusionOverlay", tr("Fusion &Overlay"), QKeySequence(Qt::CTRL | Qt::Key_U),
                                tr("Outline the layers each engine layer fused"));
  overlay->setCheckable(true);
  connect(overlay, &QAction::toggled, this, &MainWindow::applyFusionOverlay);

  connect(makeAction("build", tr("&Build"), QKeySequence(Qt::CTRL | Qt::Key_B), tr("Build a plan of the model")),
          &QAction::triggered, this, [this] {
            raise(build_);
            build_->build();
          });
  connect(makeAction("cancelBuild", tr("&Cancel Build"), {}, tr("Stop the running build")), &QAction::triggered,
          build_, &BuildPanel::cancel);
  connect(makeAction("startProfiling", tr("&Start Profiling"), QKeySequence(Qt::Key_F5),
                     tr("Run the engine continuously and measure it")),
          &QAction::triggered, this, [this] {
            raise(profiling_);
            profiling_->start();
          });
  connect(makeAction("stopProfiling", tr("S&top Profiling"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
                     tr("Stop profiling")),
          &QAction::triggered, profiling_, &ProfilingView::stop);
}

void MainWindow::createMenus() {
  auto act = [this](const char* name) { return findChild<QAction*>(name, Qt::FindDirectChildrenOnly); };
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addActions({act("open"), act("openSample")});
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  rebuildRecentMenu();
  file->addSeparator();
  file->addActions({act("save"), act("saveAs")});
  file->addSeparator();
  file->addActions({act("exportPng"), act("exportSvg"), act("savePlan"), act("saveReport")});
  file->addSeparator();
  file->addAction(act("quit"));

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addActions({act("undo"), act("redo")});
  edit->addSeparator();
  edit->addActions({act("deleteLayer"), act("find")});

  viewMenu_ = menuBar()->addMenu(tr("&View"));
  viewMenu_->addActions({act("fit"), act("zoomIn"), act("zoomOut"), act("fusionOverlay")});
  viewMenu_->addSeparator();  // the docks' toggles follow, added with the docks

  QMenu* build = menuBar()->addMenu(tr("&Build"));
  build->addActions({act("build"), act("cancelBuild")});
  build->addSeparator();
  build->addActions({act("startProfiling"), act("stopProfiling")});

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Kiln"), this, [this] {
    auto* box = new QMessageBox(QMessageBox::Information, tr("About Kiln"),
                                tr("<b>Kiln Studio</b><p>Turns ONNX models into fast inference plans.</p>"),
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  });
}

void MainWindow::createToolBar() {
  auto act = [this](const char* name) { return findChild<QAction*>(name, Qt::FindDirectChildrenOnly); };
  QToolBar* bar = addToolBar(tr("Main"));
  bar->setObjectName("mainToolBar");
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addActions({act("open"), act("save"), act("undo"), act("redo")});
  bar->addSeparator();
  bar->addActions({act("fit"), act("find"), act("fusionOverlay")});
  bar->addSeparator();
  bar->addActions({act("build"), act("cancelBuild")});
  bar->addSeparator();
  bar->addActions({act("startProfiling"), act("stopProfiling")});
}

QDockWidget* MainWindow::addDock(QWidget* widget, const QString& title, const QString& name,
                                 Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(name);  // saveState() keys docks by object name
  dock->setWidget(widget);
  addDockWidget(area, dock);
  viewMenu_->addAction(dock->toggleViewAction());
  return dock;
}

void MainWindow::createDocks() {
  // Properties and build settings are tall: the right docks take the full
  // height, and the report and profiling charts get the rest of the width.
  setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
  QDockWidget* palette = addDock(palette_, tr("Op Palette"), "paletteDock", Qt::LeftDockWidgetArea);
  QDockWidget* model = addDock(modelView_, tr("Model I/O"), "modelDock", Qt::LeftDockWidgetArea);
  QDockWidget* properties = addDock(properties_, tr("Properties"), "propertiesDock", Qt::RightDockWidgetArea);
  QDockWidget* build = addDock(build_, tr("Build"), "buildDock", Qt::RightDockWidgetArea);
  QDockWidget* report = addDock(report_, tr("Engine Report"), "reportDock", Qt::BottomDockWidgetArea);
  QDockWidget* console = addDock(console_, tr("Console"), "consoleDock", Qt::BottomDockWidgetArea);
  QDockWidget* profiling = addDock(profiling_, tr("Profiling"), "profilingDock", Qt::BottomDockWidgetArea);
  tabifyDockWidget(palette, model);
  tabifyDockWidget(properties, build);
  tabifyDockWidget(report, console);
  tabifyDockWidget(console, profiling);
  palette->raise();
  properties->raise();
  report->raise();
  resizeDocks({palette, properties}, {260, 420}, Qt::Horizontal);
  resizeDocks({report}, {340}, Qt::Vertical);
}

void MainWindow::createStatusBar() {
  summaryLabel_ = new QLabel(tr("No model"));
  statusBar()->addPermanentWidget(summaryLabel_);
}

// The window's actions own their keys everywhere. A panel's own copy of a key
// (Ctrl+B in the build panel, F5 in the profiling view, ...) would make the key
// ambiguous while that panel has focus, and Qt then fires neither.
void MainWindow::claimWindowShortcuts() {
  QList<QKeySequence> owned;
  for (QAction* a : actions()) {
    if (!a->shortcut().isEmpty()) owned << a->shortcut();
  }
  for (QWidget* panel : std::initializer_list<QWidget*>{graph_, properties_, palette_, build_, console_, report_,
                                                        profiling_, modelView_}) {
    for (QAction* a : panel->findChildren<QAction*>()) {
      if (owned.contains(a->shortcut())) a->setShortcut({});
    }
    for (QShortcut* s : panel->findChildren<QShortcut*>()) {
      if (owned.contains(s->key())) s->setEnabled(false);
    }
  }
}

void MainWindow::restoreSettings() {
  QSettings settings;
  if (!restoreGeometry(settings.value("window/geometry").toByteArray())) resize(1600, 1000);
  restoreState(settings.value("window/state").toByteArray(), kStateVersion);
}

QDockWidget* MainWindow::dockOf(QWidget* widget) const {
  for (QDockWidget* dock : findChildren<QDockWidget*>()) {
    if (dock->widget() == widget) return dock;
  }
  return nullptr;
}

void MainWindow::raise(QWidget* panel) {
  if (QDockWidget* dock = dockOf(panel)) {
    dock->show();
    dock->raise();
  }
}

}  // namespace kiln::ui
