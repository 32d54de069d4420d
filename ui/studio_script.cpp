#include "studio_script.h"

#include <QApplication>
#include <QTimer>
#include <cstdio>

#include "build/build_panel.h"
#include "main_window.h"
#include "profiling/profiling_view.h"
#include "reports/engine_layers_view.h"
#include "reports/report_widget.h"

namespace kiln::ui {

StudioScript::StudioScript(MainWindow* window, StudioScriptOptions options, QObject* parent)
    : QObject(parent), window_(window), options_(std::move(options)) {
  connect(window_, &MainWindow::modelShown, this, [this](const QString& path) {
    if (started_) return;
    started_ = true;
    std::printf("studio: opened %s\n", qPrintable(path));
    build();
  });
  connect(window_, &MainWindow::openFailed, this, [this](const QString&, const QString& message) { finish(1, message); });
  BuildPanel* panel = window_->buildPanel();
  connect(panel, &BuildPanel::buildFailed, this, [this](const QString& message) { finish(1, "build failed: " + message); });
  connect(panel, &BuildPanel::buildFinished, this, [](const QByteArray& plan, const BuildReport& report) {
    std::printf("studio: built %zu layers on %s (%s) in %.2f s, plan %lld bytes\n", report.layers.size(),
                report.target.c_str(), report.device.c_str(), report.buildSeconds, static_cast<long long>(plan.size()));
  });
  connect(window_, &MainWindow::planShown, this, [this](const QString&) { profile(); });
  connect(window_->profiling(), &ProfilingView::sampleShown, this, [this](int) { ++samples_; });
}

void StudioScript::build() {
  BuildPanel* panel = window_->buildPanel();
  BuildSettings settings = panel->settings();
  settings.config.target = options_.target;
  settings.config.fp16 = options_.fp16;
  panel->setSettings(settings);
  panel->build();
}

void StudioScript::profile() {
  std::printf("studio: engine report shows %d layers; profiling for %.1f s\n",
              window_->report()->layersView()->rowCount(), options_.profileSeconds);
  window_->profiling()->start();
  QTimer::singleShot(int(options_.profileSeconds * 1000), this, [this] {
    ProfilingView* view = window_->profiling();
    view->stop();
    std::printf("studio: profiled %lld runs in %d samples over %zu layers\n", static_cast<long long>(view->runs()),
                samples_, size_t(view->layerTotals().size()));
    if (!options_.screenshot.isEmpty()) {
      const bool ok = window_->grab().save(options_.screenshot);
      std::printf("studio: screenshot %s %s\n", qPrintable(options_.screenshot), ok ? "saved" : "FAILED");
    }
    finish(view->runs() > 0 && samples_ >= 5 ? 0 : 1, view->runs() > 0 ? "" : "no profiling runs");
  });
}

void StudioScript::finish(int code, const QString& message) {
  if (!message.isEmpty()) std::printf("studio: %s\n", qPrintable(message));
  std::fflush(stdout);
  QTimer::singleShot(0, qApp, [code] { QApplication::exit(code); });
}

}  // namespace kiln::ui
