// Runs an engine continuously on a worker thread and reports per-layer times.
#pragma once

#include <QObject>
#include <atomic>
#include <memory>
#include <thread>

#include "kiln/runtime.h"
#include "profiling_sample.h"

namespace kiln::ui {

/// Runs inference in a loop on random inputs at profile 0's opt shapes, with
/// a kiln::Profiler collecting layer times, and emits a ProfilingSample at
/// most every `kSampleInterval` ms (after every run when runs take longer).
/// Signals come from the worker thread (queued to UI receivers). The
/// destructor stops and joins.
class ProfilingWorker : public QObject {
  Q_OBJECT
 public:
  /// The shortest time between two samples, in milliseconds.
  static constexpr int kSampleInterval = 100;

  explicit ProfilingWorker(QObject* parent = nullptr);
  ~ProfilingWorker() override;

  /// Starts profiling `engine` (kept alive until the loop ends). Returns false,
  /// doing nothing, while profiling runs or without an engine.
  bool start(std::shared_ptr<const Engine> engine);
  /// Asks the loop to stop after the current run; stopped() follows. Returns at once.
  void stop();
  /// True from start() until stopped() or failed() is emitted.
  bool running() const { return running_.load(); }

 signals:
  /// The runs of the last interval.
  void sampled(const kiln::ui::ProfilingSample& sample);
  /// The loop ended after stop().
  void stopped();
  /// The engine could not run; `message` names the problem.
  void failed(const QString& message);

 private:
  void loop(std::shared_ptr<const Engine> engine);

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
};

}  // namespace kiln::ui
