#include "graph_view.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

#include "graph/graph_minimap.h"
#include "graph/graph_scene.h"

namespace kiln::ui {

namespace {
constexpr double kStep = 1.25;
constexpr double kMaxZoom = 4.0;
constexpr double kReadableZoom = 0.5;  // below it a first look would show no text
constexpr double kMaxImageSide = 16000.0;
constexpr double kMaxImagePixels = 120e6;

QString tooltipOf(const GraphNode& n) {
  if (n.kind != GraphNode::Kind::kLayer)
    return (n.kind == GraphNode::Kind::kInput ? QObject::tr("Input ") : QObject::tr("Output ")) + n.name;
  return QStringLiteral("<b>%1</b><br>%2<br><i>%3</i>")
      .arg(n.op.toHtmlEscaped(), n.name.toHtmlEscaped(), familyName(n.family));
}
}  // namespace

GraphView::GraphView(QWidget* parent) : QGraphicsView(parent), scene_(new GraphScene(this)) {
  setScene(scene_);
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setDragMode(ScrollHandDrag);
  setTransformationAnchor(AnchorUnderMouse);
  setResizeAnchor(AnchorViewCenter);
  setViewportUpdateMode(SmartViewportUpdate);
  setOptimizationFlag(DontAdjustForAntialiasing);  // items pad their own bounds
  setFocusPolicy(Qt::StrongFocus);
  minimap_ = new GraphMinimap(this);
  minimap_->hide();
  connect(scene_, &QGraphicsScene::selectionChanged, this, &GraphView::emitSelection);
  connect(this, &GraphView::viewportChanged, this, &GraphView::placeMinimap);
}

double GraphView::zoom() const { return transform().m11(); }

void GraphView::showLayout(std::shared_ptr<const GraphLayout> layout) {
  matches_.clear();
  match_ = -1;
  scene_->build(std::move(layout));
  scene_->setFusionGroups(groups_);
  scene_->highlightLayers(highlight_);
  resetTransform();
  const QRectF all = sceneRect();
  const double fit = std::min(viewport()->width() / all.width(), viewport()->height() / all.height());
  if (fit >= kReadableZoom) {
    fitAll();
  } else {
    // A big model opens at its inputs, readable, like a document at its first page.
    setTransform(QTransform::fromScale(1, 1));
    centerOn(all.center().x(), all.top() + viewport()->height() / 2.0);
  }
  minimap_->refresh();
  emit viewportChanged();
}

void GraphView::clear() {
  highlight_.clear();
  groups_.clear();
  matches_.clear();
  match_ = -1;
  scene_->clearGraph();
  minimap_->refresh();
  emit viewportChanged();
}

void GraphView::fitAll() {
  if (sceneRect().isEmpty()) return;
  fitInView(sceneRect(), Qt::KeepAspectRatio);
  if (zoom() > 1.0) setTransform(QTransform::fromScale(1, 1));  // small graphs stay at natural size
  centerOn(sceneRect().center());
  emit viewportChanged();
}

void GraphView::zoomIn() { zoomBy(kStep); }
void GraphView::zoomOut() { zoomBy(1 / kStep); }

void GraphView::zoomBy(double factor) {
  const QRectF all = sceneRect();
  if (all.isEmpty()) return;
  const double fit = std::min(viewport()->width() / all.width(), viewport()->height() / all.height());
  const double minZoom = std::min(fit, 1.0) * 0.5;
  const double z = std::clamp(zoom() * factor, minZoom, kMaxZoom);
  scale(z / zoom(), z / zoom());
  emit viewportChanged();
}

void GraphView::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ControlModifier) {
    zoomBy(std::pow(kStep, event->angleDelta().y() / 120.0));
    event->accept();
    return;
  }
  QGraphicsView::wheelEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomIn(); return;
    case Qt::Key_Minus: zoomOut(); return;
    case Qt::Key_F: fitAll(); return;
    case Qt::Key_0:
      setTransform(QTransform::fromScale(1, 1));
      emit viewportChanged();
      return;
    default: QGraphicsView::keyPressEvent(event);
  }
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
  auto* node = qgraphicsitem_cast<NodeItem*>(itemAt(event->pos()));
  if (!node || !node->isLayer()) return QGraphicsView::contextMenuEvent(event);
  scene_->clearSelection();
  node->setSelected(true);
  emit layerContextMenuRequested(node->node().name, event->globalPos());
}

