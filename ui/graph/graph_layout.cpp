#include "graph_layout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <QFontMetricsF>
#include <QHash>
#include <algorithm>
#include <mutex>
#include <set>
#include <tuple>

namespace kiln::ui {

namespace {

constexpr double kPad = 8.0;         // text inset inside a box
constexpr double kMinWidth = 84.0;   // keeps short ops from looking like dots
constexpr double kMaxWidth = 230.0;  // longer names are elided when painted
constexpr double kPointsPerInch = 72.0;

std::mutex& graphvizMutex() {
  static std::mutex m;
  return m;
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

QSizeF layerSize(const GraphNode& n, const QFontMetricsF& op, const QFontMetricsF& name) {
  const double w = std::max(op.horizontalAdvance(n.op), name.horizontalAdvance(n.name)) + 2 * kPad;
  return {std::clamp(w, kMinWidth, kMaxWidth), op.height() + name.height() + kPad};
}

QSizeF ioSize(const GraphNode& n, const QFontMetricsF& name) {
  const double w = name.horizontalAdvance(n.name) + 3 * kPad;
  return {std::clamp(w, 56.0, kMaxWidth), name.height() + kPad};
}

// Owns one Graphviz context and graph; freeing in the destructor keeps every
// early return (cancel, failure) leak-free.
struct DotGraph {
  GVC_t* gvc = gvContext();
  Agraph_t* g = agopen(const_cast<char*>("kiln"), Agdirected, nullptr);
  bool laidOut = false;
  ~DotGraph() {
    if (laidOut) gvFreeLayout(gvc, g);
    agclose(g);
    gvFreeContext(gvc);
  }
  void set(int kind, const char* name, const char* value) {
    agattr(g, kind, const_cast<char*>(name), const_cast<char*>(value));
  }
};

QPointF toScene(pointf p, double top) { return {p.x, top - p.y}; }

void placeEdge(GraphEdge& e, Agedge_t* ge, double top, const std::vector<GraphNode>& nodes) {
  const splines* spl = ED_spl(ge);
  if (!spl || spl->size == 0 || spl->list[0].size == 0) {
    // dot gives up on some edges (rare); a straight arrow still shows the flow
    const QRectF a = nodes[size_t(e.from)].rect, b = nodes[size_t(e.to)].rect;
    e.path = QPainterPath(QPointF(a.center().x(), a.bottom()));
    e.arrowTip = QPointF(b.center().x(), b.top());
    e.path.lineTo(e.arrowTip);
  } else {
    const bezier& bz = spl->list[0];
    e.path = QPainterPath(toScene(bz.list[0], top));
    for (int i = 1; i + 2 < bz.size; i += 3)
      e.path.cubicTo(toScene(bz.list[i], top), toScene(bz.list[i + 1], top), toScene(bz.list[i + 2], top));
    e.arrowTip = bz.eflag ? toScene(bz.ep, top) : e.path.currentPosition();
  }
  e.labelPos = e.path.pointAtPercent(0.5) + QPointF(5, -3);
}

}  // namespace

GraphStyle GraphStyle::fromFont(const QFont& base) {
  GraphStyle s;
  s.opFont = base;
  s.opFont.setBold(true);
  s.nameFont = base;
  s.nameFont.setPointSizeF(base.pointSizeF() * 0.85);
  s.labelFont = base;
  s.labelFont.setPointSizeF(base.pointSizeF() * 0.75);
  return s;
}

GraphLayout graphOf(const Network& network, const GraphStyle& style) {
  GraphLayout out;
  out.style = style;
  const QFontMetricsF opMetrics(style.opFont), nameMetrics(style.nameFont);
  QHash<QString, int> producer;  // tensor name -> node index
  auto isVariable = [&](const std::string& t) {
    const Tensor* tensor = network.findTensor(t);
    return !t.empty() && !(tensor && tensor->isConstant());
  };
  auto addNode = [&](GraphNode n) {
    out.nodes.push_back(std::move(n));
    return int(out.nodes.size() - 1);
  };
  for (const std::string& in : network.inputs()) {
    if (!isVariable(in)) continue;
    GraphNode n{GraphNode::Kind::kInput, qs(in), {}, OpFamily::kOther, {qs(in)}, {}};
    n.rect = QRectF(QPointF(), ioSize(n, nameMetrics));
    const QString name = n.name;
    producer.insert(name, addNode(std::move(n)));
  }
  std::vector<std::pair<std::string, int>> reads;  // (tensor, consumer)
  for (const Layer& l : network.layers()) {
    GraphNode n;
    n.name = qs(l.name);
    n.op = l.domain.empty() ? qs(l.op) : qs(l.domain + ":" + l.op);
    n.family = opFamily(qs(l.op), qs(l.domain));
    for (const auto& t : l.inputs)
      if (isVariable(t)) n.tensors << qs(t);
    for (const auto& t : l.outputs)
      if (!t.empty()) n.tensors << qs(t);
    n.rect = QRectF(QPointF(), layerSize(n, opMetrics, nameMetrics));
    const int index = addNode(std::move(n));
    for (const auto& t : l.inputs)
      if (isVariable(t)) reads.emplace_back(t, index);
    for (const auto& t : l.outputs)
      if (!t.empty()) producer.insert(qs(t), index);
  }
  for (const std::string& o : network.outputs()) {
    GraphNode n{GraphNode::Kind::kOutput, qs(o), {}, OpFamily::kOther, {qs(o)}, {}};
    n.rect = QRectF(QPointF(), ioSize(n, nameMetrics));
    reads.emplace_back(o, addNode(std::move(n)));
  }
  std::set<std::tuple<int, int, std::string>> seen;
  for (const auto& [tensor, to] : reads) {
    const auto from = producer.find(qs(tensor));
    if (from == producer.end() || !seen.emplace(*from, to, tensor).second) continue;
    GraphEdge e;
    e.from = *from;
    e.to = to;
    e.tensor = qs(tensor);
    if (const Tensor* t = network.findTensor(tensor); t && t->dims.rankKnown) e.label = qs(t->dims.str());
    out.edges.push_back(std::move(e));
  }
  return out;
}

LayoutResult layoutNetwork(const Network& network, const GraphStyle& style, const std::atomic<bool>& cancel) {
  auto layout = std::make_shared<GraphLayout>(graphOf(network, style));
  if (cancel) return {};
  std::lock_guard lock(graphvizMutex());
  if (cancel) return {};
  agseterr(AGERR);  // warnings about odd graphs are not the user's business
  DotGraph dot;
  dot.set(AGRAPH, "rankdir", "TB");
  dot.set(AGRAPH, "nodesep", "0.3");
  dot.set(AGRAPH, "ranksep", "0.45");
  dot.set(AGRAPH, "splines", "spline");
  dot.set(AGNODE, "shape", "box");
  dot.set(AGNODE, "fixedsize", "true");
  dot.set(AGNODE, "label", "");
  Agsym_t* width = agattr(dot.g, AGNODE, const_cast<char*>("width"), const_cast<char*>("1"));
  Agsym_t* height = agattr(dot.g, AGNODE, const_cast<char*>("height"), const_cast<char*>("0.5"));
  std::vector<Agnode_t*> gnodes;
  gnodes.reserve(layout->nodes.size());
  for (size_t i = 0; i < layout->nodes.size(); ++i) {
    const std::string id = "n" + std::to_string(i);
    Agnode_t* n = agnode(dot.g, const_cast<char*>(id.c_str()), 1);
    const QSizeF size = layout->nodes[i].rect.size();
    agxset(n, width, const_cast<char*>(std::to_string(size.width() / kPointsPerInch).c_str()));
    agxset(n, height, const_cast<char*>(std::to_string(size.height() / kPointsPerInch).c_str()));
    gnodes.push_back(n);
  }
  std::vector<Agedge_t*> gedges;
  gedges.reserve(layout->edges.size());
  for (const GraphEdge& e : layout->edges)
    gedges.push_back(agedge(dot.g, gnodes[size_t(e.from)], gnodes[size_t(e.to)], nullptr, 1));
  if (cancel) return {};
  if (gvLayout(dot.gvc, dot.g, "dot") != 0) {
    const char* why = aglasterr();
    return {nullptr, QStringLiteral("Graphviz dot could not lay the graph out") +
                         (why ? QStringLiteral(": ") + QString::fromLocal8Bit(why).trimmed() : QString())};
  }
  dot.laidOut = true;
  if (cancel) return {};
  const boxf bb = GD_bb(dot.g);
  const double top = bb.UR.y;
  for (size_t i = 0; i < gnodes.size(); ++i) {
    QRectF& r = layout->nodes[i].rect;
    r.moveCenter(toScene(ND_coord(gnodes[i]), top));
  }
  for (size_t i = 0; i < gedges.size(); ++i) placeEdge(layout->edges[i], gedges[i], top, layout->nodes);
  layout->bounds = QRectF(QPointF(bb.LL.x, top - bb.UR.y), QPointF(bb.UR.x, top - bb.LL.y));
  return {std::move(layout), {}};
}

}  // namespace kiln::ui
