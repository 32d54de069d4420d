// The graph view's geometry: the nodes and edges of a Network, placed by
// Graphviz's dot in a layered top-to-bottom layout. Pure data; no widgets.
#pragma once

#include <QFont>
#include <QPainterPath>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <vector>

#include "graph/op_palette.h"
#include "kiln/network.h"

namespace kiln::ui {

/// One box of the graph: a layer, or a graph input or output tensor.
/// Constants are never nodes.
struct GraphNode {
  /// What the node stands for.
  enum class Kind : int32_t {
    kLayer = 0,   ///< a layer of the network
    kInput = 1,   ///< a graph input tensor
    kOutput = 2,  ///< a graph output tensor
  };
  Kind kind = Kind::kLayer;
  QString name;         ///< the layer name, or the tensor name of an input or output
  QString op;           ///< "Conv", "kiln:ConvAct"; empty for inputs and outputs
  OpFamily family = OpFamily::kOther;  ///< colour family of `op`
  QStringList tensors;  ///< the non-constant tensors it reads and writes (for find)
  QRectF rect;          ///< its box in scene coordinates
};

/// One arrow: a tensor flowing from one node to another.
struct GraphEdge {
  int from = 0;        ///< index of the producing node
  int to = 0;          ///< index of the consuming node
  QString tensor;      ///< the tensor's name
  QString label;       ///< the tensor's shape (Dims::str()); empty when unknown
  QPainterPath path;   ///< the spline, from the source box to the arrowhead's base
  QPointF arrowTip;    ///< where the arrowhead points (the target box's border)
  QPointF labelPos;    ///< the left end of the label's base line
};

/// The fonts node sizes were measured with; items paint with the same ones.
struct GraphStyle {
  QFont opFont;     ///< the op type, bold
  QFont nameFont;   ///< the layer name below it
  QFont labelFont;  ///< edge labels
  /// The style derived from an application font.
  static GraphStyle fromFont(const QFont& base);
};

/// A laid-out graph. Immutable once made; shared between the worker and the
/// scene through shared_ptr<const GraphLayout>.
struct GraphLayout {
  std::vector<GraphNode> nodes;  ///< inputs, then layers in topological order, then outputs
  std::vector<GraphEdge> edges;  ///< one per (producer, consumer, tensor)
  QRectF bounds;                 ///< the whole drawing, scene coordinates
  GraphStyle style;              ///< the fonts it was measured with
};

/// What layoutNetwork() hands back: a layout, or why there is none.
struct LayoutResult {
  std::shared_ptr<const GraphLayout> layout;  ///< null when cancelled or failed
  QString error;                              ///< empty unless it failed
};

/// The nodes and edges of `network` with sizes measured in `style`, but not
/// yet placed (rects at the origin, empty paths).
GraphLayout graphOf(const Network& network, const GraphStyle& style);

/// Lays `network` out with dot. Safe to call from any thread: Graphviz is
/// not thread-safe, so calls are serialized on one process-wide mutex.
/// Returns early with a null layout once `cancel` becomes true.
LayoutResult layoutNetwork(const Network& network, const GraphStyle& style,
                           const std::atomic<bool>& cancel);

}  // namespace kiln::ui
