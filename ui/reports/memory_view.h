// The memory plan of a build: totals and buffer lifetimes.
#pragma once

#include <QWidget>

#include "kiln/report.h"

class QCustomPlot;
class QLabel;

namespace kiln::ui {

/// Weights, activation peak against the naive sum, and workspace as bars;
/// below, each activation buffer as a rectangle spanning the layers it lives
/// through (x) at its arena offset (y), so reuse of memory is visible.
class MemoryView : public QWidget {
  Q_OBJECT
 public:
  explicit MemoryView(QWidget* parent = nullptr);
  /// Shows `report.memory`.
  void setReport(const BuildReport& report);
  /// Buffers drawn in the lifetime chart (at most kMaxBuffers).
  int bufferCount() const { return buffers_; }
  /// Above this many buffers the lifetime chart draws the largest only.
  static constexpr int kMaxBuffers = 2000;

 private:
  QLabel* summary_;
  QCustomPlot* totals_;
  QCustomPlot* lifetimes_;
  int buffers_ = 0;
};

/// "12.3 MiB", "512 B": bytes for people.
QString formatBytes(int64_t bytes);

}  // namespace kiln::ui
