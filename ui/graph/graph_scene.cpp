#include "graph_scene.h"

#include <QSet>
#include <algorithm>
#include <QtMath>

namespace kiln::ui {

namespace {
constexpr double kMargin = 40.0;
constexpr double kHullInset = 7.0;

// Distinct hues for neighbouring groups: step around the colour wheel by the golden ratio.
QColor groupColor(int i) { return QColor::fromHsvF(std::fmod(0.08 + i * 0.618034, 1.0), 0.7, 0.85); }
}  // namespace

GraphScene::GraphScene(QObject* parent) : QGraphicsScene(parent) {
  setBackgroundBrush(QColor(0xfb, 0xfb, 0xfc));
}

void GraphScene::clearGraph() {
  clear();
  nodes_.clear();
  edges_.clear();
  groups_.clear();
  layerIndex_.clear();
  layout_.reset();
  setSceneRect(QRectF());
}

void GraphScene::build(std::shared_ptr<const GraphLayout> layout) {
  clearGraph();
  layout_ = std::move(layout);
  if (!layout_) return;
  const GraphLayout& g = *layout_;
  nodes_.reserve(qsizetype(g.nodes.size()));
  QRectF bounds = g.bounds;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    auto* item = new NodeItem(int(i), &g.nodes[i], &g.style);
    addItem(item);
    nodes_ << item;
    if (g.nodes[i].kind == GraphNode::Kind::kLayer) layerIndex_.insert(g.nodes[i].name, int(i));
  }
  edges_.reserve(qsizetype(g.edges.size()));
  for (const GraphEdge& e : g.edges) {
    auto* item = new EdgeItem(&e, &g.style);
    addItem(item);
    edges_ << item;
    bounds |= item->boundingRect();
  }
  setSceneRect(bounds.adjusted(-kMargin, -kMargin, kMargin, kMargin));
}

NodeItem* GraphScene::layerItem(const QString& name) const {
  const auto it = layerIndex_.find(name);
  return it == layerIndex_.end() ? nullptr : nodes_[*it];
}

QRectF GraphScene::highlightLayers(const QStringList& layers) {
  QSet<int> lit;
  for (const QString& name : layers)
    if (const auto it = layerIndex_.find(name); it != layerIndex_.end()) lit.insert(*it);
  const bool all = layers.isEmpty();
  QRectF bounds;
  for (NodeItem* n : nodes_) {
    const bool on = all || lit.contains(n->index());
    n->setDimmed(!on);
    if (on && !all) bounds |= n->node().rect;
  }
  for (EdgeItem* e : edges_) e->setDimmed(!all && !(lit.contains(e->edge().from) && lit.contains(e->edge().to)));
  return bounds;
}

void GraphScene::setFusionGroups(const QList<QStringList>& groups) {
  for (FusionGroupItem* g : groups_) delete g;
  groups_.clear();
  for (const QStringList& group : groups) {
    QList<QPointF> corners;
    QStringList found;
    for (const QString& name : group) {
      const NodeItem* n = layerItem(name);
      if (!n) continue;
      const QRectF r = n->node().rect.adjusted(-kHullInset, -kHullInset, kHullInset, kHullInset);
      corners << r.topLeft() << r.topRight() << r.bottomLeft() << r.bottomRight();
      found << name;
    }
    if (found.isEmpty()) continue;
    auto* item = new FusionGroupItem(convexHull(corners), groupColor(int(groups_.size())), found);
    addItem(item);
    groups_ << item;
  }
}

QList<int> GraphScene::find(const QString& text) const {
  QList<int> hits;
  const QString needle = text.trimmed();
  if (needle.isEmpty() || !layout_) return hits;
  auto has = [&](const QString& s) { return s.contains(needle, Qt::CaseInsensitive); };
  auto is = [&](const QString& s) { return s.compare(needle, Qt::CaseInsensitive) == 0; };
  for (size_t i = 0; i < layout_->nodes.size(); ++i) {
    const GraphNode& n = layout_->nodes[i];
    if (has(n.name) || has(n.op) || std::any_of(n.tensors.begin(), n.tensors.end(), is)) hits << int(i);
  }
  return hits;
}

}  // namespace kiln::ui
