// The graph view: dot layout geometry, find, highlight, fusion hulls, export,
// the worker-backed GraphWidget and the sample model on screen.
#include <QtTest>

#include <QContextMenuEvent>
#include <QImage>
#include <QSet>

#include "graph/graph_layout.h"
#include "graph/graph_minimap.h"
#include "graph/graph_scene.h"
#include "graph/graph_view.h"
#include "graph/graph_widget.h"
#include "kiln/onnx.h"
#include "support/test_models.h"

using namespace kiln;
using namespace kiln::ui;

namespace {
std::shared_ptr<const Network> showcase() {
  auto net = std::make_shared<Network>(test::fusionShowcaseNetwork());
  inferShapes(*net);
  return net;
}

std::shared_ptr<const GraphLayout> layOut(const Network& net) {
  std::atomic<bool> cancel{false};
  LayoutResult r = layoutNetwork(net, GraphStyle::fromFont(QApplication::font()), cancel);
  if (!r.layout) qWarning() << r.error;
  return r.layout;
}

// A ResNet-like chain of `blocks` blocks (Conv, Relu, Conv, Add, Relu), big
// enough that dot lays it out in several chunks.
std::shared_ptr<const Network> residualChain(int blocks) {
  auto net = std::make_shared<Network>();
  net->addInput("x", DataType::kFloat32, Dims{1, 8, 4, 4});
  net->addConstant("w", HostTensor::fromDoubles(DataType::kFloat32, {8, 8, 1, 1}, std::vector<double>(64, 0.01)));
  std::string t = "x";
  for (int i = 0; i < blocks; ++i) {
    const std::string b = "b" + std::to_string(i) + "_";
    std::string u = net->add("Conv", {t, "w"}, {}, b + "conv_a");
    u = net->add("Relu", {u}, {}, b + "relu_a");
    u = net->add("Conv", {u, "w"}, {}, b + "conv_b");
    u = net->add("Add", {u, t}, {}, b + "add");
    t = net->add("Relu", {u}, {}, b + "relu");
  }
  net->markOutput(t);
  inferShapes(*net);
  return net;
}

// Saves a screenshot when KILN_SCREENSHOT_DIR names a folder, for a person to look at.
void saveShot(const QImage& image, const QString& name) {
  const QString dir = qEnvironmentVariable("KILN_SCREENSHOT_DIR");
  if (!dir.isEmpty()) image.save(QDir(dir).filePath(name));
}

// The origins of every fused layer that stands for more than one ONNX node.
QList<QStringList> fusionGroups() {
  QList<QStringList> groups;
  for (const auto& [op, origin] : test::fusionShowcaseFusedLayers()) {
    if (origin.size() < 2) continue;
    QStringList g;
    for (const auto& o : origin) g << QString::fromStdString(o);
    groups << g;
  }
  return groups;
}
}  // namespace

class TestGraphView : public QObject {
  Q_OBJECT
 private slots:
  void familiesComeFromOnePalette() {
    QCOMPARE(opFamily("Conv"), OpFamily::kConvolution);
    QCOMPARE(opFamily("Gemm"), OpFamily::kMatMul);
    QCOMPARE(opFamily("LayerNormalization"), OpFamily::kNormalization);
    QCOMPARE(opFamily("Softmax"), OpFamily::kActivation);
    QCOMPARE(opFamily("GlobalAveragePool"), OpFamily::kPooling);
    QCOMPARE(opFamily("Add"), OpFamily::kElementwise);
    QCOMPARE(opFamily("Reshape"), OpFamily::kShape);
    QCOMPARE(opFamily("ReduceMean"), OpFamily::kReduction);
    QCOMPARE(opFamily("ConvAct", "kiln"), OpFamily::kFused);
    QCOMPARE(opFamily("DequantizeLinear"), OpFamily::kQuantization);
    QCOMPARE(opFamily("NoSuchOp"), OpFamily::kOther);
    QSet<QRgb> colours;
    for (int f = 0; f <= int(OpFamily::kOther); ++f) colours.insert(familyColor(OpFamily(f)).rgb());
    QCOMPARE(colours.size(), int(OpFamily::kOther) + 1);
  }

