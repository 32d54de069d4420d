// The build log: a read-only text pane for a dock, coloured by severity.
#pragma once

#include <QPlainTextEdit>

namespace kiln::ui {

/// Shows streamed builder messages. Errors are red, warnings amber, verbose
/// grey; a context-menu action and Ctrl+L clear it. Keeps the last
/// `maximumBlockCount()` lines so a long session stays light.
class ConsoleWidget : public QPlainTextEdit {
  Q_OBJECT
 public:
  explicit ConsoleWidget(QWidget* parent = nullptr);

  /// Hides kiln::Logger::Severity::kVerbose messages when false (default true).
  void setShowVerbose(bool show) { showVerbose_ = show; }

 public slots:
  /// Appends one message; `severity` is a kiln::Logger::Severity.
  void appendMessage(int severity, const QString& message);

 protected:
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  QAction* clearAction_;
  bool showVerbose_ = true;
};

}  // namespace kiln::ui
