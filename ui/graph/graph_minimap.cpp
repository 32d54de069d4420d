#include "graph_minimap.h"

#include <QMouseEvent>
#include <QPainter>

#include "graph/graph_scene.h"
#include "graph/graph_view.h"

namespace kiln::ui {

namespace {
constexpr double kMinSide = 18.0;
}  // namespace

GraphMinimap::GraphMinimap(GraphView* view) : QWidget(view), view_(view) {
  setFixedSize(180, 180);
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Overview: click or drag to move the view"));
  connect(view, &GraphView::viewportChanged, this, qOverload<>(&QWidget::update));
}

QRectF GraphMinimap::target() const {
  const QRectF scene = view_->sceneRect();
  const QRectF box = QRectF(rect()).adjusted(4, 4, -4, -4);
  if (scene.isEmpty()) return box;
  QSizeF s = scene.size().scaled(box.size(), Qt::KeepAspectRatio);
  // A long chain would shrink to an invisible sliver: stretch it to a visible strip.
  s = s.expandedTo(QSizeF(kMinSide, kMinSide)).boundedTo(box.size());
  QRectF t(QPointF(), s);
  t.moveCenter(box.center());
  return t;
}

void GraphMinimap::refresh() {
  picture_ = QPixmap(size() * devicePixelRatioF());
  picture_.setDevicePixelRatio(devicePixelRatioF());
  picture_.fill(Qt::transparent);
  if (!view_->sceneRect().isEmpty()) {
    QPainter p(&picture_);
    view_->scene()->render(&p, target(), view_->sceneRect(), Qt::IgnoreAspectRatio);
  }
  update();
}

QPointF GraphMinimap::toScene(const QPointF& p) const {
  const QRectF t = target(), s = view_->sceneRect();
  if (t.isEmpty()) return s.center();
  return {s.left() + (p.x() - t.left()) * s.width() / t.width(), s.top() + (p.y() - t.top()) * s.height() / t.height()};
}

void GraphMinimap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setPen(QColor(0, 0, 0, 60));
  p.setBrush(QColor(255, 255, 255, 230));
  p.drawRect(rect().adjusted(0, 0, -1, -1));
  p.drawPixmap(0, 0, picture_);
  const QRectF t = target(), s = view_->sceneRect();
  if (s.isEmpty()) return;
  const QRectF visible = view_->mapToScene(view_->viewport()->rect()).boundingRect() & s;
  const double kx = t.width() / s.width(), ky = t.height() / s.height();
  QRectF v(t.left() + (visible.left() - s.left()) * kx, t.top() + (visible.top() - s.top()) * ky,
           visible.width() * kx, visible.height() * ky);
  v = v.united(QRectF(v.center() - QPointF(2, 2), QSizeF(4, 4)));  // stays visible when the view is tiny
  p.setPen(QPen(QColor(0xd0, 0x50, 0x20), 1.5));
  p.setBrush(QColor(0xd0, 0x50, 0x20, 40));
  p.drawRect(v);
}

void GraphMinimap::mousePressEvent(QMouseEvent* event) { view_->centerOn(toScene(event->position())); }

void GraphMinimap::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) view_->centerOn(toScene(event->position()));
}

}  // namespace kiln::ui