  void styleScalesPointAndPixelFonts() {
    QFont points;
    points.setPointSizeF(10);
    QCOMPARE(GraphStyle::fromFont(points).nameFont.pointSizeF(), 8.5);
    QCOMPARE(GraphStyle::fromFont(points).labelFont.pointSizeF(), 7.5);
    QVERIFY(GraphStyle::fromFont(points).opFont.bold());
    QFont pixels;
    pixels.setPixelSize(20);
    QCOMPARE(GraphStyle::fromFont(pixels).nameFont.pixelSize(), 17);
    QCOMPARE(GraphStyle::fromFont(pixels).labelFont.pixelSize(), 15);
  }

  void layoutFlowsDownWithoutOverlaps() {
    auto net = showcase();
    auto g = layOut(*net);
    QVERIFY(g);
    QCOMPARE(g->nodes.size(), net->layers().size() + net->inputs().size() + net->outputs().size());
    QCOMPARE(g->nodes.size(), size_t(30));
    QCOMPARE(g->edges.size(), size_t(35));  // every non-constant read, and the output
    QCOMPARE(g->nodes.front().name, QString("image"));
    QCOMPARE(g->nodes.front().kind, GraphNode::Kind::kInput);
    QCOMPARE(g->nodes.back().name, QString("y"));
    QCOMPARE(g->nodes.back().kind, GraphNode::Kind::kOutput);
    for (const GraphEdge& e : g->edges) {
      const QRectF a = g->nodes[size_t(e.from)].rect, b = g->nodes[size_t(e.to)].rect;
      QVERIFY2(a.center().y() < b.center().y(), qPrintable(e.tensor));
      QVERIFY(!e.path.isEmpty());
      QVERIFY(qAbs(e.arrowTip.y() - b.top()) < 2.0);  // the arrow ends on the target's top border
    }
    for (size_t i = 0; i < g->nodes.size(); ++i)
      for (size_t j = i + 1; j < g->nodes.size(); ++j)
        QVERIFY2(!g->nodes[i].rect.intersects(g->nodes[j].rect),
                 qPrintable(g->nodes[i].name + " overlaps " + g->nodes[j].name));
    const auto conv = std::find_if(g->edges.begin(), g->edges.end(), [](const GraphEdge& e) { return e.tensor == "conv"; });
    QVERIFY(conv != g->edges.end());
    QCOMPARE(conv->label, QString("1x4x8x8"));
  }

  void bigModelsStackChunksWithoutOverlaps() {
    auto g = layOut(*residualChain(300));  // 1,500 layers: several dot calls joined at block outputs
    QVERIFY(g);
    QCOMPARE(g->nodes.size(), size_t(1502));
    QCOMPARE(g->edges.size(), size_t(300 * 6 + 1));
    for (const GraphEdge& e : g->edges) {
      const QRectF a = g->nodes[size_t(e.from)].rect, b = g->nodes[size_t(e.to)].rect;
      QVERIFY2(a.bottom() < b.top(), qPrintable(e.tensor));
      QVERIFY2(qAbs(e.arrowTip.y() - b.top()) < 2.0, qPrintable(e.tensor));
      QVERIFY2(qAbs(e.path.elementAt(0).y - a.bottom()) < 2.0, qPrintable(e.tensor));
    }
    std::vector<QRectF> rects;
    for (const GraphNode& n : g->nodes) rects.push_back(n.rect);
    std::sort(rects.begin(), rects.end(), [](const QRectF& a, const QRectF& b) { return a.top() < b.top(); });
    for (size_t i = 0; i < rects.size(); ++i)
      for (size_t j = i + 1; j < rects.size() && rects[j].top() < rects[i].bottom(); ++j)
        QVERIFY(!rects[i].intersects(rects[j]));
    QVERIFY(g->bounds.contains(g->nodes.back().rect));
  }

