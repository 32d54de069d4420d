// What the profiling worker reports at most every 100 ms.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>

namespace kiln::ui {

/// One layer's times over the runs of a sample.
struct LayerTime {
  QString name;        ///< engine layer name
  QString type;        ///< op, as the Profiler reports it
  int calls = 0;       ///< runs in which it was timed
  double totalMs = 0;  ///< sum over those runs
  double minMs = 0;    ///< fastest run
  double maxMs = 0;    ///< slowest run
};

/// The runs finished since the previous sample.
struct ProfilingSample {
  double endSeconds = 0;       ///< time since profiling started, at the end of the interval
  double intervalSeconds = 0;  ///< length of the interval
  QVector<double> runSeconds;  ///< when each run ended, since profiling started
  QVector<double> latencyMs;   ///< each run's latency, in the same order
  QVector<LayerTime> layers;   ///< per layer, in execution order
  /// Runs per second over the interval.
  double throughput() const { return intervalSeconds > 0 ? latencyMs.size() / intervalSeconds : 0; }
};

}  // namespace kiln::ui

Q_DECLARE_METATYPE(kiln::ui::ProfilingSample)
