// The build panel for a dock: the choices of a build, Build and Cancel, and
// one progress bar per build phase.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QWidget>
#include <memory>

#include "build_settings.h"
#include "build_worker.h"
#include "kiln/network.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace kiln::ui {

class PrecisionOverrideTable;
class ShapeProfileTable;

/// Lets the user set up and run a build of the current model. The settings
/// persist in QSettings (group "build"); the build runs on a BuildWorker,
/// whose signals also feed a ConsoleWidget (connect worker()->logMessage).
class BuildPanel : public QWidget {
  Q_OBJECT
 public:
  explicit BuildPanel(QWidget* parent = nullptr);

  /// The model to build: a snapshot that later edits of the document do not touch.
  /// Refills the shape table from its inputs, keeping saved ranges of matching names.
  void setNetwork(std::shared_ptr<const Network> network);
  /// The settings shown. The workspace is whole MiB.
  BuildSettings settings() const;
  /// Shows `settings`; profile ranges apply to inputs of the current model.
  void setSettings(const BuildSettings& settings);
  /// Requests `precision` for `layer` (for the graph's context menu).
  void addPrecisionOverride(const QString& layer, Precision precision);
  /// The worker, for connecting its signals (console, report views).
  BuildWorker* worker() { return &worker_; }
  /// True while a build runs.
  bool building() const { return worker_.busy(); }

 public slots:
  /// Starts a build of the current model (Ctrl+B). A message says why when it cannot.
  void build();
  /// Cancels the running build (Esc).
  void cancel();

 signals:
  /// A build succeeded: the plan's bytes and what the builder did.
  void buildFinished(const QByteArray& planBytes, const kiln::BuildReport& report);
  /// A build could not start or failed.
  void buildFailed(const QString& message);
  /// A build was cancelled.
  void buildCancelled();

 private:
  QWidget* createTargetGroup();
  QWidget* createPrecisionGroup();
  QWidget* createProfileGroup();
  QWidget* createButtons();
  void onPhaseStarted(const QString& phase, int steps);
  void onStepCompleted(const QString& phase, int step);
  void setBusy(bool busy, const QString& status);
  QProgressBar* phaseBar(const QString& phase);

  BuildWorker worker_;
  std::shared_ptr<const Network> network_;
  QComboBox* target_;
  QMap<Precision, QCheckBox*> precisions_;
  QComboBox* constraints_;
  QSpinBox* workspace_;
  QComboBox* workspaceUnit_;
  QSpinBox* level_;
  ShapeProfileTable* shapes_;
  QLineEdit* timingCache_;
  PrecisionOverrideTable* overrides_;
  QPushButton* buildButton_;
  QPushButton* cancelButton_;
  QLabel* status_;
  QVBoxLayout* phaseLayout_;
  QMap<QString, QProgressBar*> phases_;
};

}  // namespace kiln::ui
