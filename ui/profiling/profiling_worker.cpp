#include "profiling_worker.h"

#include <chrono>

#include "kiln/errors.h"
#include "kiln/reference.h"

namespace kiln::ui {

namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Collects one interval's layer times; layers are matched by position in the
// run since every run executes the same layers in the same order.
class IntervalProfiler final : public Profiler {
 public:
  void reportLayerTime(const std::string& layer, const std::string& type, double ms) override {
    if (next_ == layers_.size()) layers_.push_back(LayerTime{QString::fromStdString(layer), QString::fromStdString(type), 0, 0, ms, ms});
    LayerTime& l = layers_[next_++];
    ++l.calls;
    l.totalMs += ms;
    l.minMs = std::min(l.minMs, ms);
    l.maxMs = std::max(l.maxMs, ms);
  }
  void endRun() { next_ = 0; }
  QVector<LayerTime> take() {
    QVector<LayerTime> out = layers_;
    for (LayerTime& l : layers_) l.calls = 0, l.totalMs = 0, l.minMs = 1e300, l.maxMs = 0;
    return out;
  }

 private:
  QVector<LayerTime> layers_;
  qsizetype next_ = 0;
};

TensorMap randomInputs(const Engine& engine) {
  Network io;
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const std::string& name : engine.inputNames()) {
    io.addInput(name, engine.tensorType(name), engine.tensorShape(name));
    shapes[name] = engine.profileShapes(name, 0).opt;
  }
  return makeRandomInputs(io, shapes, 1);
}

}  // namespace

ProfilingWorker::ProfilingWorker(QObject* parent) : QObject(parent) { qRegisterMetaType<kiln::ui::ProfilingSample>(); }

ProfilingWorker::~ProfilingWorker() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool ProfilingWorker::start(std::shared_ptr<const Engine> engine) {
  if (running_.load() || !engine) return false;
  if (thread_.joinable()) thread_.join();  // the last loop has emitted its final signal
  stop_ = false;
  running_ = true;
  thread_ = std::thread(&ProfilingWorker::loop, this, std::move(engine));
  return true;
}

void ProfilingWorker::stop() { stop_ = true; }

void ProfilingWorker::loop(std::shared_ptr<const Engine> engine) {
  QString error;
  try {
    std::unique_ptr<ExecutionContext> context = engine->createExecutionContext();
    const TensorMap inputs = randomInputs(*engine);
    IntervalProfiler profiler;
    context->setProfiler(&profiler);
    const auto start = Clock::now();
    auto intervalStart = start;
    ProfilingSample sample;
    while (!stop_.load()) {
      const auto t0 = Clock::now();
      context->execute(inputs);
      const auto t1 = Clock::now();
      profiler.endRun();
      sample.runSeconds.push_back(secondsBetween(start, t1));
      sample.latencyMs.push_back(secondsBetween(t0, t1) * 1000.0);
      if (secondsBetween(intervalStart, t1) * 1000.0 >= kSampleInterval) {
        sample.endSeconds = secondsBetween(start, t1);
        sample.intervalSeconds = secondsBetween(intervalStart, t1);
        sample.layers = profiler.take();
        emit sampled(sample);
        sample = ProfilingSample{};
        intervalStart = t1;
      }
    }
    context->setProfiler(nullptr);
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
  }
  engine.reset();
  running_ = false;
  if (error.isEmpty()) emit stopped();
  else emit failed(error);
}

}  // namespace kiln::ui
