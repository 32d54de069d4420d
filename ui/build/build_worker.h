// Runs Builder::buildPlan on a worker thread and reports through signals.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <thread>

#include "kiln/builder.h"
#include "kiln/report.h"

namespace kiln::ui {

/// Builds one plan at a time on its own thread. Every signal is emitted from
/// the build thread, so receivers in the UI thread get them queued; the UI
/// thread never waits for a build. The destructor cancels and joins.
class BuildWorker : public QObject {
  Q_OBJECT
 public:
  explicit BuildWorker(QObject* parent = nullptr);
  ~BuildWorker() override;

  /// Starts building `network` (kept alive by the worker until the build ends)
  /// with `config`; its logger, progress and cancel fields are replaced by the
  /// worker's own. Returns false, doing nothing, while a build runs.
  bool start(std::shared_ptr<const Network> network, const BuilderConfig& config);
  /// Asks the running build to stop; it ends with cancelled(). Returns at once.
  void cancel();
  /// True from start() until the build's last signal is emitted.
  bool busy() const { return running_.load(); }

 signals:
  /// A build phase ("passes", "tactics", "memory", "serialize") began with `steps` steps.
  void phaseStarted(const QString& phase, int steps);
  /// Step `step` (1-based) of `phase` is done.
  void stepCompleted(const QString& phase, int step);
  /// A message of the builder; `severity` is a kiln::Logger::Severity.
  void logMessage(int severity, const QString& message);
  /// The build succeeded.
  void finished(const QByteArray& planBytes, const kiln::BuildReport& report);
  /// The build failed; `message` is one line naming the problem.
  void failed(const QString& message);
  /// The build stopped because cancel() was called.
  void cancelled();

 private:
  class Forwarder;
  void run(std::shared_ptr<const Network> network, BuilderConfig config);

  std::thread thread_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> running_{false};
};

}  // namespace kiln::ui

Q_DECLARE_METATYPE(kiln::BuildReport)
