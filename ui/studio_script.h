// Scripted runs of the studio, for headless checks on a GPU machine and for
// screenshots: open a model, build it, profile it, grab the window, quit.
#pragma once

#include <QObject>
#include <QString>

#include "kiln/builder.h"

namespace kiln::ui {

class MainWindow;

/// What a scripted run does once the model is open.
struct StudioScriptOptions {
  Target target = Target::kCpu;   ///< the build target
  bool fp16 = false;              ///< allow fp16 layers
  double profileSeconds = 3;      ///< how long to profile after the build
  QString screenshot;             ///< PNG of the window at the end; empty: none
};

/// Drives a MainWindow through build → profile → screenshot and prints a
/// summary line per step on stdout. Quits the application with 0 when every
/// step succeeded, 1 otherwise.
class StudioScript : public QObject {
  Q_OBJECT
 public:
  StudioScript(MainWindow* window, StudioScriptOptions options, QObject* parent = nullptr);

 private:
  void build();
  void profile();
  void finish(int code, const QString& message);

  MainWindow* window_;
  StudioScriptOptions options_;
  int samples_ = 0;
  bool started_ = false;
};

}  // namespace kiln::ui
