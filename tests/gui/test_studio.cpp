// The studio window, driven through its actions as a user would: open, edit,
// undo, save, build, cancel, profile, open plans, survive broken files.
// With KILN_SCREENSHOT_DIR set, screenshots() also writes the README's pictures there.
#include <QtTest>

#include <QDockWidget>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeWidget>
#include <algorithm>
#include <atomic>
#include <optional>

#include "build/build_panel.h"
#include "build/console_widget.h"
#include "document/model_document.h"
#include "graph/graph_items.h"
#include "graph/graph_scene.h"
#include "graph/graph_view.h"
#include "graph/graph_widget.h"
#include "kiln/builder.h"
#include "kiln/onnx.h"
#include "main_window.h"
#include "model_view.h"
#include "panels/properties_panel.h"
#include "profiling/profiling_view.h"
#include "reports/engine_layers_view.h"
#include "reports/report_widget.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

QAction* action(ui::MainWindow& w, const char* name) {
  QAction* a = w.findChild<QAction*>(name);
  if (!a) qFatal("no action %s", name);
  return a;
}

// Opens `path` and waits until the document and the graph show it. Only a
// layout that finishes after the model is shown counts: the previous model's
// may still finish in between (the layout of a newer one is requested as it
// is shown, so nothing older arrives after that).
bool openAndWait(ui::MainWindow& w, const QString& path) {
  bool shown = false;
  bool laidOut = false;
  const auto a = QObject::connect(&w, &ui::MainWindow::modelShown, [&] { shown = true; });
  const auto b = QObject::connect(w.graph(), &ui::GraphWidget::layoutFinished, [&] { laidOut = laidOut || shown; });
  w.openFile(path);
  const bool ok = QTest::qWaitFor([&] { return laidOut; }, 40000);
  QObject::disconnect(a);
  QObject::disconnect(b);
  return ok;
}

// Builds on the cpu target through the Build action; returns the builder's report.
std::optional<BuildReport> buildAndWait(ui::MainWindow& w) {
  ui::BuildSettings s = w.buildPanel()->settings();
  s.config.target = Target::kCpu;
  w.buildPanel()->setSettings(s);
  QSignalSpy finished(w.buildPanel(), &ui::BuildPanel::buildFinished);
  QSignalSpy shown(&w, &ui::MainWindow::planShown);
  action(w, "build")->trigger();
  if (!shown.wait(120000) || finished.isEmpty()) return std::nullopt;
  return finished.at(0).at(1).value<BuildReport>();
}

int nodeCount(ui::MainWindow& w) { return int(w.graph()->view()->graphScene()->nodeItems().size()); }

bool hasLayer(const Network& net, const std::string& name) {
  return std::any_of(net.layers().begin(), net.layers().end(), [&](const Layer& l) { return l.name == name; });
}

// A chain of 40 wide convolutions: timing its tactics takes long enough to cancel mid-build.
Network slowNetwork() {
  Network net;
  net.addInput("x", DataType::kFloat32, Dims{1, 64, 64, 64});
  std::string x = "x";
  for (int i = 0; i < 40; ++i) {
    const std::string w = "w" + std::to_string(i);
    HostTensor weights(DataType::kFloat32, {64, 64, 3, 3});
    for (int64_t k = 0; k < weights.numel(); ++k) weights.setFromDouble(k, ((k * 7 + i) % 11 - 5) * 0.01);
    net.addConstant(w, weights);
    x = net.add("Conv", {x, w}, {{"pads", Attribute::ofInts({1, 1, 1, 1})}}, "conv" + std::to_string(i));
  }
  net.markOutput(x);
  return net;
}

// Saves the window as a small PNG under KILN_SCREENSHOT_DIR.
void shoot(ui::MainWindow& w, const QString& name) {
  QCoreApplication::processEvents();
  const QImage image = w.grab().toImage().convertToFormat(QImage::Format_RGB888);
  image.save(qEnvironmentVariable("KILN_SCREENSHOT_DIR") + "/" + name, "PNG", 9);
}

}  // namespace

