// The graph view: zoom, pan, find, highlight, fusion hulls and export over a GraphScene.
#pragma once

#include <QGraphicsView>
#include <QList>
#include <QStringList>
#include <memory>

#include "graph/graph_layout.h"

namespace kiln::ui {

class GraphScene;
class GraphMinimap;

/// Shows a laid-out network. Ctrl+wheel and +/- zoom, dragging pans, F fits
/// the whole graph. A click on a layer emits layerSelected(). Highlights and
/// fusion groups set before a layout arrives are applied when it does.
class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  explicit GraphView(QWidget* parent = nullptr);

  /// Shows `layout`, replacing what was there, and picks a readable zoom.
  void showLayout(std::shared_ptr<const GraphLayout> layout);
  GraphScene* graphScene() const { return scene_; }
  GraphMinimap* minimap() const { return minimap_; }
  /// The current zoom factor (1 = one scene unit per pixel).
  double zoom() const;

  /// Names of the nodes matching `text` (see GraphScene::find), in layout
  /// order; selectNext() then walks through them.
  QStringList find(const QString& text);
  /// Selects and centres on the next (or previous) match of the last find;
  /// returns its name, or an empty string when there are none.
  QString selectNext();
  QString selectPrevious();
  /// Position of the current match (0-based) in the last find, or -1.
  int currentMatch() const { return match_; }

  /// Writes the whole graph as an image; false when it cannot be written.
  bool exportPng(const QString& path);
  /// Writes the whole graph as SVG; false when it cannot be written.
  bool exportSvg(const QString& path);

 public slots:
  /// Dims every node but these layers (e.g. the origins of an engine layer)
  /// and brings them into view; an empty list undims all.
  void highlightLayers(const QStringList& layers);
  /// Outlines each group of layers with its own translucent hull; an empty list clears.
  void setFusionGroups(const QList<QStringList>& groups);
  /// Removes the graph, highlights, fusion groups and find results.
  void clear();
  /// Fits the whole graph into the window.
  void fitAll();
  void zoomIn();
  void zoomOut();

 signals:
  /// A layer node was selected (clicked, or reached by find).
  void layerSelected(const QString& layerName);
  /// A layer node was right-clicked; `globalPos` is where to open a menu.
  void layerContextMenuRequested(const QString& layerName, const QPoint& globalPos);
  /// The visible part of the scene changed (scroll, zoom, resize).
  void viewportChanged();

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void scrollContentsBy(int dx, int dy) override;
  bool viewportEvent(QEvent* event) override;

 private:
  void zoomBy(double factor);
  void emitSelection();
  QString selectMatch(int step);
  void placeMinimap();
  void renderScene(QPainter* painter, const QRectF& target);

  GraphScene* scene_;
  GraphMinimap* minimap_;
  QStringList highlight_;
  QList<QStringList> groups_;
  QList<int> matches_;
  int match_ = -1;
};

}  // namespace kiln::ui
