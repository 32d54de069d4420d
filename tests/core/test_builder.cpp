// The builder end to end on the cpu target: tactics, timing cache, profiles,
// memory plan, cancellation, and contexts on several threads.
#include <QtTest>

#include <atomic>
#include <map>
#include <cstdio>
#include <thread>

#include "build/memory_planner.h"
#include "kiln/builder.h"
#include "kiln/errors.h"
#include "kiln/runtime.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

// A small CNN with a dynamic batch: Conv → Relu → Conv → Add (residual) → GlobalAveragePool → Gemm.
Network smallCnn() {
  Network net;
  net.name = "small_cnn";
  Dims in;
  in.d = {Dim::symbolic("batch"), Dim(3), Dim(12), Dim(12)};
  net.addInput("x", DataType::kFloat32, in);
  auto weights = [&](const std::string& name, std::vector<int64_t> shape, uint64_t seed) {
    HostTensor t(DataType::kFloat32, shape);
    uint64_t s = seed;
    for (int64_t i = 0; i < t.numel(); ++i) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      t.setFromDouble(i, double(int64_t(s >> 40) % 1000) / 2000.0);
    }
    net.addConstant(name, std::move(t));
    return name;
  };
  Attributes conv{{"kernel_shape", Attribute::ofInts({3, 3})}, {"pads", Attribute::ofInts({1, 1, 1, 1})}};
  std::string a = net.add("Conv", {"x", weights("w1", {8, 3, 3, 3}, 1), weights("b1", {8}, 2)}, conv, "conv1");
  std::string r = net.add("Relu", {a}, {}, "relu1");
  std::string b = net.add("Conv", {r, weights("w2", {8, 8, 3, 3}, 3)}, conv, "conv2");
  std::string sum = net.add("Add", {b, r}, {}, "residual");
  std::string p = net.add("GlobalAveragePool", {sum}, {}, "pool");
  std::string f = net.add("Flatten", {p}, {}, "flatten");
  net.markOutput(net.add("Gemm", {f, weights("fc.w", {5, 8}, 4)}, {{"transB", Attribute::ofInt(1)}}, "fc"));
  inferShapes(net);
  return net;
}

BuilderConfig dynamicBatch(int level = 2) {
  BuilderConfig c;
  c.optimizationLevel = level;
  OptimizationProfile p;
  p.inputs["x"] = ShapeRange{{1, 3, 12, 12}, {2, 3, 12, 12}, {4, 3, 12, 12}};
  c.profiles.push_back(p);
  return c;
}

std::vector<std::string> tacticsOf(const BuildReport& r) {
  std::vector<std::string> t;
  for (const auto& l : r.layers) t.push_back(l.tactic);
  return t;
}

void expectClose(const HostTensor& a, const HostTensor& b) {
  QCOMPARE(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.getAsDouble(i), y = b.getAsDouble(i);
    QVERIFY2(std::fabs(x - y) <= 1e-4 + 1e-4 * std::fabs(y), qPrintable(QString("element %1: %2 vs %3").arg(i).arg(x).arg(y)));
  }
}

class CancelAt : public ProgressMonitor {
 public:
  explicit CancelAt(int step) : step_(step) {}
  void phaseStart(const std::string&, int32_t) override {}
  bool stepComplete(const std::string& phase, int32_t step) override {
    if (phase == "tactics") seen = step;
    return !(phase == "tactics" && step >= step_);
  }
  void phaseFinish(const std::string&) override {}
  int seen = 0;

 private:
  int step_;
};

}  // namespace

