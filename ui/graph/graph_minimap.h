// A small overview of the whole graph with the visible rectangle on it.
#pragma once

#include <QPixmap>
#include <QWidget>

namespace kiln::ui {

class GraphView;

/// Floats over a GraphView's corner. Shows the whole scene in miniature
/// and the view's visible rectangle; a click or drag moves the view there.
class GraphMinimap : public QWidget {
  Q_OBJECT
 public:
  /// Draws `view`'s scene; the view owns the minimap and outlives it.
  explicit GraphMinimap(GraphView* view);

  /// Redraws the miniature; call after the scene's items change.
  void refresh();
  /// Where a point of the minimap lies in the scene.
  QPointF toScene(const QPointF& p) const;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  QRectF target() const;  // where the scene is drawn inside the widget

  GraphView* view_;
  QPixmap picture_;
};

}  // namespace kiln::ui
