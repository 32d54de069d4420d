// The network-definition API, topological order, and ONNX export/import round trips.
#include <QtTest>

#include "kiln/errors.h"
#include "kiln/onnx.h"
#include "kiln/reference.h"
#include "support/test_models.h"

using namespace kiln;

class TestNetwork : public QObject {
  Q_OBJECT
 private slots:
  void definitionApiBuildsAndRuns() {
    Network net = test::addReluNetwork();
    inferShapes(net);
    QCOMPARE(QString::fromStdString(net.tensor("relu").dims.str()), QString("1x4"));
    ReferenceExecutor exec(net);
    TensorMap in;
    in["x"] = HostTensor::fromDoubles(DataType::kFloat32, {1, 4}, {0.0, 1.0, -1.0, 1.0});
    TensorMap out = exec.run(in);
    QCOMPARE(out.at("relu").toDoubleVector(), (std::vector<double>{1.0, 0.0, 0.0, 0.75}));
  }
  void removesOnlyUnusedConstants() {
    Network net = test::addReluNetwork();
    net.addConstant("orphan", HostTensor::fromInt64s({1, 2}));
    QCOMPARE(net.removeUnusedConstants(), size_t(1));
    QVERIFY(net.findTensor("orphan") == nullptr);
    QVERIFY(net.findTensor("b") != nullptr);  // read by the Add
    QCOMPARE(net.removeUnusedConstants(), size_t(0));
  }
  void duplicateNamesAreRejected() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2});
    QVERIFY_THROWS_EXCEPTION(Error, net.addInput("x", DataType::kFloat32, Dims{2}));
    QVERIFY_THROWS_EXCEPTION(Error, net.addLayer("Relu", {"nope"}, {"y"}));
  }
  void sortsLayersTopologically() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2});
    net.addLayer("Relu", {"x"}, {"a"}, {}, "first");
    net.addLayer("Neg", {"a"}, {"b"}, {}, "second");
    std::swap(net.layers()[0], net.layers()[1]);
    net.markOutput("b");
    net.sortTopologically();
    QCOMPARE(QString::fromStdString(net.layers()[0].name), QString("first"));
  }
  void detectsCycles() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2});
    net.addLayer("Relu", {"x"}, {"a"}, {}, "r");
    net.addLayer("Add", {"a", "x"}, {"b"}, {}, "add");
    net.layers()[0].inputs = {"b"};  // r now reads add's output: a cycle
    try {
      net.sortTopologically();
      QFAIL("a cycle was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::kInvalidModel);
      QVERIFY(QString(e.what()).contains("cycle"));
    }
  }
  void exportImportRoundTrip() {
    Network net = test::addReluNetwork();
    inferShapes(net);
    std::string path = test::writeFile(test::tempDir(), "add_relu.onnx", exportOnnxBytes(net));
    OnnxModelInfo info;
    Network back = importOnnx(path, {}, &info);
    QVERIFY(info.libraryChecked);  // opset 17 and IR 8: libonnx's checker ran and accepted it
    QCOMPARE(info.irVersion, int64_t(8));
    QCOMPARE(back.layers().size(), size_t(2));
    QCOMPARE(QString::fromStdString(back.layers()[1].op), QString("Relu"));
    QCOMPARE(QString::fromStdString(back.layers()[1].origin.at(0)), QString("relu"));
    QCOMPARE(back.tensor("b").data->toDoubleVector(), net.tensor("b").data->toDoubleVector());
  }
  void exportKeepsTheOldFileOnFailure() {
    QString dir = test::tempDir();
    std::string path = test::writeFile(dir, "keep.onnx", "original");
    Network net = test::addReluNetwork();
    std::string blocked = dir.toStdString() + "/no-such-dir/x.onnx";
    QVERIFY_THROWS_EXCEPTION(Error, exportOnnx(net, blocked));
    exportOnnx(net, path);
    QVERIFY(importOnnx(path).layers().size() == 2);
  }
};

QTEST_APPLESS_MAIN(TestNetwork)
#include "test_network.moc"
