// Per-layer precision requests of the build panel.
#pragma once

#include <QTableWidget>
#include <map>
#include <string>

#include "kiln/builder.h"

namespace kiln::ui {

/// Rows of (layer or ONNX node name, precision). The Delete key removes the
/// selected rows.
class PrecisionOverrideTable : public QTableWidget {
  Q_OBJECT
 public:
  explicit PrecisionOverrideTable(QWidget* parent = nullptr);

  /// Adds a request, or changes the precision of an existing one.
  void setOverride(const QString& layer, Precision precision);
  /// Replaces every row.
  void setOverrides(const std::map<std::string, Precision>& overrides);
  /// The requests in the table.
  std::map<std::string, Precision> overrides() const;
  /// Removes the selected rows.
  void removeSelected();

 protected:
  void keyPressEvent(QKeyEvent* event) override;
};

}  // namespace kiln::ui
