// The graphics items of the graph view. Each points into the scene's shared
// GraphLayout instead of copying it, so a 5,000-node model stays light.
#pragma once

#include <QGraphicsItem>

#include "graph/graph_layout.h"

namespace kiln::ui {

/// Below this level of detail, text is too small to read and is not drawn.
inline constexpr double kTextDetail = 0.4;

/// A node: a rounded box coloured by op family with the op type in bold
/// and the layer name below; inputs and outputs as small grey pills.
class NodeItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 1 };
  /// `node` and `style` belong to the scene's layout and outlive the item.
  NodeItem(int index, const GraphNode* node, const GraphStyle* style);

  int type() const override { return Type; }
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  /// The node's index in GraphLayout::nodes.
  int index() const { return index_; }
  const GraphNode& node() const { return *node_; }
  bool isLayer() const { return node_->kind == GraphNode::Kind::kLayer; }
  /// Dimmed nodes fade back so that highlighted ones stand out.
  void setDimmed(bool dimmed);
  bool isDimmed() const { return dimmed_; }

 private:
  int index_;
  const GraphNode* node_;
  const GraphStyle* style_;
  bool dimmed_ = false;
};

/// An edge: a spline with an arrowhead, labelled with the tensor's shape.
class EdgeItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 2 };
  /// `edge` and `style` belong to the scene's layout and outlive the item.
  EdgeItem(const GraphEdge* edge, const GraphStyle* style);

  int type() const override { return Type; }
  QRectF boundingRect() const override { return bounds_; }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  const GraphEdge& edge() const { return *edge_; }
  void setDimmed(bool dimmed);
  bool isDimmed() const { return dimmed_; }

 private:
  const GraphEdge* edge_;
  const GraphStyle* style_;
  QRectF bounds_;
  bool dimmed_ = false;
};

/// A translucent hull around the layers that one fused layer came from.
class FusionGroupItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 3 };
  /// `hull` is a closed polygon in scene coordinates; `members` the layer names inside.
  FusionGroupItem(QPolygonF hull, QColor color, QStringList members);

  int type() const override { return Type; }
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  const QStringList& members() const { return members_; }
  QColor color() const { return color_; }

 private:
  QPolygonF hull_;
  QColor color_;
  QStringList members_;
};

/// The convex hull of a set of points, counter-clockwise.
QPolygonF convexHull(QList<QPointF> points);

}  // namespace kiln::ui
