// The report of one build in tabs: layers with their tactics, precisions,
// memory and passes; saves the report and the plan.
#pragma once

#include <QByteArray>
#include <QWidget>

#include "kiln/report.h"

class QLabel;
class QTabWidget;

namespace kiln::ui {

class EngineLayersView;
class MemoryView;
class PassesView;
class PrecisionChart;
class TacticChart;

/// Shows a BuildReport. Everything drawn comes from the report; nothing is
/// recomputed. Selecting a layer shows its tactics and emits originSelected.
class ReportWidget : public QWidget {
  Q_OBJECT
 public:
  explicit ReportWidget(QWidget* parent = nullptr);

  /// Shows `report`; `planBytes` (may be empty) is what Save Plan writes.
  void setReport(const BuildReport& report, const QByteArray& planBytes = {});
  /// The report on display.
  const BuildReport& report() const { return report_; }

  /// Writes kiln::reportToJson of the report to `path`. Returns false with `error` set on failure.
  bool saveReport(const QString& path, QString* error = nullptr) const;
  /// Writes the plan's bytes to `path`. Returns false with `error` set on failure or without a plan.
  bool savePlan(const QString& path, QString* error = nullptr) const;

  EngineLayersView* layersView() const { return layers_; }
  TacticChart* tacticChart() const { return tactics_; }
  PrecisionChart* precisionChart() const { return precision_; }
  MemoryView* memoryView() const { return memory_; }
  PassesView* passesView() const { return passes_; }
  QTabWidget* tabs() const { return tabs_; }

 signals:
  /// The selected engine layer stands for these ONNX nodes.
  void originSelected(const QStringList& origin);

 private:
  void askAndSave(bool plan);

  BuildReport report_;
  QByteArray plan_;
  QLabel* summary_;
  QTabWidget* tabs_;
  EngineLayersView* layers_;
  TacticChart* tactics_;
  PrecisionChart* precision_;
  MemoryView* memory_;
  PassesView* passes_;
  QAction* savePlanAction_;
};

}  // namespace kiln::ui