  void oddNetworksStillLayOut() {
    const Network empty;
    auto g = layOut(empty);
    QVERIFY(g);
    QCOMPARE(g->nodes.size(), size_t(0));
    GraphView view;
    view.showLayout(g);  // nothing to show, nothing to crash on
    QCOMPARE(view.find("x"), QStringList());
    QCOMPARE(view.selectNext(), QString());

    Network passThrough;  // an input that is also the output, and a layer nobody reads
    passThrough.addInput("x", DataType::kFloat32, Dims{2});
    passThrough.markOutput("x");
    passThrough.add("Relu", {"x"}, {}, "unused");
    g = layOut(passThrough);
    QVERIFY(g);
    QCOMPARE(g->nodes.size(), size_t(3));  // x in, unused, x out
    QCOMPARE(g->edges.size(), size_t(2));  // x -> unused, x -> x out
    QVERIFY(g->nodes[0].rect.bottom() < g->nodes[2].rect.top());
  }

  void cancelledLayoutReturnsNothing() {
    auto net = showcase();
    std::atomic<bool> cancel{true};
    const LayoutResult r = layoutNetwork(*net, GraphStyle::fromFont(QApplication::font()), cancel);
    QVERIFY(!r.layout);
    QVERIFY(r.error.isEmpty());
  }

  void findWalksTheMatches() {
    GraphView view;
    view.resize(800, 600);
    view.showLayout(layOut(*showcase()));
    QCOMPARE(view.find("ReduceMean"), QStringList({"ln_mean", "ln_var"}));
    QCOMPARE(view.find("softmax"), QStringList({"att_softmax"}));
    QCOMPARE(view.find("nothing like it"), QStringList());
    QCOMPARE(view.find("MatMul"), QStringList({"att_qk", "att_pv"}));
    QSignalSpy selected(&view, &GraphView::layerSelected);
    QCOMPARE(view.selectNext(), QString("att_qk"));
    QCOMPARE(view.selectNext(), QString("att_pv"));
    QCOMPARE(view.selectNext(), QString("att_qk"));
    QCOMPARE(view.selectPrevious(), QString("att_pv"));
    QCOMPARE(selected.size(), 4);
    QCOMPARE(selected.last().at(0).toString(), QString("att_pv"));
    QCOMPARE(view.graphScene()->selectedItems().size(), 1);
    // a tensor matches by its whole name: its producer, its consumer and the output node
    QCOMPARE(view.find("y"), QStringList({"att_pv", "y"}));
  }

  void highlightDimsExactlyTheOthers() {
    GraphView view;
    view.showLayout(layOut(*showcase()));
    const QStringList lit = {"ln_mean", "ln_sub"};
    view.highlightLayers(lit);
    int dimmed = 0;
    for (const NodeItem* n : view.graphScene()->nodeItems()) {
      const bool on = n->isLayer() && lit.contains(n->node().name);
      QCOMPARE(n->isDimmed(), !on);
      dimmed += n->isDimmed();
    }
    QCOMPARE(dimmed, 28);
    int litEdges = 0;
    for (const EdgeItem* e : view.graphScene()->edgeItems()) litEdges += !e->isDimmed();
    QCOMPARE(litEdges, 1);  // ln_mean -> ln_sub
    view.highlightLayers({});
    for (const NodeItem* n : view.graphScene()->nodeItems()) QVERIFY(!n->isDimmed());
  }

  void fusionGroupsGetOneHullEach() {
    GraphView view;
    const QList<QStringList> groups = fusionGroups();
    QCOMPARE(groups.size(), 4);  // conv+bn+relu, layernorm, gelu with hardswish, attention
    view.setFusionGroups(groups);  // before the layout: applied when it arrives
    view.showLayout(layOut(*showcase()));
    const auto& items = view.graphScene()->fusionGroupItems();
    QCOMPARE(items.size(), groups.size());
    QSet<QRgb> colours;
    for (int i = 0; i < items.size(); ++i) {
      QCOMPARE(items[i]->members(), groups[i]);
      colours.insert(items[i]->color().rgb());
      for (const QString& m : groups[i])  // each hull holds its members' boxes
        QVERIFY(items[i]->boundingRect().contains(view.graphScene()->layerItem(m)->node().rect));
    }
    QCOMPARE(colours.size(), groups.size());
    view.setFusionGroups({{"not_a_layer"}});
    QCOMPARE(view.graphScene()->fusionGroupItems().size(), 0);
    view.setFusionGroups(groups);
    view.setFusionGroups({});
    QCOMPARE(view.graphScene()->fusionGroupItems().size(), 0);
  }

