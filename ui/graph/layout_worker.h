// Runs graph layouts on one worker thread, newest request wins.
#pragma once

#include <QObject>
#include <QThreadPool>
#include <atomic>
#include <memory>

#include "graph/graph_layout.h"

namespace kiln::ui {

/// Lays networks out off the UI thread. Jobs run one at a time on a private
/// single-thread pool (Graphviz is not thread-safe). A new request cancels
/// the previous one, whose result never arrives. The destructor cancels
/// everything and joins the worker.
class LayoutWorker : public QObject {
  Q_OBJECT
 public:
  explicit LayoutWorker(QObject* parent = nullptr);
  ~LayoutWorker() override;

  /// Starts laying `network` out; returns at once. The worker keeps a
  /// reference to the network until the job ends. A null network only cancels.
  void request(std::shared_ptr<const Network> network, const GraphStyle& style);
  /// Drops the current request: no signal comes for it.
  void cancel();
  /// True while a requested layout has not reported yet.
  bool busy() const { return pending_; }

 signals:
  /// The latest request finished in `ms` milliseconds of worker time.
  void finished(std::shared_ptr<const kiln::ui::GraphLayout> layout, double ms);
  /// The latest request failed; `message` says why.
  void failed(const QString& message);

 private:
  QThreadPool pool_;
  std::shared_ptr<std::atomic<bool>> cancel_;  // the current job's stop flag
  quint64 generation_ = 0;
  bool pending_ = false;
};

}  // namespace kiln::ui
