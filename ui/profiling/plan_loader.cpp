#include "plan_loader.h"

#include <QtConcurrent>

#include "profiling_view.h"
#include "reports/report_widget.h"

namespace kiln::ui {

PlanLoader::PlanLoader(QObject* parent) : QObject(parent) {
  qRegisterMetaType<kiln::ui::LoadedPlan>();
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] {
    const Outcome o = watcher_.result();
    if (o.error.isEmpty()) emit loaded(o.plan);
    else emit failed(o.plan.name, o.error);
  });
}

PlanLoader::~PlanLoader() { watcher_.waitForFinished(); }

void PlanLoader::openFile(const QString& path) {
  watcher_.setFuture(QtConcurrent::run([path] {
    Outcome o;
    o.plan.name = path;
    try {
      o.plan.engine = Runtime::loadFile(path.toStdString());
    } catch (const std::exception& e) {
      o.error = QString::fromStdString(e.what());
    }
    return o;
  }));
}

void PlanLoader::openBytes(const QByteArray& bytes, const QString& name) {
  watcher_.setFuture(QtConcurrent::run([bytes, name] {
    Outcome o;
    o.plan.name = name;
    o.plan.bytes = bytes;
    try {
      o.plan.engine = Runtime::load(bytes.toStdString(), name.toStdString());
    } catch (const std::exception& e) {
      o.error = QString::fromStdString(e.what());
    }
    return o;
  }));
}

void showPlan(const LoadedPlan& plan, ReportWidget* report, ProfilingView* profiling) {
  if (report) report->setReport(plan.engine->report(), plan.bytes);
  if (profiling) profiling->setEngine(plan.engine);
}

}  // namespace kiln::ui
