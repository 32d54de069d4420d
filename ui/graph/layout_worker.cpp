#include "layout_worker.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace kiln::ui {

LayoutWorker::LayoutWorker(QObject* parent) : QObject(parent) {
  pool_.setMaxThreadCount(1);
  pool_.setExpiryTimeout(-1);  // a layout per model: keep the thread warm
}

LayoutWorker::~LayoutWorker() {
  cancel();
  pool_.clear();
  // A job inside Graphviz cannot be interrupted; joining keeps it from
  // outliving the network and this object.
  pool_.waitForDone();
}

void LayoutWorker::cancel() {
  if (cancel_) cancel_->store(true);
  cancel_.reset();
  ++generation_;
  pending_ = false;
}

void LayoutWorker::request(std::shared_ptr<const Network> network, const GraphStyle& style) {
  cancel();
  if (!network) return;
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  pending_ = true;
  const quint64 generation = generation_;
  pool_.start([this, network = std::move(network), style, stop = cancel_, generation] {
    if (*stop) return;
    QElapsedTimer timer;
    timer.start();
    LayoutResult result;
    try {
      result = layoutNetwork(*network, style, *stop);
    } catch (const std::exception& e) {
      result.error = QString::fromStdString(e.what());
    }
    const double ms = timer.nsecsElapsed() / 1e6;
    if (*stop) return;
    // Queued onto the UI thread; Qt drops it if this object is gone by then.
    QMetaObject::invokeMethod(this, [this, result, ms, generation] {
      if (generation != generation_) return;
      pending_ = false;
      if (result.layout) emit finished(result.layout, ms);
      else emit failed(result.error);
    }, Qt::QueuedConnection);
  });
}

}  // namespace kiln::ui
