// The per-input shape ranges of the build panel: input, min, opt, max.
#pragma once

#include <QTableWidget>
#include <optional>

#include "kiln/builder.h"
#include "kiln/network.h"

namespace kiln::ui {

/// One row per graph input of the model. Cells read "1x3x224x224"; symbolic
/// and unknown dimensions start as 1. A cell that does not parse turns red
/// and says why in its tooltip.
class ShapeProfileTable : public QTableWidget {
  Q_OBJECT
 public:
  explicit ShapeProfileTable(QWidget* parent = nullptr);

  /// Fills one row per non-constant input of `network`.
  void setInputs(const Network& network);
  /// Takes the ranges of inputs that have a row; the others are ignored.
  void applyProfile(const OptimizationProfile& profile);
  /// The ranges in the table, or nullopt with `error` set when a cell does not
  /// parse or min ≤ opt ≤ max does not hold.
  std::optional<OptimizationProfile> profile(QString* error = nullptr) const;

 private:
  void validate(QTableWidgetItem* item);
};

}  // namespace kiln::ui
