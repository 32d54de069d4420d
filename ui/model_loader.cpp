#include "model_loader.h"

#include <QtConcurrent>

#include "kiln/errors.h"
#include "kiln/onnx.h"

namespace kiln::ui {

ModelLoader::ModelLoader(QObject* parent) : QObject(parent) {
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] {
    const Outcome o = watcher_.result();
    if (o.error.isEmpty()) emit loaded(o.model);
    else emit failed(o.model.path, o.error);
  });
}

ModelLoader::~ModelLoader() { watcher_.waitForFinished(); }

bool ModelLoader::busy() const { return watcher_.isRunning(); }

void ModelLoader::load(const QString& path) {
  ++generation_;
  watcher_.setFuture(QtConcurrent::run([path]() {
    Outcome o;
    o.model.path = path;
    try {
      OnnxImportOptions options;
      options.rejectUnsupported = false;  // the studio shows such models and marks what it cannot run
      auto net = std::make_shared<Network>(importOnnx(path.toStdString(), options));
      o.model.summary = summarize(*net);
      o.model.network = std::move(net);
    } catch (const Error& e) {
      o.error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      o.error = path + ": " + QString::fromStdString(e.what());
    }
    return o;
  }));
}

}  // namespace kiln::ui