class TestBuilder : public QObject {
  Q_OBJECT
 private slots:
  void planMatchesTheReference() {
    Network net = smallCnn();
    BuildReport report;
    auto engine = Runtime::load(Builder().buildPlan(net, dynamicBatch(), &report));
    ReferenceExecutor reference(net);
    auto context = engine->createExecutionContext();
    for (int64_t batch : {1, 3, 4}) {
      TensorMap in = makeRandomInputs(net, {{"x", {batch, 3, 12, 12}}}, uint64_t(batch));
      expectClose(context->execute(in).at("fc"), reference.run(in).at("fc"));
    }
    QVERIFY(int(report.layers.size()) < report.onnxNodes);  // fused
    for (const auto& l : report.layers) {
      QVERIFY(!l.tactic.empty());
      QVERIFY(!l.origin.empty());
      QCOMPARE(QString::fromStdString(l.precision), QString("fp32"));
    }
  }
  void reportNamesEveryFusion() {
    const Network original = test::fusionShowcaseNetwork();
    BuildReport report;
    auto engine = Runtime::load(Builder().buildPlan(original, BuilderConfig{}, &report));
    QCOMPARE(report.onnxNodes, 28);
    std::vector<std::pair<std::string, std::vector<std::string>>> layers;
    for (const auto& l : report.layers) layers.emplace_back(l.type, l.origin);
    QCOMPARE(layers, test::fusionShowcaseFusedLayers());
    std::map<std::string, size_t> changes;
    for (const auto& p : report.passes) {
      for (const auto& c : p.changes) {
        QVERIFY(!c.description.empty());
        ++changes[p.name];
      }
    }
    for (const char* pass : {"fold-batchnorm", "recognise-layernorm", "recognise-gelu", "recognise-hardswish",
                             "recognise-softmax", "recognise-attention", "fuse-conv-act", "fuse-pointwise"}) {
      QVERIFY2(changes[pass] > 0, pass);
    }
    TensorMap in = makeRandomInputs(original, {}, 5);
    TensorMap want = ReferenceExecutor(original).run(in);
    TensorMap got = engine->createExecutionContext()->execute(in);
    for (const auto& [name, t] : want) expectClose(got.at(name), t);
  }
  void choosesTheFastestTimedCandidate() {
    BuildReport report;
    Builder().buildPlan(smallCnn(), dynamicBatch(3), &report);
    int multiCandidate = 0;
    for (const auto& l : report.layers) {
      double best = -1;
      std::string bestName;
      for (const auto& c : l.candidates) {
        if (c.skipped.empty() && (best < 0 || c.ms < best)) best = c.ms, bestName = c.tactic;
      }
      QCOMPARE(QString::fromStdString(l.tactic), QString::fromStdString(bestName));
      QCOMPARE(l.ms, best);
      if (l.candidates.size() > 1) ++multiCandidate;
    }
    QVERIFY(multiCandidate >= 2);  // the convolutions and the Gemm have a real choice
  }
  void levelZeroTakesTheFirstSupported() {
    BuildReport report;
    Builder().buildPlan(smallCnn(), dynamicBatch(0), &report);
    for (const auto& l : report.layers) {
      QCOMPARE(l.ms, -1.0);
      for (const auto& c : l.candidates) QCOMPARE(c.ms, -1.0);
      QCOMPARE(report.timingCacheMisses, 0);
    }
  }
  void timingCacheMakesTheSecondBuildTimeNothing() {
    const std::string cache = test::tempDir().toStdString() + "/timing.cache";
    BuilderConfig config = dynamicBatch(3);
    config.timingCachePath = cache;
    BuildReport first, second;
    Builder().buildPlan(smallCnn(), config, &first);
    Builder().buildPlan(smallCnn(), config, &second);
    std::printf("build times: %.3f s without the timing cache, %.3f s with it\n", first.buildSeconds, second.buildSeconds);
    QVERIFY(first.timingCacheMisses > 0);
    QCOMPARE(first.timingCacheHits, 0);
    QCOMPARE(second.timingCacheMisses, 0);
    QCOMPARE(second.timingCacheHits, first.timingCacheMisses);
    QCOMPARE(tacticsOf(second), tacticsOf(first));
  }
  void corruptTimingCacheIsIgnoredWithAWarning() {
    const std::string cache = test::writeFile(test::tempDir(), "bad.cache", "{not json");
    BuilderConfig config = dynamicBatch(1);
    config.timingCachePath = cache;
    BuildReport report;
    Builder().buildPlan(smallCnn(), config, &report);
    bool warned = false;
    for (const auto& w : report.warnings) warned = warned || w.find("corrupt") != std::string::npos;
    QVERIFY(warned);
    QVERIFY(report.timingCacheMisses > 0);
  }
  void foreignTimingCacheIsIgnoredWithAWarning() {
    const std::string cache = test::writeFile(test::tempDir(), "foreign.cache",
                                              R"({"format": 1, "device": "another machine", "entries": {"x": 1.0}})");
    BuilderConfig config = dynamicBatch(1);
    config.timingCachePath = cache;
    BuildReport report;
    Builder().buildPlan(smallCnn(), config, &report);
    bool warned = false;
    for (const auto& w : report.warnings) warned = warned || w.find("is for device 'another machine'") != std::string::npos;
    QVERIFY(warned);
    QCOMPARE(report.timingCacheHits, 0);
  }
  void workspaceLimitSkipsTactics() {
    BuilderConfig config = dynamicBatch(2);
    config.workspaceBytes = 0;
    BuildReport report;
    Builder().buildPlan(smallCnn(), config, &report);
    bool skipped = false;
    for (const auto& l : report.layers) {
      for (const auto& c : l.candidates) skipped = skipped || c.skipped.find("workspace") != std::string::npos;
      QCOMPARE(l.workspaceBytes, int64_t(0));
    }
    QVERIFY(skipped);
  }
  void cancelStopsPromptly() {
    CancelAt monitor(2);
    BuilderConfig config = dynamicBatch(1);
    config.progress = &monitor;
    try {
      Builder().buildPlan(smallCnn(), config);
      QFAIL("the build was not cancelled");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::kCancelled);
    }
    QCOMPARE(monitor.seen, 2);
    std::atomic<bool> cancel{true};
    config.progress = nullptr;
    config.cancel = &cancel;
    QVERIFY_THROWS_EXCEPTION(Error, Builder().buildPlan(smallCnn(), config));
  }
  void profilesAreEnforced() {
    auto engine = Runtime::load(Builder().buildPlan(smallCnn(), dynamicBatch(0)));
    QCOMPARE(engine->numProfiles(), 1);
    QCOMPARE(engine->profileShapes("x", 0).max, (std::vector<int64_t>{4, 3, 12, 12}));
    auto context = engine->createExecutionContext();
    QVERIFY_THROWS_EXCEPTION(Error, context->setInputShape("x", {5, 3, 12, 12}));
    context->setInputShape("x", {3, 3, 12, 12});
    QCOMPARE(context->outputShape("fc"), (std::vector<int64_t>{3, 5}));
    BuilderConfig bad = dynamicBatch(0);
    bad.profiles[0].inputs["x"].min = {5, 3, 12, 12};
    QVERIFY_THROWS_EXCEPTION(Error, Builder().buildPlan(smallCnn(), bad));
    bad = dynamicBatch(0);
    bad.profiles[0].inputs["nope"] = ShapeRange{{1}, {1}, {1}};
    QVERIFY_THROWS_EXCEPTION(Error, Builder().buildPlan(smallCnn(), bad));
  }
  void enqueueUsesBoundAddresses() {
    Network net = smallCnn();
    auto engine = Runtime::load(Builder().buildPlan(net, dynamicBatch(0)));
    auto context = engine->createExecutionContext();
    TensorMap in = makeRandomInputs(net, {{"x", {2, 3, 12, 12}}}, 9);
    HostTensor out(DataType::kFloat32, {2, 5});
    context->setInputShape("x", {2, 3, 12, 12});
    context->setTensorAddress("x", in.at("x").raw());
    context->setTensorAddress("fc", out.raw());
    context->enqueue();
    expectClose(out, ReferenceExecutor(net).run(in).at("fc"));
  }
  void twoThreadsTwoContexts() {
    Network net = smallCnn();
    auto engine = Runtime::load(Builder().buildPlan(net, dynamicBatch(1)));
    TensorMap a = makeRandomInputs(net, {{"x", {2, 3, 12, 12}}}, 21);
    TensorMap b = makeRandomInputs(net, {{"x", {4, 3, 12, 12}}}, 22);
    const HostTensor aloneA = engine->createExecutionContext()->execute(a).at("fc");
    const HostTensor aloneB = engine->createExecutionContext()->execute(b).at("fc");
    std::vector<HostTensor> gotA, gotB;
    auto worker = [&engine](const TensorMap& in, std::vector<HostTensor>& got) {
      auto context = engine->createExecutionContext();
      for (int i = 0; i < 20; ++i) got.push_back(context->execute(in).at("fc"));
    };
    std::thread t1(worker, std::cref(a), std::ref(gotA));
    std::thread t2(worker, std::cref(b), std::ref(gotB));
    t1.join();
    t2.join();
    for (const auto& g : gotA) QCOMPARE(g.toDoubleVector(), aloneA.toDoubleVector());
    for (const auto& g : gotB) QCOMPARE(g.toDoubleVector(), aloneB.toDoubleVector());
  }
  void buildsWhenSyntheticInputsAreInvalid() {
    // Random indices in [0, 10) are out of range for an axis of 3: the build
    // must still succeed, and the plan must run on valid indices.
    Network net;
    net.addInput("data", DataType::kFloat32, Dims{3, 2});
    net.addInput("idx", DataType::kInt64, Dims{4});
    net.markOutput(net.add("Gather", {"data", "idx"}, {{"axis", Attribute::ofInt(0)}}, "gather"));
    inferShapes(net);
    BuildReport report;
    auto engine = Runtime::load(Builder().buildPlan(net, BuilderConfig{}, &report));
    QVERIFY(!report.warnings.empty());
    TensorMap in;
    in["data"] = HostTensor::fromDoubles(DataType::kFloat32, {3, 2}, {0, 1, 2, 3, 4, 5});
    in["idx"] = HostTensor::fromInt64s({2, 0, 1, 2});
    QCOMPARE(engine->createExecutionContext()->execute(in).at("gather").toDoubleVector(),
             (std::vector<double>{4, 5, 0, 1, 2, 3, 4, 5}));
  }
  void shapeValuesPlanShapesFromInputs() {
    // Reshape's target is a graph input: its values decide the output shape.
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 6});
    net.addInput("shape", DataType::kInt64, Dims{2});
    net.markOutput(net.add("Reshape", {"x", "shape"}, {}, "reshape"));
    inferShapes(net);
    BuilderConfig config;
    OptimizationProfile p;
    p.inputs["shape"] = ShapeRange{{2}, {2}, {2}};
    p.shapeValues["shape"] = {3, 4};
    config.profiles.push_back(p);
    BuildReport report;
    auto engine = Runtime::load(Builder().buildPlan(net, config, &report));
    QCOMPARE(QString::fromStdString(report.layers.at(0).outputShapes.at(0)), QString("3x4"));
    TensorMap in;
    in["x"] = HostTensor::fromDoubles(DataType::kFloat32, {2, 6}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    in["shape"] = HostTensor::fromInt64s({3, 4});
    const HostTensor y = engine->createExecutionContext()->execute(in).at("reshape");
    QCOMPARE(y.shape(), (std::vector<int64_t>{3, 4}));
    QCOMPARE(y.getAsDouble(11), 11.0);
  }
  void memoryPlanSharesByLifetime() {
    // a: layers 0-1, b: 1-2, c: 2-3, d: 3-4 → a and c may share, b and d may share
    std::vector<build::Lifetime> t = {{"a", 1000, 0, 1}, {"b", 1000, 1, 2}, {"c", 500, 2, 3}, {"d", 500, 3, 4}};
    MemoryReport m = build::planMemory(t, 256);
    QCOMPARE(m.activationNaiveBytes, int64_t(1024 + 1024 + 512 + 512));
    QCOMPARE(m.activationPeakBytes, int64_t(2048));
    for (const auto& x : m.buffers) {
      for (const auto& y : m.buffers) {
        if (&x == &y || x.lastLayer < y.firstLayer || y.lastLayer < x.firstLayer) continue;
        const bool disjoint = x.offset + x.bytes <= y.offset || y.offset + y.bytes <= x.offset;
        QVERIFY2(disjoint, qPrintable(QString::fromStdString(x.tensor + " overlaps " + y.tensor)));
      }
    }
  }
  void memoryPlanAliases() {
    // r renames a (layers 1-3): it takes a's bytes, and a stays reserved until
    // r's last reader, so b (2-3) must not land on them.
    std::vector<build::Lifetime> t = {{"a", 1000, 0, 1, {}}, {"r", 1000, 1, 3, "a"}, {"b", 1000, 2, 3, {}}};
    t[0].last = 3;  // as the builder extends the root
    MemoryReport m = build::planMemory(t, 256);
    std::map<std::string, BufferAssignment> at;
    for (const auto& x : m.buffers) at[x.tensor] = x;
    QCOMPARE(at.at("r").offset, at.at("a").offset);
    QVERIFY(at.at("b").offset >= at.at("a").offset + 1024 || at.at("a").offset >= at.at("b").offset + 1024);
    QCOMPARE(m.activationPeakBytes, int64_t(2048));
    QCOMPARE(m.activationNaiveBytes, int64_t(3 * 1024));
    t[1].aliasOf = "missing";  // an alias must name a planned tensor
    QVERIFY_THROWS_EXCEPTION(Error, build::planMemory(t, 256));
  }
  void reportsMemory() {
    BuildReport report;
    Builder().buildPlan(smallCnn(), dynamicBatch(0), &report);
    QCOMPARE(report.memory.weightBytes, int64_t((8 * 3 * 9 + 8 + 8 * 8 * 9 + 5 * 8) * 4));
    QVERIFY(report.memory.activationPeakBytes > 0);
    QVERIFY(report.memory.activationPeakBytes < report.memory.activationNaiveBytes);
  }
};

QTEST_APPLESS_MAIN(TestBuilder)
#include "test_builder.moc"
