#include "build_worker.h"

#include "kiln/errors.h"

namespace kiln::ui {

// Turns the builder's callbacks into the worker's signals.
class BuildWorker::Forwarder final : public Logger, public ProgressMonitor {
 public:
  explicit Forwarder(BuildWorker* worker) : worker_(worker) {}
  void log(Severity severity, const std::string& message) override {
    emit worker_->logMessage(int(severity), QString::fromStdString(message));
  }
  void phaseStart(const std::string& phase, int32_t steps) override {
    emit worker_->phaseStarted(QString::fromStdString(phase), steps);
  }
  bool stepComplete(const std::string& phase, int32_t step) override {
    emit worker_->stepCompleted(QString::fromStdString(phase), step);
    return !worker_->cancel_.load();
  }
  void phaseFinish(const std::string&) override {}

 private:
  BuildWorker* worker_;
};

BuildWorker::BuildWorker(QObject* parent) : QObject(parent) {
  qRegisterMetaType<kiln::BuildReport>();
}

BuildWorker::~BuildWorker() {
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

bool BuildWorker::start(std::shared_ptr<const Network> network, const BuilderConfig& config) {
  if (running_.load() || !network) return false;
  // The previous build has emitted its last signal; its thread is ending.
  if (thread_.joinable()) thread_.join();
  cancel_ = false;
  running_ = true;
  thread_ = std::thread(&BuildWorker::run, this, std::move(network), config);
  return true;
}

void BuildWorker::cancel() { cancel_ = true; }

void BuildWorker::run(std::shared_ptr<const Network> network, BuilderConfig config) {
  Forwarder forwarder(this);
  config.logger = &forwarder;
  config.progress = &forwarder;
  config.cancel = &cancel_;
  enum class End { kDone, kFailed, kCancelled } end = End::kDone;
  QByteArray plan;
  BuildReport report;
  QString error;
  try {
    const std::string bytes = Builder().buildPlan(*network, config, &report);
    plan = QByteArray(bytes.data(), qsizetype(bytes.size()));
  } catch (const Error& e) {
    end = e.code() == ErrorCode::kCancelled ? End::kCancelled : End::kFailed;
    error = QString::fromStdString(e.what());
  } catch (const std::exception& e) {
    end = End::kFailed;
    error = QString::fromStdString(e.what());
  }
  network.reset();  // the snapshot goes before anyone hears that the build ended
  running_ = false;
  switch (end) {
    case End::kDone: emit finished(plan, report); break;
    case End::kFailed:
      emit logMessage(int(Logger::Severity::kError), error);
      emit failed(error);
      break;
    case End::kCancelled: emit cancelled(); break;
  }
}

}  // namespace kiln::ui
