// Every tactic the builder considered for one layer, with its time.
#pragma once

#include <QWidget>

#include "kiln/report.h"

class QCustomPlot;
class QLabel;
class QListWidget;

namespace kiln::ui {

/// A horizontal bar per timed candidate (the chosen one highlighted, cached
/// times hatched) and a list of the candidates that were not timed, each with
/// the builder's reason.
class TacticChart : public QWidget {
  Q_OBJECT
 public:
  explicit TacticChart(QWidget* parent = nullptr);

  /// Shows the candidates of `layer`.
  void setLayer(const LayerReport& layer);
  /// Shows nothing.
  void clear();
  /// Bars drawn (timed candidates) and rows listed (untimed ones).
  int barCount() const { return bars_; }
  int untimedCount() const;
  QCustomPlot* plot() const { return plot_; }

 private:
  QLabel* title_;
  QCustomPlot* plot_;
  QLabel* untimedTitle_;
  QListWidget* untimed_;
  int bars_ = 0;
};

}  // namespace kiln::ui
