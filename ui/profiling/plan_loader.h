// Loads plans off the UI thread and shows them in the report and profiling views.
#pragma once

#include <QByteArray>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>

#include "kiln/runtime.h"

namespace kiln::ui {

class ProfilingView;
class ReportWidget;

/// A loaded plan: its engine, and its bytes when it came from memory.
struct LoadedPlan {
  QString name;                          ///< file path or display name
  QByteArray bytes;                      ///< empty when loaded from a file
  std::shared_ptr<const Engine> engine;  ///< never null in loaded()
};

/// Runs kiln::Runtime::load / loadFile on a worker thread. A new load
/// supersedes one in flight, whose result is dropped.
class PlanLoader : public QObject {
  Q_OBJECT
 public:
  explicit PlanLoader(QObject* parent = nullptr);
  ~PlanLoader() override;

  /// Loads a .plan file.
  void openFile(const QString& path);
  /// Loads plan bytes (a fresh build's); `name` names it in messages.
  void openBytes(const QByteArray& bytes, const QString& name);

 signals:
  /// The plan loaded.
  void loaded(const kiln::ui::LoadedPlan& plan);
  /// Loading failed: a truncated, corrupt, foreign or other-version plan.
  void failed(const QString& name, const QString& message);

 private:
  struct Outcome {
    LoadedPlan plan;
    QString error;
  };
  QFutureWatcher<Outcome> watcher_;
};

/// Fills `report` with the plan's BuildReport (and bytes, for Save Plan) and
/// hands its engine to `profiling`. Either view may be null.
void showPlan(const LoadedPlan& plan, ReportWidget* report, ProfilingView* profiling);

}  // namespace kiln::ui

Q_DECLARE_METATYPE(kiln::ui::LoadedPlan)
