// What each graph pass of a build changed.
#pragma once

#include <QTreeWidget>

#include "kiln/report.h"

namespace kiln::ui {

/// A row per pass (name, changes, time); its children are the changes, with
/// the layers each removed and the layer that now stands for them.
class PassesView : public QTreeWidget {
  Q_OBJECT
 public:
  explicit PassesView(QWidget* parent = nullptr);
  /// Shows `report.passes`; passes that changed something are expanded.
  void setReport(const BuildReport& report);
};

}  // namespace kiln::ui
