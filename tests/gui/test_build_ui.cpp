// The build panel, its worker, the report views and live profiling, driven
// as a user would, against the facts the core reports.
#include <QtTest>

#include <QFile>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <memory>

#include "build/build_panel.h"
#include "build/build_settings.h"
#include "build/build_worker.h"
#include "build/console_widget.h"
#include "kiln/onnx.h"
#include "kiln/runtime.h"
#include "profiling/plan_loader.h"
#include "profiling/profiling_view.h"
#include "reports/engine_layers_view.h"
#include "reports/memory_view.h"
#include "reports/precision_chart.h"
#include "reports/report_widget.h"
#include "reports/tactic_chart.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

// A chain of 3x3 convolutions large enough that timing its tactics takes
// seconds, so a cancel lands in the middle of the tactics phase.
Network slowNetwork() {
  Network net;
  net.name = "slow_chain";
  net.addInput("x", DataType::kFloat32, Dims{1, 16, 64, 64});
  std::string x = "x";
  for (int i = 0; i < 40; ++i) {
    const std::string w = "w" + std::to_string(i);
    HostTensor weights(DataType::kFloat32, {16, 16, 3, 3});
    for (int64_t k = 0; k < weights.numel(); ++k) weights.setFromDouble(k, ((k * 7 + i) % 11 - 5) * 0.01);
    net.addConstant(w, weights);
    x = net.add("Conv", {x, w}, {{"pads", Attribute::ofInts({1, 1, 1, 1})}}, "conv" + std::to_string(i));
  }
  net.markOutput(x);
  return net;
}

std::shared_ptr<const Network> sampleNetwork() {
  return std::make_shared<const Network>(importOnnx(KILN_SAMPLE_MODEL));
}

BuilderConfig everyFieldSet() {
  BuilderConfig c;
  c.target = Target::kCuda;
  c.tf32 = true;
  c.fp16 = false;
  c.bf16 = true;
  c.int8 = true;
  c.fp8 = false;
  c.constraints = PrecisionConstraints::kObey;
  c.layerPrecisions = {{"conv1", Precision::kFP16}, {"a,b/c d", Precision::kINT8}};
  c.workspaceBytes = (int64_t(3) << 30) + 12345;
  c.optimizationLevel = 5;
  c.timingCachePath = "/tmp/some dir/kiln.cache";
  OptimizationProfile p;
  p.inputs["image"] = ShapeRange{{1, 3, 64, 64}, {4, 3, 64, 64}, {8, 3, 64, 64}};
  p.inputs["tokens/ids"] = ShapeRange{{1, 1}, {2, 128}, {4, 512}};
  c.profiles = {p, OptimizationProfile{}};
  return c;
}

}  // namespace

