// The studio's main window: open a model, see its inputs, outputs and layers.
#pragma once

#include <QMainWindow>

#include "model_loader.h"

class QLabel;
class QMenu;

namespace kiln::ui {

class ModelView;

/// The main window. Models load on a worker thread; errors show in a
/// message box and leave the current model in place.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  /// Starts opening a model file.
  void openFile(const QString& path);
  /// The model on display, or null.
  const LoadedModel* model() const { return model_.network ? &model_ : nullptr; }
  ModelView* modelView() const { return view_; }

 signals:
  /// A model finished loading and is on display.
  void modelShown(const QString& path);
  /// Opening a file failed; a message box says why.
  void openFailed(const QString& path, const QString& message);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  void createStatusBar();
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  void showModel(const LoadedModel& model);

  ModelLoader loader_;
  LoadedModel model_;
  ModelView* view_;
  QMenu* recentMenu_ = nullptr;
  QLabel* summaryLabel_ = nullptr;
};

/// The bundled sample model's path, or an empty string when it is missing.
QString sampleModelPath();

}  // namespace kiln::ui
