// The studio's main window: the graph in the middle, docks for properties,
// ops, building, the console, the engine report and live profiling, all
// driven by one ModelDocument.
#pragma once

#include <QMainWindow>
#include <functional>
#include <memory>

#include "document/save_prompt.h"
#include "kiln/network.h"

class QDockWidget;
class QLabel;
class QMenu;

namespace kiln::ui {

class BuildPanel;
class ConsoleWidget;
class GraphWidget;
class ModelDocument;
class ModelView;
class OpPalette;
class PlanLoader;
class ProfilingView;
class PropertiesPanel;
class ReportWidget;
struct LoadedPlan;

/// The studio window. The document is the one source of the model: every
/// view is fed from its snapshots, every edit goes through its undo stack.
/// Opening, saving, building, plan loading and profiling run on workers;
/// errors show in non-blocking message boxes and leave the current model
/// and report in place. Actions carry object names ("open", "save",
/// "saveAs", "undo", "redo", "build", "cancelBuild", "fit", "find",
/// "fusionOverlay", "startProfiling", "stopProfiling", ...) for tests and
/// scripting. The window owns every dock widget.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens an .onnx model (after asking to save unsaved changes) or a .plan
  /// (shown in the report and profiling docks; the model stays). Returns at once.
  void openFile(const QString& path);
  /// Starts validating and saving the model to `path` (its own file when
  /// empty); saved() or a message box follows. False when nothing was started.
  bool saveTo(const QString& path = {});
  /// Replaces the "Save changes?" question, e.g. to answer it without a dialog.
  void setSaveQuestion(std::function<SaveAnswer()> ask) { askSave_ = std::move(ask); }

  ModelDocument* document() const { return document_; }
  GraphWidget* graph() const { return graph_; }
  PropertiesPanel* properties() const { return properties_; }
  OpPalette* palette() const { return palette_; }
  BuildPanel* buildPanel() const { return build_; }
  ConsoleWidget* console() const { return console_; }
  ReportWidget* report() const { return report_; }
  ProfilingView* profiling() const { return profiling_; }
  ModelView* modelView() const { return modelView_; }
  /// The dock holding `widget` (one of the panels above), or null.
  QDockWidget* dockOf(QWidget* widget) const;

 signals:
  /// A model finished opening and is on display.
  void modelShown(const QString& path);
  /// Opening a file failed; a message box says why.
  void openFailed(const QString& path, const QString& message);
  /// The model was saved to `path`.
  void saved(const QString& path);
  /// A plan (built or opened) is shown in the report and profiling docks.
  void planShown(const QString& name);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  // Construction, in order.
  void createPanels();
  void createActions();
  void createMenus();
  void createToolBar();
  void createDocks();
  void createStatusBar();
  void connectDocument();
  void connectGraph();
  void connectBuild();
  void restoreSettings();
  /// Bumped when the docks change, so a saved layout of other docks is not restored.
  static constexpr int kStateVersion = 2;

  QAction* makeAction(const QString& name, const QString& text, const QKeySequence& key, const QString& tip);
  QDockWidget* addDock(QWidget* widget, const QString& title, const QString& name, Qt::DockWidgetArea area);
  void claimWindowShortcuts();

  // Files (main_window_files.cpp).
  void askOpen();
  void askSaveAs();
  void whenDocumentMayClose(std::function<void()> next);
  void onModelReset();
  void onNetworkChanged(std::shared_ptr<const Network> network);
  void updateTitle();
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  void showError(const QString& title, const QString& message);

  // Graph, build, report and profiling (main_window_build.cpp).
  void selectLayer(const QString& layer);
  void showLayerMenu(const QString& layer, const QPoint& globalPos);
  void deleteLayer(const QString& layer);
  void applyFusionOverlay();
  void onPlanLoaded(const LoadedPlan& plan);
  void askExportGraph(bool svg);
  void askSaveReport(bool plan);
  void raise(QWidget* panel);

  ModelDocument* document_;
  PlanLoader* planLoader_;
  GraphWidget* graph_ = nullptr;
  PropertiesPanel* properties_ = nullptr;
  OpPalette* palette_ = nullptr;
  BuildPanel* build_ = nullptr;
  ConsoleWidget* console_ = nullptr;
  ReportWidget* report_ = nullptr;
  ProfilingView* profiling_ = nullptr;
  ModelView* modelView_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QLabel* summaryLabel_ = nullptr;
  QString selectedLayer_;
  bool hasPlan_ = false;
  std::function<SaveAnswer()> askSave_;
  std::function<void()> afterSave_;  ///< what waits for a save asked by the close prompt
};

/// The bundled sample model's path, or an empty string when it is missing.
QString sampleModelPath();

}  // namespace kiln::ui
