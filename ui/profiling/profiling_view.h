// The live profiling dock: latency over time, throughput, the slowest layers
// and time by layer type, for an engine running on a ProfilingWorker.
#pragma once

#include <QElapsedTimer>
#include <QWidget>
#include <memory>

#include "kiln/runtime.h"
#include "profiling_sample.h"
#include "profiling_worker.h"

class QAction;
class QCustomPlot;
class QLabel;

namespace kiln::ui {

/// Shows what a ProfilingWorker measures, accumulated since Start. Samples
/// arrive at most 10 times a second; charts redraw at once on a queued
/// replot, so the UI thread does a bounded amount of work per sample.
class ProfilingView : public QWidget {
  Q_OBJECT
 public:
  /// The latency chart shows this many seconds, scrolling.
  static constexpr double kWindowSeconds = 30;
  /// The layer chart shows this many slowest layers.
  static constexpr int kTopLayers = 20;
  /// At most this many runs of one sample are plotted (all are kept for export).
  static constexpr qsizetype kMaxPlotPointsPerSample = 500;
  /// Latency points kept for export; older ones are dropped.
  static constexpr int kMaxHistory = 200000;
  /// The exact first line of exportLayersCsv().
  static constexpr const char* kLayersCsvHeader = "layer,type,calls,mean_ms,min_ms,max_ms,total_ms,percent";

  explicit ProfilingView(QWidget* parent = nullptr);

  /// The engine to profile; stops profiling of the previous one. Null clears.
  void setEngine(std::shared_ptr<const Engine> engine);
  /// The worker, for tests and status.
  ProfilingWorker* worker() { return &worker_; }

  /// Per-layer totals since Start, in execution order.
  const QVector<LayerTime>& layerTotals() const { return layers_; }
  /// Runs since Start.
  qint64 runs() const { return runs_; }

  /// Writes one CSV row per layer under kLayersCsvHeader. False with `error` on failure.
  bool exportLayersCsv(const QString& path, QString* error = nullptr) const;
  /// Writes "time_s,latency_ms" and one row per kept run.
  bool exportLatencyCsv(const QString& path, QString* error = nullptr) const;
  /// Writes {"runs", "throughput", "layers": [...], "byType": {...}, "latency": [[t, ms], ...]}.
  bool exportJson(const QString& path, QString* error = nullptr) const;

 public slots:
  /// Starts profiling (F5); clears the previous session's data.
  void start();
  /// Stops profiling (Shift+F5).
  void stop();

 signals:
  /// A sample was shown (after the charts took it in).
  void sampleShown(int runsInSample);

 private:
  void onSample(const ProfilingSample& sample);
  void redrawLayers();
  void redrawTypes();
  void updateActions();
  void askAndExport(int kind);

  ProfilingWorker worker_;
  std::shared_ptr<const Engine> engine_;
  QAction* startAction_;
  QAction* stopAction_;
  QAction* exportAction_;
  QLabel* throughput_;
  QLabel* status_;
  QCustomPlot* latency_;
  QCustomPlot* layersPlot_;
  QCustomPlot* typesPlot_;
  QVector<LayerTime> layers_;
  QVector<double> runSeconds_;
  QVector<double> latencyMs_;
  qint64 runs_ = 0;
  double lastThroughput_ = 0;
};

}  // namespace kiln::ui