class TestBuildUi : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QCoreApplication::setOrganizationName("KilnTest");
    QCoreApplication::setApplicationName("test_build_ui");
    QSettings().clear();
  }

  void settingsRoundTrip() {
    const BuilderConfig c = everyFieldSet();
    const ui::BuildSettings s = ui::BuildSettings::fromConfig(c);
    QVERIFY(ui::sameSettings(s.toConfig(), c));
    const QString ini = test::tempDir() + "/settings.ini";
    {
      QSettings store(ini, QSettings::IniFormat);
      s.save(store);
    }
    QSettings store(ini, QSettings::IniFormat);
    const BuilderConfig back = ui::BuildSettings::load(store).toConfig();
    QCOMPARE(back.target, Target::kCuda);
    QCOMPARE(back.workspaceBytes, (int64_t(3) << 30) + 12345);
    QCOMPARE(back.optimizationLevel, 5);
    QCOMPARE(back.timingCachePath, std::string("/tmp/some dir/kiln.cache"));
    QCOMPARE(back.layerPrecisions.at("a,b/c d"), Precision::kINT8);
    QCOMPARE(back.profiles.size(), size_t(2));
    QCOMPARE(back.profiles[0].inputs.at("tokens/ids").max, (std::vector<int64_t>{4, 512}));
    QVERIFY(ui::sameSettings(back, c));
    QCOMPARE(ui::parseShapeText("1x3x224x224"), std::optional<std::vector<int64_t>>({1, 3, 224, 224}));
    QCOMPARE(ui::parseShapeText("1x-3"), std::optional<std::vector<int64_t>>());
  }

  void panelShowsSettingsExactly() {
    ui::BuildPanel panel;
    panel.setNetwork(sampleNetwork());
    BuilderConfig c = everyFieldSet();
    c.target = Target::kCpu;  // this build has no cuda target to select
    c.workspaceBytes = int64_t(768) << 20;
    c.profiles = {OptimizationProfile{{{"image", ShapeRange{{1, 3, 64, 64}, {2, 3, 64, 64}, {4, 3, 64, 64}}}}}};
    panel.setSettings(ui::BuildSettings::fromConfig(c));
    QVERIFY(ui::sameSettings(panel.settings().toConfig(), c));
    panel.addPrecisionOverride("relu1", Precision::kBF16);
    QCOMPARE(panel.settings().config.layerPrecisions.at("relu1"), Precision::kBF16);
  }

  void prefillsSymbolicDimsWithOne() {
    ui::BuildPanel panel;
    panel.setNetwork(sampleNetwork());
    const BuilderConfig c = panel.settings().toConfig();
    QCOMPARE(c.profiles.size(), size_t(1));
    const ShapeRange& r = c.profiles[0].inputs.at("image");  // batchx3x64x64
    QCOMPARE(r.min, (std::vector<int64_t>{1, 3, 64, 64}));
    QCOMPARE(r.opt, r.min);
    QCOMPARE(r.max, r.min);
  }

  void buildFillsTheReport() {
    ui::BuildPanel panel;
    ui::ConsoleWidget console;
    ui::ReportWidget report;
    connect(panel.worker(), &ui::BuildWorker::logMessage, &console, &ui::ConsoleWidget::appendMessage);
    connect(&panel, &ui::BuildPanel::buildFinished, &report,
            [&report](const QByteArray& plan, const BuildReport& r) { report.setReport(r, plan); });
    QSignalSpy finished(&panel, &ui::BuildPanel::buildFinished);
    QSignalSpy phases(panel.worker(), &ui::BuildWorker::phaseStarted);
    panel.setNetwork(sampleNetwork());
    panel.build();
    QVERIFY(panel.building());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() > 0, 120000);  // emitted on the worker thread: count, not wait
    const auto built = finished.at(0).at(1).value<BuildReport>();
    QVERIFY(!built.layers.empty());
    QCOMPARE(report.layersView()->rowCount(), int(built.layers.size()));
    QCOMPARE(panel.findChild<QPushButton*>("cancelBuild")->isEnabled(), false);
    QStringList phaseNames;
    for (const auto& args : phases) phaseNames << args.at(0).toString();
    QVERIFY(phaseNames.contains("tactics") && phaseNames.contains("memory") && phaseNames.contains("serialize"));

    size_t pick = 0;  // the layer with the most candidates
    for (size_t i = 0; i < built.layers.size(); ++i) {
      if (built.layers[i].candidates.size() > built.layers[pick].candidates.size()) pick = i;
    }
    QSignalSpy origin(report.layersView(), &ui::EngineLayersView::originSelected);
    report.layersView()->selectLayer(int(pick));
    QCOMPARE(origin.size(), 1);
    QStringList expectedOrigin;
    for (const auto& o : built.layers[pick].origin) expectedOrigin << QString::fromStdString(o);
    QCOMPARE(origin.at(0).at(0).toStringList(), expectedOrigin);
    const auto& candidates = built.layers[pick].candidates;
    QVERIFY(candidates.size() > 1);
    int timed = 0;
    for (const auto& c : candidates) timed += c.ms >= 0 && c.skipped.empty();
    QCOMPARE(report.tacticChart()->barCount(), timed);
    QCOMPARE(report.tacticChart()->barCount() + report.tacticChart()->untimedCount(), int(candidates.size()));

    int fused = 0;
    for (const auto& l : built.layers) fused += l.origin.size() > 1;
    QCOMPARE(report.layersView()->fusionGroups().size(), fused);
    QCOMPARE(report.precisionChart()->counts().value("fp32"), int(built.layers.size()));
    QCOMPARE(report.memoryView()->bufferCount(), int(built.memory.buffers.size()));
    QVERIFY(console.toPlainText().contains("built " + QString::number(built.layers.size()) + " layers"));

    const QString dir = test::tempDir();
    QVERIFY(report.saveReport(dir + "/r.json"));
    QFile json(dir + "/r.json");
    QVERIFY(json.open(QIODevice::ReadOnly));
    QCOMPARE(json.readAll().toStdString(), reportToJson(built));
    QVERIFY(report.savePlan(dir + "/m.plan"));
    QCOMPARE(Runtime::loadFile((dir + "/m.plan").toStdString())->report().layers.size(), built.layers.size());

    if (const QString shots = qEnvironmentVariable("KILN_SCREENSHOT_DIR"); !shots.isEmpty()) {
      for (QWidget* w : std::initializer_list<QWidget*>{&panel, &console, &report}) w->resize(1600, 1000);
      panel.grab().save(shots + "/build_panel.png");
      console.grab().save(shots + "/console.png");
      report.grab().save(shots + "/report_layers.png");
      for (int tab = 1; tab < report.tabs()->count(); ++tab) {
        report.tabs()->setCurrentIndex(tab);
        report.grab().save(shots + "/report_" + report.tabs()->tabText(tab).toLower() + ".png");
      }
    }
  }

  void cancelEndsInCancelled() {
    auto net = std::make_shared<const Network>(slowNetwork());
    const QString cache = test::tempDir() + "/never.cache";
    ui::BuildWorker worker;
    QSignalSpy cancelled(&worker, &ui::BuildWorker::cancelled);
    QSignalSpy finished(&worker, &ui::BuildWorker::finished);
    QSignalSpy failed(&worker, &ui::BuildWorker::failed);
    QSignalSpy steps(&worker, &ui::BuildWorker::stepCompleted);
    // Direct, on the build thread: the build stops right after the first
    // layer's tactics however fast the machine is (a queued cancel could
    // arrive after the build had finished).
    connect(
        &worker, &ui::BuildWorker::stepCompleted, &worker,
        [&worker](const QString& phase) {
          if (phase == "tactics") worker.cancel();
        },
        Qt::DirectConnection);
    BuilderConfig c;
    c.optimizationLevel = 5;
    c.timingCachePath = cache.toStdString();
    QVERIFY(worker.start(net, c));
    QVERIFY(!worker.start(net, c));  // one build at a time
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.count() > 0, 120000);  // emitted on the worker thread: count, not wait
    QVERIFY(!worker.busy());
    QCOMPARE(finished.size(), 0);
    QCOMPARE(failed.size(), 0);
    int tacticSteps = 0;
    for (const auto& s : steps) tacticSteps += s.at(0).toString() == "tactics";
    QVERIFY(tacticSteps >= 1 && tacticSteps < 40);
    QCOMPARE(net.use_count(), 1L);  // the worker let go of its snapshot
    QVERIFY(!QFile::exists(cache));  // a cancelled build writes nothing
  }

  void liveProfiling() {
    BuildReport built;
    const std::string bytes = Builder().buildPlan(*sampleNetwork(), BuilderConfig{}, &built);
    ui::PlanLoader loader;
    ui::ReportWidget report;
    ui::ProfilingView view;
    QSignalSpy loaded(&loader, &ui::PlanLoader::loaded);
    connect(&loader, &ui::PlanLoader::loaded, &view,
            [&](const ui::LoadedPlan& plan) { ui::showPlan(plan, &report, &view); });
    const QString planPath = QString::fromStdString(test::writeFile(test::tempDir(), "sample.plan", bytes));
    loader.openFile(planPath);
    QVERIFY(loaded.wait(20000));
    const auto engine = loaded.at(0).at(0).value<ui::LoadedPlan>().engine;
    QCOMPARE(report.layersView()->rowCount(), int(built.layers.size()));

    QSignalSpy samples(view.worker(), &ui::ProfilingWorker::sampled);
    QSignalSpy stopped(view.worker(), &ui::ProfilingWorker::stopped);
    view.start();
    QTRY_VERIFY_WITH_TIMEOUT(samples.size() >= 5, 60000);  // however busy the machine
    view.stop();
    // The worker thread emits stopped(), which the spy records at once: it
    // may come before a wait() would start, so count instead of waiting.
    QTRY_VERIFY_WITH_TIMEOUT(stopped.count() > 0, 20000);
    QStringList names;
    for (const auto& l : engine->report().layers) names << QString::fromStdString(l.name);
    qint64 runs = 0;
    for (const auto& args : samples) {
      const auto s = args.at(0).value<ui::ProfilingSample>();
      QVERIFY(!s.latencyMs.isEmpty());
      for (double ms : s.latencyMs) QVERIFY(ms > 0);
      QStringList sampleNames;
      for (const auto& l : s.layers) {
        sampleNames << l.name;
        QCOMPARE(l.calls, int(s.latencyMs.size()));
      }
      QCOMPARE(sampleNames, names);
      runs += s.latencyMs.size();
    }
    // The spy records each sample in the worker thread; the view gets them
    // queued, so the last ones may still be on their way after stopped().
    QTRY_COMPARE_WITH_TIMEOUT(view.runs(), runs, 20000);

    const QString csvPath = test::tempDir() + "/layers.csv";
    QVERIFY(view.exportLayersCsv(csvPath));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.first(), QString("layer,type,calls,mean_ms,min_ms,max_ms,total_ms,percent"));
    QCOMPARE(lines.size(), names.size() + 1);
    for (int i = 0; i < names.size(); ++i) {
      const QStringList fields = lines[i + 1].split(',');
      QCOMPARE(fields[0], names[i]);
      QCOMPARE(fields[2].toLongLong(), runs);
    }
    QVERIFY(view.exportJson(test::tempDir() + "/profile.json"));

    if (const QString shots = qEnvironmentVariable("KILN_SCREENSHOT_DIR"); !shots.isEmpty()) {
      view.resize(1600, 1000);
      view.grab().save(shots + "/profiling.png");
    }
  }

  void brokenPlanGivesAMessage() {
    ui::PlanLoader loader;
    QSignalSpy failed(&loader, &ui::PlanLoader::failed);
    loader.openBytes(QByteArray(100, 'x'), "junk.plan");
    QVERIFY(failed.wait(20000));
    QVERIFY(failed.at(0).at(1).toString().contains("junk.plan"));
  }
};

QTEST_MAIN(TestBuildUi)
#include "test_build_ui.moc"
