// How many engine layers run at each precision.
#pragma once

#include <QMap>
#include <QWidget>

#include "kiln/report.h"

class QCustomPlot;

namespace kiln::ui {

/// A bar per precision (every one the builder knows, and any other a report
/// names), labelled with its layer count and share.
class PrecisionChart : public QWidget {
  Q_OBJECT
 public:
  explicit PrecisionChart(QWidget* parent = nullptr);
  /// Shows the precisions of `report`'s layers.
  void setReport(const BuildReport& report);
  /// Layer count by precision name, as drawn.
  const QMap<QString, int>& counts() const { return counts_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  QCustomPlot* plot_;
  QMap<QString, int> counts_;
};

}  // namespace kiln::ui
