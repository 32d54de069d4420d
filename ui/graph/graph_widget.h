// The graph panel the main window embeds: view, minimap, find bar and the
// layout worker behind them.
#pragma once

#include <QWidget>
#include <memory>

#include "kiln/network.h"

class QLabel;
class QLineEdit;
class QStackedWidget;

namespace kiln::ui {

class GraphView;
class LayoutWorker;

/// Lays a network out on a worker and shows it. While a layout runs a
/// "Laying out…" placeholder stands in for the view. Ctrl+F opens the find
/// bar (Enter / F3 next, Shift+Enter / Shift+F3 previous, Esc closes).
class GraphWidget : public QWidget {
  Q_OBJECT
 public:
  explicit GraphWidget(QWidget* parent = nullptr);
  ~GraphWidget() override;

  /// Starts laying `network` out and returns at once; a newer call cancels
  /// an older layout. Null clears the view. Highlights and fusion groups of
  /// the previous network are dropped; set new ones any time after this call.
  /// The widget keeps a reference to the network while it is laid out.
  void setNetwork(std::shared_ptr<const Network> network);
  /// The view, for highlights, fusion groups, export and its signals.
  GraphView* view() const { return view_; }
  /// The text the placeholder shows now (empty while the graph is shown).
  QString placeholderText() const;

 public slots:
  /// Shows the find bar and focuses it.
  void showFind();

 signals:
  /// A layout finished and is on display: `nodeCount` nodes, `ms` of worker time.
  void layoutFinished(int nodeCount, double ms);
  /// A layout failed; the placeholder shows `message`.
  void layoutFailed(const QString& message);
  /// Forwarded from the view: a layer node was selected.
  void layerSelected(const QString& layerName);
  /// Forwarded from the view: a layer node was right-clicked.
  void layerContextMenuRequested(const QString& layerName, const QPoint& globalPos);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QWidget* createFindBar();
  void showPlaceholder(const QString& text);
  void runFind(const QString& text);
  void step(bool forward);

  LayoutWorker* worker_;
  GraphView* view_;
  QStackedWidget* stack_;
  QLabel* placeholder_;
  QWidget* findBar_;
  QLineEdit* findEdit_;
  QLabel* findCount_;
  int findTotal_ = 0;
};

}  // namespace kiln::ui
