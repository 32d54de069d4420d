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

void placeEdge(GraphEdge& e, Agedge_t* ge, double top) {
  const splines* spl = ED_spl(ge);
  if (!spl || spl->size == 0 || spl->list[0].size == 0) {
    // dot gives up on some edges (rare); a straight arrow still shows the flow
    Agnode_t* from = agtail(ge);
    Agnode_t* to = aghead(ge);
    e.path = QPainterPath(toScene(ND_coord(from), top) + QPointF(0, ND_ht(from) / 2));
    e.arrowTip = toScene(ND_coord(to), top) - QPointF(0, ND_ht(to) / 2);
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

// A run of consecutive nodes laid out by one dot call. Every chunk but the
// first starts with the previous chunk's last node, its "joint": the only
// node with edges into later chunks. Chunks keep dot fast on big models,
// whose network simplex grows much faster than linearly in Graphviz 2.4x.
struct Chunk {
  int first = 0;  // the joint, for every chunk but the first
  int last = 0;
};

constexpr int kChunkNodes = 300;

// Cuts the topological order after nodes that no earlier node reaches past.
std::vector<Chunk> chunksOf(const GraphLayout& g) {
  const int n = int(g.nodes.size());
  std::vector<int> reach(size_t(n), -1);  // the furthest node each node feeds
  for (const GraphEdge& e : g.edges) reach[size_t(e.from)] = std::max(reach[size_t(e.from)], e.to);
  std::vector<Chunk> chunks;
  int start = 0, furthest = -1;  // furthest: reached by any node before k
  for (int k = 0; k + 1 < n; ++k) {
    if (k - start >= kChunkNodes && furthest <= k && reach[size_t(k)] > k) {
      chunks.push_back({start, k});
      start = k;
    }
    furthest = std::max(furthest, reach[size_t(k)]);
  }
  chunks.push_back({start, n - 1});
  return chunks;
}

// Lays one chunk out with dot: node centres (chunk coordinates, index
// relative to c.first) and the paths of the edges ending in the chunk.
bool layOutChunk(GraphLayout& g, const Chunk& c, bool joined, bool joinsNext, std::vector<QPointF>& centers,
                 QString& error) {
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
  const int count = c.last - c.first + 1;
  std::vector<Agnode_t*> gnodes;
  gnodes.reserve(size_t(count));
  for (int i = c.first; i <= c.last; ++i) {
    const std::string id = "n" + std::to_string(i);
    Agnode_t* n = agnode(dot.g, const_cast<char*>(id.c_str()), 1);
    const QSizeF size = g.nodes[size_t(i)].rect.size();
    agxset(n, width, const_cast<char*>(std::to_string(size.width() / kPointsPerInch).c_str()));
    agxset(n, height, const_cast<char*>(std::to_string(size.height() / kPointsPerInch).c_str()));
    gnodes.push_back(n);
  }
  auto local = [&](int node) { return gnodes[size_t(node - c.first)]; };
  std::vector<std::pair<GraphEdge*, Agedge_t*>> edges;
  std::vector<bool> hasIn(static_cast<size_t>(count)), hasOut(static_cast<size_t>(count));
  for (GraphEdge& e : g.edges) {
    if (e.to <= c.first - (joined ? 0 : 1) || e.to > c.last) continue;
    edges.emplace_back(&e, agedge(dot.g, local(e.from), local(e.to), nullptr, 1));
    hasOut[size_t(e.from - c.first)] = true;
    hasIn[size_t(e.to - c.first)] = true;
  }
  // Unseen edges pin the joints: the chunk hangs below its first joint and
  // ends at its last, so stacked chunks can never overlap.
  for (int i = 1; joined && i < count; ++i)
    if (!hasIn[size_t(i)]) agedge(dot.g, gnodes.front(), gnodes[size_t(i)], nullptr, 1);
  for (int i = 0; joinsNext && i + 1 < count; ++i)
    if (!hasOut[size_t(i)]) agedge(dot.g, gnodes[size_t(i)], gnodes.back(), nullptr, 1);
  if (gvLayout(dot.gvc, dot.g, "dot") != 0) {
    const char* why = aglasterr();
    error = QStringLiteral("Graphviz dot could not lay the graph out") +
            (why ? QStringLiteral(": ") + QString::fromLocal8Bit(why).trimmed() : QString());
    return false;
  }
  dot.laidOut = true;
  const double top = GD_bb(dot.g).UR.y;
  centers.clear();
  for (Agnode_t* n : gnodes) centers.push_back(toScene(ND_coord(n), top));
  for (auto& [e, ge] : edges) placeEdge(*e, ge, top);
  return true;
}

}  // namespace

GraphStyle GraphStyle::fromFont(const QFont& base) {
  // Fonts set in pixels report no point size; scale whichever unit is set.
  auto scaled = [&](double factor) {
    QFont f = base;
    if (base.pointSizeF() > 0) f.setPointSizeF(base.pointSizeF() * factor);
    else f.setPixelSize(std::max(1, int(base.pixelSize() * factor)));
    return f;
  };
  GraphStyle s;
  s.opFont = base;
  s.opFont.setBold(true);
  s.nameFont = scaled(0.85);
  s.labelFont = scaled(0.75);
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
  agseterr(AGERR);  // warnings about odd graphs are not the user's business
  const std::vector<Chunk> chunks = chunksOf(*layout);
  std::vector<QPointF> centers;
  QString error;
  QRectF bounds;
  for (size_t k = 0; k < chunks.size(); ++k) {
    if (cancel) return {};
    const Chunk& c = chunks[k];
    const bool joined = k > 0;
    if (!layOutChunk(*layout, c, joined, k + 1 < chunks.size(), centers, error)) return {nullptr, error};
    // Shift the chunk so its first joint lands on where the previous chunk put it.
    const QPointF shift = joined ? layout->nodes[size_t(c.first)].rect.center() - centers.front() : QPointF();
    for (int i = c.first + (joined ? 1 : 0); i <= c.last; ++i) {
      QRectF& r = layout->nodes[size_t(i)].rect;
      r.moveCenter(centers[size_t(i - c.first)] + shift);
      bounds |= r;
    }
    for (GraphEdge& e : layout->edges) {
      if (e.to <= c.first - (joined ? 0 : 1) || e.to > c.last) continue;
      e.path.translate(shift);
      e.arrowTip += shift;
      e.labelPos += shift;
      bounds |= e.path.boundingRect();
    }
  }
  layout->bounds = bounds;
  return {std::move(layout), {}};
}

}  // namespace kiln::ui