class TestStudio : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QCoreApplication::setOrganizationName("KilnTest");
    QCoreApplication::setApplicationName("test_studio");
  }
  void init() { QSettings().clear(); }

  void opensTheSample() {
    ui::MainWindow w;
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const Network expected = importOnnx(KILN_SAMPLE_MODEL);
    QVERIFY(expected.layers().size() > 10);
    QCOMPARE(w.document()->snapshot()->layers().size(), expected.layers().size());
    QCOMPARE(nodeCount(w), int(expected.layers().size() + expected.inputs().size() + expected.outputs().size()));
    QCOMPARE(size_t(w.modelView()->layerTable()->topLevelItemCount()), expected.layers().size());
    QCOMPARE(w.modelView()->ioTable()->topLevelItemCount(), 2);  // image in, probabilities out
    QCOMPARE(w.modelView()->ioTable()->topLevelItem(0)->text(3), QString("batchx3x64x64"));
    QCOMPARE(w.windowTitle(), QString("sample.onnx[*] — Kiln Studio"));
    QCOMPARE(QSettings().value("recentFiles").toStringList(), QStringList{KILN_SAMPLE_MODEL});
    // Every dock can be toggled from the View menu.
    for (QDockWidget* dock : w.findChildren<QDockWidget*>()) {
      bool listed = false;
      for (QMenu* menu : w.findChildren<QMenu*>()) listed |= menu->actions().contains(dock->toggleViewAction());
      QVERIFY2(listed, qPrintable(dock->objectName()));
    }
    QCOMPARE(w.findChildren<QDockWidget*>().size(), 7);
  }

  void editUndoRedoSaveReopen() {
    ui::MainWindow w;
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const int nodes = nodeCount(w);
    const QString from = QString::fromStdString(w.document()->snapshot()->layers().front().name);
    emit w.graph()->view()->layerSelected(from);  // a click on the node
    QCOMPARE(w.properties()->nameEdit()->text(), from);
    w.properties()->nameEdit()->setText("stem");
    QTest::keyClick(w.properties()->nameEdit(), Qt::Key_Return);
    QVERIFY(hasLayer(*w.document()->snapshot(), "stem"));
    QVERIFY(w.isWindowModified());

    action(w, "undo")->trigger();
    QVERIFY(hasLayer(*w.document()->snapshot(), from.toStdString()));
    QVERIFY(!hasLayer(*w.document()->snapshot(), "stem"));
    QVERIFY(!w.isWindowModified());
    action(w, "redo")->trigger();
    QVERIFY(hasLayer(*w.document()->snapshot(), "stem"));

    const QString path = test::tempDir() + "/renamed.onnx";
    QSignalSpy saved(&w, &ui::MainWindow::saved);
    QVERIFY(w.saveTo(path));
    QVERIFY(saved.wait(20000));
    QVERIFY(!w.isWindowModified());
    QCOMPARE(w.windowTitle(), QString("renamed.onnx[*] — Kiln Studio"));

    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));  // clean: no question asked
    QVERIFY(!hasLayer(*w.document()->snapshot(), "stem"));
    QVERIFY(openAndWait(w, path));
    QVERIFY(hasLayer(*w.document()->snapshot(), "stem"));
    QVERIFY(w.graph()->view()->graphScene()->layerItem("stem") != nullptr);
    QCOMPARE(nodeCount(w), nodes);
    QCOMPARE(QSettings().value("recentFiles").toStringList(), (QStringList{path, KILN_SAMPLE_MODEL}));
  }

  void unsavedChangesAreAskedAbout() {
    ui::MainWindow w;
    w.show();
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const QString layer = QString::fromStdString(w.document()->snapshot()->layers().back().name);
    QVERIFY(w.document()->renameLayer(layer, "last", false));
    int asked = 0;
    w.setSaveQuestion([&] { return ++asked, ui::SaveAnswer::kCancel; });
    w.openFile(KILN_SAMPLE_MODEL);
    QVERIFY(!w.close());
    QCOMPARE(asked, 2);
    QVERIFY(w.isVisible());
    QVERIFY(hasLayer(*w.document()->snapshot(), "last"));  // cancel keeps the edit

    const QString path = test::tempDir() + "/kept.onnx";
    QVERIFY(w.saveTo(path));  // the file the Save answer below writes to again
    QSignalSpy saved(&w, &ui::MainWindow::saved);
    QVERIFY(saved.wait(20000));
    QVERIFY(w.document()->renameLayer("last", "final", false));
    w.setSaveQuestion([&] { return ++asked, ui::SaveAnswer::kSave; });
    QSignalSpy shown(&w, &ui::MainWindow::modelShown);
    w.openFile(KILN_SAMPLE_MODEL);  // saves, then opens
    QVERIFY(shown.wait(20000));
    QCOMPARE(asked, 3);
    QVERIFY(hasLayer(importOnnx(path.toStdString()), "final"));
    QVERIFY(!hasLayer(*w.document()->snapshot(), "final"));

    QVERIFY(w.document()->renameLayer(layer, "dropped", false));
    w.setSaveQuestion([&] { return ++asked, ui::SaveAnswer::kDiscard; });
    QVERIFY(w.close());
    QCOMPARE(asked, 4);
  }

  void layerContextMenu() {
    ui::MainWindow w;
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const size_t layers = w.document()->snapshot()->layers().size();
    const QString conv = QString::fromStdString(w.document()->snapshot()->layers().front().name);
    emit w.graph()->view()->layerContextMenuRequested(conv, QPoint(100, 100));
    auto* menu = w.findChild<QMenu*>(QString(), Qt::FindDirectChildrenOnly);
    QVERIFY(menu != nullptr);
    QStringList texts;
    for (QAction* a : menu->actions()) texts << a->text();
    QCOMPARE(texts, (QStringList{"Run in fp32", "Run in fp16", "Run in bf16", "", "Delete Layer"}));
    menu->actions().at(1)->trigger();
    QCOMPARE(w.buildPanel()->settings().config.layerPrecisions.at(conv.toStdString()), Precision::kFP16);
    menu->close();

    // A pass-through layer is cut out at once; undo brings it back.
    const Network& net = *w.document()->snapshot();
    auto relu = std::find_if(net.layers().begin(), net.layers().end(), [](const Layer& l) { return l.op == "Relu"; });
    QVERIFY(relu != net.layers().end());
    const QString reluName = QString::fromStdString(relu->name);
    emit w.graph()->view()->layerContextMenuRequested(reluName, QPoint(100, 100));
    menu = w.findChildren<QMenu*>(QString(), Qt::FindDirectChildrenOnly).last();
    menu->actions().last()->trigger();
    QCOMPARE(w.document()->snapshot()->layers().size(), layers - 1);
    action(w, "undo")->trigger();
    QCOMPARE(w.document()->snapshot()->layers().size(), layers);
    QVERIFY(hasLayer(*w.document()->snapshot(), reluName.toStdString()));
  }

  void buildReportAndProfiling() {
    ui::MainWindow w;
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const auto built = buildAndWait(w);
    QVERIFY(built.has_value());
    QCOMPARE(w.report()->layersView()->rowCount(), int(built->layers.size()));
    QVERIFY(w.console()->toPlainText().contains("built " + QString::number(built->layers.size()) + " layers"));

    // The fusion overlay outlines every engine layer that stands for several nodes.
    int fused = 0;
    for (const auto& l : built->layers) fused += l.origin.size() > 1;
    QVERIFY(fused > 0);
    action(w, "fusionOverlay")->trigger();
    QCOMPARE(int(w.graph()->view()->graphScene()->fusionGroupItems().size()), fused);
    action(w, "fusionOverlay")->trigger();
    QCOMPARE(int(w.graph()->view()->graphScene()->fusionGroupItems().size()), 0);

    // Selecting an engine layer highlights the nodes it came from.
    auto pick = std::find_if(built->layers.begin(), built->layers.end(), [](const auto& l) { return l.origin.size() > 1; });
    w.report()->layersView()->selectLayer(int(pick - built->layers.begin()));
    ui::GraphScene* scene = w.graph()->view()->graphScene();
    int lit = 0;
    for (ui::NodeItem* n : scene->nodeItems()) lit += !n->isDimmed();
    QCOMPARE(lit, int(pick->origin.size()));
    QVERIFY(!scene->layerItem(QString::fromStdString(pick->origin.front()))->isDimmed());

    QSignalSpy samples(w.profiling()->worker(), &ui::ProfilingWorker::sampled);
    QSignalSpy stopped(w.profiling()->worker(), &ui::ProfilingWorker::stopped);
    action(w, "startProfiling")->trigger();
    QVERIFY(w.profiling()->worker()->running());
    QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 5, 60000);  // however busy the machine
    action(w, "stopProfiling")->trigger();
    // The worker thread emits stopped(), which the spy records at once: it
    // may come before a wait() would start, so count instead of waiting.
    QTRY_VERIFY_WITH_TIMEOUT(stopped.count() > 0, 20000);
    qint64 runs = 0;
    for (const auto& args : samples) {
      const auto s = args.at(0).value<ui::ProfilingSample>();
      QCOMPARE(s.layers.size(), qsizetype(built->layers.size()));
      runs += s.latencyMs.size();
    }
    // The spy records each sample in the worker thread; the view gets them
    // queued, so the last ones may still be on their way after stopped().
    QTRY_COMPARE_WITH_TIMEOUT(w.profiling()->runs(), runs, 20000);
  }

  void cancelDuringBuild() {
    ui::MainWindow w;
    QSignalSpy laidOut(w.graph(), &ui::GraphWidget::layoutFinished);
    w.document()->reset(slowNetwork(), QString());
    QVERIFY(laidOut.wait(20000));  // the user sees the graph, then builds
    ui::BuildSettings s = w.buildPanel()->settings();
    s.config.optimizationLevel = 5;  // times every tactic: the build takes seconds
    w.buildPanel()->setSettings(s);
    QSignalSpy cancelled(w.buildPanel(), &ui::BuildPanel::buildCancelled);
    QSignalSpy finished(w.buildPanel(), &ui::BuildPanel::buildFinished);
    QSignalSpy steps(w.buildPanel()->worker(), &ui::BuildWorker::stepCompleted);
    // Direct, and blocking on the UI thread's Cancel: the build stops right
    // after the first layer's tactics, however fast the machine is.
    std::atomic<bool> once{false};
    connect(
        w.buildPanel()->worker(), &ui::BuildWorker::stepCompleted, &w,
        [&](const QString& phase) {
          if (phase != "tactics" || once.exchange(true)) return;
          QMetaObject::invokeMethod(&w, [&w] { action(w, "cancelBuild")->trigger(); }, Qt::BlockingQueuedConnection);
        },
        Qt::DirectConnection);
    action(w, "build")->trigger();
    QVERIFY(w.buildPanel()->building());
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.count() > 0, 120000);  // emitted on the worker thread: count, not wait
    QVERIFY(!w.buildPanel()->building());
    QCOMPARE(finished.size(), 0);
    int tacticSteps = 0;
    for (const auto& s : steps) tacticSteps += s.at(0).toString() == "tactics";
    QVERIFY2(tacticSteps >= 1 && tacticSteps < 40, qPrintable(QString::number(tacticSteps)));
    QCOMPARE(w.report()->layersView()->rowCount(), 0);
    QVERIFY(w.statusBar()->currentMessage().contains("cancelled"));
  }

  void brokenFileShowsAMessage() {
    ui::MainWindow w;
    w.show();
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const auto before = w.document()->snapshot();
    const int nodes = nodeCount(w);
    QSignalSpy failed(&w, &ui::MainWindow::openFailed);
    std::string junk = test::writeFile(test::tempDir(), "broken.onnx", std::string(300, '\x7f'));
    w.openFile(QString::fromStdString(junk));
    QVERIFY(failed.wait(20000));
    QVERIFY(failed.at(0).at(1).toString().contains("broken.onnx"));
    auto* box = w.findChild<QMessageBox*>();
    QVERIFY(box != nullptr);
    QVERIFY(box->text().contains("broken.onnx"));
    QCOMPARE(w.document()->snapshot(), before);  // the open model stays
    QCOMPARE(w.document()->path(), QString(KILN_SAMPLE_MODEL));
    QCOMPARE(nodeCount(w), nodes);
    box->close();
  }

  void opensAPlan() {
    ui::MainWindow w;
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    BuildReport built;
    const std::string bytes = Builder().buildPlan(importOnnx(KILN_SAMPLE_MODEL), BuilderConfig{}, &built);
    const QString plan = QString::fromStdString(test::writeFile(test::tempDir(), "sample.plan", bytes));
    QSignalSpy shown(&w, &ui::MainWindow::planShown);
    w.openFile(plan);
    QVERIFY(shown.wait(20000));
    QCOMPARE(w.report()->layersView()->rowCount(), int(built.layers.size()));
    QVERIFY(w.statusBar()->currentMessage().contains("Report and profiling only"));
    QCOMPARE(w.document()->path(), QString(KILN_SAMPLE_MODEL));  // the model stays

    // A broken plan gives a message and keeps the report.
    const QString junk = QString::fromStdString(test::writeFile(test::tempDir(), "junk.plan", std::string(100, 'x')));
    w.openFile(junk);
    QTRY_VERIFY_WITH_TIMEOUT(w.findChild<QMessageBox*>() != nullptr, 20000);
    QVERIFY(w.findChild<QMessageBox*>()->text().contains("junk.plan"));
    QCOMPARE(w.report()->layersView()->rowCount(), int(built.layers.size()));
  }

  void screenshots() {
    const QString dir = qEnvironmentVariable("KILN_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set KILN_SCREENSHOT_DIR to write the README's screenshots");
    ui::MainWindow w;
    w.resize(1600, 1000);
    w.show();
    QVERIFY(openAndWait(w, KILN_SAMPLE_MODEL));
    const auto built = buildAndWait(w);
    QVERIFY(built.has_value());
    action(w, "fusionOverlay")->trigger();
    auto conv = std::find_if(built->layers.begin(), built->layers.end(), [](const auto& l) { return l.origin.size() > 1; });
    emit w.graph()->view()->layerSelected(QString::fromStdString(conv->origin.front()));
    w.dockOf(w.properties())->raise();
    QTest::qWait(800);  // weight statistics arrive from a worker
    shoot(w, "studio_graph.png");

    w.dockOf(w.buildPanel())->raise();
    w.dockOf(w.console())->raise();
    shoot(w, "studio_build.png");

    size_t pick = 0;  // the layer with the most tactic candidates
    for (size_t i = 0; i < built->layers.size(); ++i) {
      if (built->layers[i].candidates.size() > built->layers[pick].candidates.size()) pick = i;
    }
    w.dockOf(w.report())->raise();
    w.report()->layersView()->selectLayer(int(pick));
    shoot(w, "studio_report.png");

    w.dockOf(w.profiling())->raise();
    action(w, "startProfiling")->trigger();
    QTest::qWait(2000);
    shoot(w, "studio_profiling.png");
    action(w, "stopProfiling")->trigger();
    QSignalSpy stopped(w.profiling()->worker(), &ui::ProfilingWorker::stopped);
    QTRY_VERIFY_WITH_TIMEOUT(w.profiling()->worker()->running() == false || stopped.count() > 0, 20000);
  }
};

QTEST_MAIN(TestStudio)
#include "test_studio.moc"
