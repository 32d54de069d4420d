// The reference executor: run-time shapes, data-dependent shape chains, threads.
#include <QtTest>

#include <thread>

#include "kiln/errors.h"
#include "kiln/reference.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

// x: [batch, 2, 3] -> Reshape(x, concat(shape(x)[0], [-1])) -> [batch, 6]
Network flattenByShapeChain() {
  Network net;
  Dims d;
  d.d = {Dim::symbolic("batch"), Dim(2), Dim(3)};
  net.addInput("x", DataType::kFloat32, d);
  net.addConstant("zero", HostTensor::fromInt64s({0}));
  net.addConstant("minus_one", HostTensor::fromInt64s({-1}));
  std::string s = net.add("Shape", {"x"}, {}, "shape");
  std::string b = net.add("Gather", {s, "zero"}, {{"axis", Attribute::ofInt(0)}}, "batch");
  std::string target = net.add("Concat", {b, "minus_one"}, {{"axis", Attribute::ofInt(0)}}, "target");
  net.markOutput(net.add("Reshape", {"x", target}, {}, "reshape"));
  return net;
}

HostTensor iota(std::vector<int64_t> shape) {
  HostTensor t(DataType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.setFromDouble(i, double(i));
  return t;
}

}  // namespace

class TestReference : public QObject {
  Q_OBJECT
 private slots:
  void shapeChainResolvesAtRunTime() {
    Network net = flattenByShapeChain();
    inferShapes(net);
    QCOMPARE(net.tensor("reshape").dims.rank(), size_t(2));  // rank known statically
    ReferenceExecutor exec(net);
    for (int64_t batch : {1, 3, 5}) {
      TensorMap out = exec.run({{"x", iota({batch, 2, 3})}});
      const HostTensor& y = out.at("reshape");
      QCOMPARE(y.shape(), (std::vector<int64_t>{batch, 6}));
      QCOMPARE(y.getAsDouble(y.numel() - 1), double(batch * 6 - 1));
    }
  }
  void shapeChainFoldsStaticallyWhenShapesAreKnown() {
    Network net = flattenByShapeChain();
    net.tensor("x").dims = Dims{5, 2, 3};
    inferShapes(net);
    QCOMPARE(QString::fromStdString(net.tensor("reshape").dims.str()), QString("5x6"));
  }
  void rejectsInputsThatDoNotFit() {
    ReferenceExecutor exec(flattenByShapeChain());
    QVERIFY_THROWS_EXCEPTION(Error, exec.run({{"x", iota({2, 3, 3})}}));  // dim 1 must be 2
    QVERIFY_THROWS_EXCEPTION(Error, exec.run({}));                        // missing input
    HostTensor wrongType(DataType::kInt32, {1, 2, 3});
    QVERIFY_THROWS_EXCEPTION(Error, exec.run({{"x", wrongType}}));
  }
  void threadsShareOneExecutor() {
    Network net = test::addReluNetwork();
    ReferenceExecutor exec(net);
    TensorMap in = makeRandomInputs(exec.network(), {}, 7);
    const auto expected = exec.run(in).at("relu").toDoubleVector();
    std::vector<std::vector<double>> got(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < got.size(); ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) got[t] = exec.run(in).at("relu").toDoubleVector();
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& g : got) QCOMPARE(g, expected);
  }
  void randomInputsAreSeeded() {
    Network net = flattenByShapeChain();
    auto a = makeRandomInputs(net, {{"x", {4, 2, 3}}}, 1);
    auto b = makeRandomInputs(net, {{"x", {4, 2, 3}}}, 1);
    auto c = makeRandomInputs(net, {{"x", {4, 2, 3}}}, 2);
    QCOMPARE(a.at("x").shape(), (std::vector<int64_t>{4, 2, 3}));
    QCOMPARE(a.at("x").toDoubleVector(), b.at("x").toDoubleVector());
    QVERIFY(a.at("x").toDoubleVector() != c.at("x").toDoubleVector());
  }
};

QTEST_APPLESS_MAIN(TestReference)
#include "test_reference.moc"