bool GraphView::viewportEvent(QEvent* event) {
  // One tooltip for the view instead of a QString on each of thousands of items.
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    if (auto* node = qgraphicsitem_cast<NodeItem*>(itemAt(help->pos())))
      QToolTip::showText(help->globalPos(), tooltipOf(node->node()), viewport());
    else
      QToolTip::hideText();
    return true;
  }
  return QGraphicsView::viewportEvent(event);
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  emit viewportChanged();
}

void GraphView::scrollContentsBy(int dx, int dy) {
  QGraphicsView::scrollContentsBy(dx, dy);
  emit viewportChanged();
}

void GraphView::placeMinimap() {
  const QRectF all = sceneRect();
  const bool needed = !all.isEmpty() && !mapToScene(viewport()->rect()).boundingRect().contains(all);
  minimap_->setVisible(needed);
  const QRect vp = viewport()->geometry();
  minimap_->move(vp.right() - minimap_->width() - 10, vp.bottom() - minimap_->height() - 10);
}

void GraphView::emitSelection() {
  const auto selected = scene_->selectedItems();
  if (selected.size() != 1) return;
  if (auto* node = qgraphicsitem_cast<NodeItem*>(selected.front()); node && node->isLayer())
    emit layerSelected(node->node().name);
}

QStringList GraphView::find(const QString& text) {
  matches_ = scene_->find(text);
  match_ = -1;
  QStringList names;
  for (int i : matches_) names << scene_->nodeItems()[i]->node().name;
  return names;
}

QString GraphView::selectNext() { return selectMatch(1); }
QString GraphView::selectPrevious() { return selectMatch(-1); }

QString GraphView::selectMatch(int step) {
  if (matches_.isEmpty()) return {};
  const int n = int(matches_.size());
  match_ = match_ < 0 ? (step > 0 ? 0 : n - 1) : (match_ + step + n) % n;
  NodeItem* node = scene_->nodeItems()[matches_[match_]];
  scene_->clearSelection();
  node->setSelected(true);
  if (zoom() < kReadableZoom) setTransform(QTransform::fromScale(1, 1));
  centerOn(node);
  emit viewportChanged();
  return node->node().name;
}

void GraphView::highlightLayers(const QStringList& layers) {
  highlight_ = layers;
  const QRectF lit = scene_->highlightLayers(layers);
  if (!lit.isEmpty() && !mapToScene(viewport()->rect()).boundingRect().contains(lit)) centerOn(lit.center());
  minimap_->refresh();
}

void GraphView::setFusionGroups(const QList<QStringList>& groups) {
  groups_ = groups;
  scene_->setFusionGroups(groups);
  minimap_->refresh();
}

void GraphView::renderScene(QPainter* painter, const QRectF& target) {
  const auto selected = scene_->selectedItems();
  for (QGraphicsItem* item : selected) item->setSelected(false);  // the export shows the graph, not the UI state
  // Cached items would land in the file as bitmaps: SVG text must stay text.
  for (NodeItem* n : scene_->nodeItems()) n->setCacheMode(QGraphicsItem::NoCache);
  painter->setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  scene_->render(painter, target, sceneRect());
  for (NodeItem* n : scene_->nodeItems()) n->setCacheMode(QGraphicsItem::DeviceCoordinateCache);
  for (QGraphicsItem* item : selected) item->setSelected(true);
}

bool GraphView::exportPng(const QString& path) {
  const QRectF all = sceneRect();
  if (all.isEmpty()) return false;
  // 2x for crisp text, less when the graph is huge so the image stays writable.
  const double s = std::min({2.0, kMaxImageSide / std::max(all.width(), all.height()),
                             std::sqrt(kMaxImagePixels / (all.width() * all.height()))});
  QImage image(QSize(int(std::ceil(all.width() * s)), int(std::ceil(all.height() * s))), QImage::Format_ARGB32);
  if (image.isNull()) return false;
  image.fill(scene_->backgroundBrush().color());
  QPainter painter(&image);
  renderScene(&painter, QRectF(QPointF(), image.size()));
  painter.end();
  return image.save(path, "PNG");
}

bool GraphView::exportSvg(const QString& path) {
  const QRectF all = sceneRect();
  if (all.isEmpty()) return false;
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(all.size().toSize());
  svg.setViewBox(QRectF(QPointF(), all.size()));
  svg.setTitle(tr("Kiln graph"));
  QPainter painter;
  if (!painter.begin(&svg)) return false;
  renderScene(&painter, QRectF(QPointF(), all.size()));
  return painter.end();
}

}  // namespace kiln::ui
