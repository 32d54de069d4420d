// Loads an ONNX model off the UI thread and reports through signals.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>

#include "kiln/network.h"
#include "kiln/summary.h"

namespace kiln::ui {

/// What a finished load hands to the UI: the network and its summary.
struct LoadedModel {
  QString path;
  std::shared_ptr<const Network> network;
  NetworkSummary summary;
};

/// Imports models on a worker thread. One load at a time: a new load
/// supersedes the previous one, whose result is dropped.
class ModelLoader : public QObject {
  Q_OBJECT
 public:
  explicit ModelLoader(QObject* parent = nullptr);
  ~ModelLoader() override;

  /// Starts loading `path`; returns at once.
  void load(const QString& path);
  /// True while a load runs.
  bool busy() const;

 signals:
  /// The model at `path` loaded.
  void loaded(const kiln::ui::LoadedModel& model);
  /// Loading `path` failed; `message` is one line naming the problem.
  void failed(const QString& path, const QString& message);

 private:
  struct Outcome {
    LoadedModel model;
    QString error;
  };
  QFutureWatcher<Outcome> watcher_;
  quint64 generation_ = 0;
};

}  // namespace kiln::ui
