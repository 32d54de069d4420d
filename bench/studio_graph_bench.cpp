// Times the studio's graph view on a 5,000-layer network: the dot layout,
// building the scene, and drawing frames at fit-all and 1:1 zoom.
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <cstdio>

#include "graph/graph_scene.h"
#include "graph/graph_view.h"
#include "kiln/network.h"

using namespace kiln;

namespace {

// A ResNet-like chain: blocks of Conv, Relu, Conv, Add (the residual) and Relu.
Network residualChain(int layers) {
  Network net;
  net.name = "residual_chain";
  net.addInput("x", DataType::kFloat32, Dims{1, 8, 16, 16});
  net.addConstant("w", HostTensor::fromDoubles(DataType::kFloat32, {8, 8, 1, 1}, std::vector<double>(64, 0.01)));
  std::string t = "x";
  for (int i = 0; int(net.layers().size()) + 5 <= layers; ++i) {
    const std::string b = "block" + std::to_string(i) + "_";
    std::string u = net.add("Conv", {t, "w"}, {}, b + "conv_a");
    u = net.add("Relu", {u}, {}, b + "relu_a");
    u = net.add("Conv", {u, "w"}, {}, b + "conv_b");
    u = net.add("Add", {u, t}, {}, b + "add");
    t = net.add("Relu", {u}, {}, b + "relu_out");
  }
  net.markOutput(t);
  inferShapes(net);
  return net;
}

double frameMs(ui::GraphView& view, int frames) {
  QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
  QElapsedTimer timer;
  timer.start();
  for (int i = 0; i < frames; ++i) {
    QPainter p(&image);
    view.render(&p, QRectF(), view.viewport()->rect());
  }
  return timer.nsecsElapsed() / 1e6 / frames;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  const int layers = argc > 1 ? std::atoi(argv[1]) : 5000;
  QElapsedTimer timer;
  timer.start();
  const Network net = residualChain(layers);
  std::printf("network: %zu layers, built in %.0f ms\n", net.layers().size(), timer.nsecsElapsed() / 1e6);

  const ui::GraphStyle style = ui::GraphStyle::fromFont(app.font());
  timer.restart();
  const ui::GraphLayout graph = ui::graphOf(net, style);
  std::printf("graph extraction: %zu nodes, %zu edges, %.1f ms\n", graph.nodes.size(), graph.edges.size(),
              timer.nsecsElapsed() / 1e6);
  timer.restart();
  std::atomic<bool> cancel{false};
  const ui::LayoutResult result = ui::layoutNetwork(net, style, cancel);
  if (!result.layout) {
    std::printf("layout failed: %s\n", qPrintable(result.error));
    return 1;
  }
  std::printf("dot layout (with extraction): %.0f ms, %.0f x %.0f scene units\n", timer.nsecsElapsed() / 1e6,
              result.layout->bounds.width(), result.layout->bounds.height());

  ui::GraphView view;
  view.resize(1600, 1000);
  view.show();
  timer.restart();
  view.showLayout(result.layout);
  std::printf("scene build + minimap: %.1f ms (%lld items)\n", timer.nsecsElapsed() / 1e6,
              static_cast<long long>(view.scene()->items().size()));

  view.fitAll();
  std::printf("frame at fit-all (zoom %.4f): %.1f ms\n", view.zoom(), frameMs(view, 5));
  view.setTransform(QTransform::fromScale(1, 1));
  view.centerOn(result.layout->bounds.center());
  std::printf("frame at 1:1: %.1f ms\n", frameMs(view, 20));
  double scrolling = 0;
  for (int i = 0; i < 20; ++i) {
    view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() + 40);
    scrolling += frameMs(view, 1);
  }
  std::printf("frame while scrolling at 1:1: %.1f ms\n", scrolling / 20);
  timer.restart();
  view.highlightLayers({"block10_conv_a", "block10_relu_a"});
  std::printf("highlightLayers: %.1f ms\n", timer.nsecsElapsed() / 1e6);
  timer.restart();
  const QStringList hits = view.find("Conv");
  std::printf("find \"Conv\": %lld hits in %.1f ms\n", static_cast<long long>(hits.size()), timer.nsecsElapsed() / 1e6);
  return 0;
}
