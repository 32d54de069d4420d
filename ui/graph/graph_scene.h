// The scene of the graph view: mirrors a GraphLayout as items and owns no
// model facts of its own.
#pragma once

#include <QGraphicsScene>
#include <QHash>
#include <memory>

#include "graph/graph_items.h"

namespace kiln::ui {

/// Items for one laid-out graph, plus the highlight and fusion-group
/// decorations drawn over it.
class GraphScene : public QGraphicsScene {
  Q_OBJECT
 public:
  explicit GraphScene(QObject* parent = nullptr);

  /// Replaces every item with those of `layout` (kept alive by the scene).
  void build(std::shared_ptr<const GraphLayout> layout);
  /// Removes every item.
  void clearGraph();
  /// The layout on display, or null.
  const GraphLayout* graph() const { return layout_.get(); }

  /// Every node item, in GraphLayout::nodes order.
  const QList<NodeItem*>& nodeItems() const { return nodes_; }
  const QList<EdgeItem*>& edgeItems() const { return edges_; }
  const QList<FusionGroupItem*>& fusionGroupItems() const { return groups_; }
  /// The item of the layer called `name`, or null.
  NodeItem* layerItem(const QString& name) const;

  /// Dims every node and edge that does not belong to `layers`; an empty
  /// list undims everything. Returns the highlighted items' bounds.
  QRectF highlightLayers(const QStringList& layers);
  /// One translucent hull per group that names at least one layer of the
  /// graph, each in its own colour; an empty list clears them.
  void setFusionGroups(const QList<QStringList>& groups);
  /// Indices of the nodes whose name or op type contains `text`, or that
  /// read or write a tensor named `text` (case-insensitive), in layout order.
  /// Tensors match whole names only: most share a prefix with their producer.
  QList<int> find(const QString& text) const;

 private:
  std::shared_ptr<const GraphLayout> layout_;
  QList<NodeItem*> nodes_;
  QList<EdgeItem*> edges_;
  QList<FusionGroupItem*> groups_;
  QHash<QString, int> layerIndex_;
};

}  // namespace kiln::ui
