#include "graph_items.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QtMath>
#include <algorithm>

namespace kiln::ui {

namespace {
constexpr double kDimmedOpacity = 0.18;
constexpr double kRadius = 5.0;
constexpr double kArrowLength = 8.0;
const QColor kSelection(0xff, 0xb3, 0x00);
const QColor kEdgeColor(0x55, 0x5b, 0x63);
const QColor kIoFill(0xe6, 0xe8, 0xeb);

double detail(QPainter* painter, const QStyleOptionGraphicsItem* option) {
  return option->levelOfDetailFromTransform(painter->worldTransform());
}
}  // namespace

NodeItem::NodeItem(int index, const GraphNode* node, const GraphStyle* style)
    : index_(index), node_(node), style_(style) {
  setFlag(ItemIsSelectable);
  // Text is the costly part of a node; caching it makes panning cheap.
  setCacheMode(DeviceCoordinateCache);
  setZValue(2);
}

QRectF NodeItem::boundingRect() const { return node_->rect.adjusted(-3, -3, 3, 3); }

void NodeItem::setDimmed(bool dimmed) {
  dimmed_ = dimmed;
  setOpacity(dimmed ? kDimmedOpacity : 1.0);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const QRectF r = node_->rect;
  const bool layer = isLayer();
  const QColor fill = layer ? familyColor(node_->family) : kIoFill;
  if (detail(painter, option) < kTextDetail) {
    painter->fillRect(r, isSelected() ? kSelection : fill);
    return;
  }
  painter->setPen(isSelected() ? QPen(kSelection, 3) : QPen(fill.darker(135), 1));
  painter->setBrush(fill);
  const double radius = layer ? kRadius : r.height() / 2;
  painter->drawRoundedRect(r, radius, radius);
  const QRectF text = r.adjusted(6, 3, -6, -3);
  if (layer) {
    const QFontMetricsF opMetrics(style_->opFont);
    painter->setPen(Qt::white);
    painter->setFont(style_->opFont);
    const QRectF opLine(text.left(), text.top(), text.width(), opMetrics.height());
    painter->drawText(opLine, Qt::AlignHCenter | Qt::AlignTop,
                      opMetrics.elidedText(node_->op, Qt::ElideRight, text.width()));
    painter->setFont(style_->nameFont);
    painter->setPen(QColor(255, 255, 255, 215));
    const QRectF nameLine(text.left(), opLine.bottom(), text.width(), text.bottom() - opLine.bottom());
    painter->drawText(nameLine, Qt::AlignHCenter | Qt::AlignTop,
                      QFontMetricsF(style_->nameFont).elidedText(node_->name, Qt::ElideMiddle, text.width()));
  } else {
    painter->setPen(QColor(0x30, 0x33, 0x38));
    painter->setFont(style_->nameFont);
    painter->drawText(text, Qt::AlignCenter,
                      QFontMetricsF(style_->nameFont).elidedText(node_->name, Qt::ElideMiddle, text.width()));
  }
}

EdgeItem::EdgeItem(const GraphEdge* edge, const GraphStyle* style) : edge_(edge), style_(style) {
  QRectF b = edge->path.boundingRect() | QRectF(edge->arrowTip, QSizeF(1, 1));
  if (!edge->label.isEmpty()) {
    const QFontMetricsF m(style->labelFont);
    b |= QRectF(edge->labelPos.x(), edge->labelPos.y() - m.ascent(), m.horizontalAdvance(edge->label),
                m.height());
  }
  bounds_ = b.adjusted(-kArrowLength, -kArrowLength, kArrowLength, kArrowLength);
  setZValue(1);
}

void EdgeItem::setDimmed(bool dimmed) {
  dimmed_ = dimmed;
  setOpacity(dimmed ? kDimmedOpacity : 1.0);
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  const double lod = detail(painter, option);
  if (lod < kTextDetail) {
    painter->setPen(QPen(kEdgeColor, 0));  // cosmetic: one pixel at any zoom, and fast
    painter->drawPath(edge_->path);
    return;
  }
  painter->setPen(QPen(kEdgeColor, 1.2));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(edge_->path);
  // The arrowhead runs from the path's end (its base) to the tip dot gives.
  const QPointF base = edge_->path.currentPosition();
  QLineF axis(edge_->arrowTip, base);
  if (axis.length() < 1) axis = QLineF(base, base - QPointF(0, kArrowLength));
  axis.setLength(kArrowLength);
  const QLineF side = axis.normalVector();
  const QPointF dx = (side.p2() - side.p1()) * 0.45;
  painter->setPen(Qt::NoPen);
  painter->setBrush(kEdgeColor);
  painter->drawPolygon(QPolygonF{edge_->arrowTip, axis.p2() + dx, axis.p2() - dx});
  if (!edge_->label.isEmpty()) {
    painter->setPen(QColor(0x4a, 0x4f, 0x57));
    painter->setFont(style_->labelFont);
    painter->drawText(edge_->labelPos, edge_->label);
  }
}

FusionGroupItem::FusionGroupItem(QPolygonF hull, QColor color, QStringList members)
    : hull_(std::move(hull)), color_(color), members_(std::move(members)) {
  setZValue(0);
}

QRectF FusionGroupItem::boundingRect() const { return hull_.boundingRect().adjusted(-4, -4, 4, 4); }

void FusionGroupItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  QColor fill = color_;
  fill.setAlpha(55);
  QPen outline(color_, 2.5);
  outline.setJoinStyle(Qt::RoundJoin);  // round joins soften the hull's corners
  painter->setPen(outline);
  painter->setBrush(fill);
  painter->drawPolygon(hull_);
}

QPolygonF convexHull(QList<QPointF> p) {
  std::sort(p.begin(), p.end(), [](QPointF a, QPointF b) { return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y()); });
  if (p.size() < 3) return QPolygonF(p);
  auto cross = [](QPointF o, QPointF a, QPointF b) {
    return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
  };
  QList<QPointF> h(2 * p.size());
  qsizetype k = 0;
  for (qsizetype i = 0; i < p.size(); ++i) {  // lower hull
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (qsizetype i = p.size() - 1, t = k + 1; i > 0; --i) {  // upper hull
    while (k >= t && cross(h[k - 2], h[k - 1], p[i - 1]) <= 0) --k;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  return QPolygonF(h);
}

}  // namespace kiln::ui