  void exportsTheWholeGraph() {
    auto net = showcase();
    GraphView view;
    view.resize(400, 300);  // smaller than the graph: the export still holds all of it
    view.showLayout(layOut(*net));
    const QString dir = test::tempDir();
    QVERIFY(view.exportSvg(dir + "/g.svg"));
    QFile svg(dir + "/g.svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(svg.readAll());
    for (const Layer& l : net->layers()) QVERIFY2(text.contains(QString::fromStdString(l.name)), l.name.c_str());
    QVERIFY(view.exportPng(dir + "/g.png"));
    const QImage png(dir + "/g.png");
    const QRectF all = view.sceneRect();
    QCOMPARE(png.size(), QSize(int(std::ceil(all.width() * 2)), int(std::ceil(all.height() * 2))));
    QVERIFY(!view.exportPng(dir + "/no/such/dir/g.png"));
    view.clear();
    QVERIFY(!view.exportSvg(dir + "/empty.svg"));
  }

  void clicksAndContextMenusNameTheLayer() {
    GraphView view;
    view.resize(900, 1200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showLayout(layOut(*showcase()));
    const QPoint at = view.mapFromScene(view.graphScene()->layerItem("bn")->node().rect.center());
    QSignalSpy selected(&view, &GraphView::layerSelected);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.at(0).at(0).toString(), QString("bn"));
    QSignalSpy menu(&view, &GraphView::layerContextMenuRequested);
    const QPoint at2 = view.mapFromScene(view.graphScene()->layerItem("att_mask")->node().rect.center());
    QContextMenuEvent event(QContextMenuEvent::Mouse, at2, view.viewport()->mapToGlobal(at2));
    QApplication::sendEvent(view.viewport(), &event);
    QCOMPARE(menu.size(), 1);
    QCOMPARE(menu.at(0).at(0).toString(), QString("att_mask"));
    QCOMPARE(menu.at(0).at(1).toPoint(), view.viewport()->mapToGlobal(at2));
  }

  void zoomKeysAndFit() {
    GraphView view;
    view.resize(300, 300);
    view.showLayout(layOut(*showcase()));
    view.fitAll();
    const double fit = view.zoom();
    QVERIFY(fit < 1.0);
    QTest::keyClick(&view, Qt::Key_Plus);
    QCOMPARE(view.zoom(), fit * 1.25);
    QTest::keyClick(&view, Qt::Key_Minus);
    QCOMPARE(view.zoom(), fit);
    QTest::keyClick(&view, Qt::Key_0);
    QCOMPARE(view.zoom(), 1.0);
    QVERIFY(!view.minimap()->isHidden());  // at 1:1 the graph does not fit: the overview shows
    QTest::keyClick(&view, Qt::Key_F);
    QCOMPARE(view.zoom(), fit);
    // a click on the overview's centre centres the view on the scene's centre
    view.setTransform(QTransform::fromScale(1, 1));
    const QPointF c = view.minimap()->toScene(QRectF(view.minimap()->rect()).center());
    QVERIFY((c - view.sceneRect().center()).manhattanLength() < 2.0);
  }

  void widgetLaysOutOffTheUiThread() {
    GraphWidget w;
    w.resize(800, 600);
    QCOMPARE(w.placeholderText(), QString("No model"));
    QSignalSpy done(&w, &GraphWidget::layoutFinished);
    auto small = std::make_shared<Network>(test::addReluNetwork());
    inferShapes(*small);
    w.setNetwork(small);
    w.setNetwork(showcase());  // supersedes the first: only its layout arrives
    QCOMPARE(w.placeholderText(), QString("Laying out 28 layers…"));
    QVERIFY(done.wait(20000));
    QTest::qWait(50);
    QCOMPARE(done.size(), 1);
    QCOMPARE(done.at(0).at(0).toInt(), 30);
    QVERIFY(done.at(0).at(1).toDouble() > 0);
    QCOMPARE(w.placeholderText(), QString());
    QCOMPARE(w.view()->graphScene()->nodeItems().size(), 30);
    w.setNetwork(nullptr);
    QCOMPARE(w.placeholderText(), QString("No model"));
    QCOMPARE(w.view()->graphScene()->nodeItems().size(), 0);
  }

  void showcaseWithHullsOnScreen() {
    GraphWidget w;
    w.resize(1600, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy done(&w, &GraphWidget::layoutFinished);
    w.setNetwork(showcase());
    w.view()->setFusionGroups(fusionGroups());
    QVERIFY(done.wait(20000));
    w.showFind();
    QTest::keyClicks(QApplication::focusWidget(), "ReduceMean");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(w.view()->graphScene()->selectedItems().size(), 1);
    QCOMPARE(w.view()->currentMatch(), 0);
    QCOMPARE(w.view()->zoom(), 1.0);  // find brings a small zoom up to readable
    QVERIFY(!w.view()->minimap()->isHidden());
    saveShot(w.grab().toImage(), "graph_showcase_find.png");
    w.view()->highlightLayers({"att_qk", "att_scale", "att_mask"});
    w.view()->fitAll();
    QCOMPARE(w.view()->graphScene()->fusionGroupItems().size(), 4);
    QVERIFY(w.view()->minimap()->isHidden());  // everything is in view: no overview needed
    saveShot(w.grab().toImage(), "graph_showcase_hulls.png");
  }

  void bigModelOnScreen() {
    GraphWidget w;
    w.resize(1600, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy done(&w, &GraphWidget::layoutFinished);
    w.setNetwork(residualChain(300));
    QVERIFY(done.wait(60000));
    QCOMPARE(done.at(0).at(0).toInt(), 1502);
    QCOMPARE(w.view()->zoom(), 1.0);  // too big to read when fitted: opens at the inputs, 1:1
    QVERIFY(!w.view()->minimap()->isHidden());
    saveShot(w.grab().toImage(), "graph_big_top.png");
    w.view()->centerOn(w.view()->graphScene()->layerItem("b60_relu"));  // a chunk joint
    saveShot(w.grab().toImage(), "graph_big_joint.png");
    w.view()->zoomOut();
    w.view()->zoomOut();
    w.view()->zoomOut();
    w.view()->zoomOut();
    w.view()->zoomOut();
    saveShot(w.grab().toImage(), "graph_big_far.png");
  }

  void sampleModelOnScreen() {
    GraphWidget w;
    w.resize(1600, 1000);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy done(&w, &GraphWidget::layoutFinished);
    auto net = std::make_shared<Network>(importOnnx(KILN_SAMPLE_MODEL));
    w.setNetwork(net);
    QVERIFY(done.wait(20000));
    QCOMPARE(done.at(0).at(0).toInt(), int(net->layers().size() + net->inputs().size() + net->outputs().size()));
    const QImage shot = w.grab().toImage();
    QCOMPARE(shot.size(), QSize(1600, 1000));
    saveShot(shot, "graph_sample.png");
    // the first layer's box shows its family's colour (up to smoothing of the cached pixmap)
    const NodeItem* first = w.view()->graphScene()->layerItem(QString::fromStdString(net->layers().front().name));
    const QRectF r = first->node().rect;
    const QPoint p = w.view()->viewport()->mapTo(&w, w.view()->mapFromScene(QPointF(r.left() + 4, r.bottom() - 3)));
    const QColor seen = shot.pixelColor(p), expected = familyColor(first->node().family);
    QVERIFY(qAbs(seen.red() - expected.red()) <= 4 && qAbs(seen.green() - expected.green()) <= 4 &&
            qAbs(seen.blue() - expected.blue()) <= 4);
  }
};

QTEST_MAIN(TestGraphView)
#include "test_graph_view.moc"
