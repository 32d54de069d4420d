// ONNX import: newer models, external data, and a clear error for every kind of bad file.
#include <QtTest>

#include <onnx/onnx_pb.h>

#include "kiln/errors.h"
#include "kiln/onnx.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

// A model y = Relu(x) with x of type `elemType` and shape [N, 4].
onnx::ModelProto reluModel(int elemType = onnx::TensorProto::FLOAT, int64_t ir = 8, int64_t opset = 17) {
  onnx::ModelProto m;
  m.set_ir_version(ir);
  m.add_opset_import()->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("relu");
  auto* in = g->add_input();
  in->set_name("x");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(elemType);
  auto* shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  shape->add_dim()->set_dim_value(4);
  auto* n = g->add_node();
  n->set_op_type("Relu");
  n->set_name("relu0");
  n->add_input("x");
  n->add_output("y");
  auto* out = g->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(elemType);
  out->mutable_type()->mutable_tensor_type()->mutable_shape()->CopyFrom(*shape);
  return m;
}

std::string bytesOf(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

Error importError(const std::string& path) {
  try {
    importOnnx(path);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kInternal, "no error");
}

}  // namespace

class TestOnnxImport : public QObject {
  Q_OBJECT
 private slots:
  void keepsSymbolicDims() {
    std::string path = test::writeFile(test::tempDir(), "relu.onnx", bytesOf(reluModel()));
    Network net = importOnnx(path);
    QCOMPARE(QString::fromStdString(net.tensor("x").dims.str()), QString("Nx4"));
    QCOMPARE(QString::fromStdString(net.tensor("y").dims.str()), QString("Nx4"));
    QCOMPARE(QString::fromStdString(net.layers()[0].origin.at(0)), QString("relu0"));
  }
  void loadsIr10Opset20() {
    Network built = test::opset20Network();
    std::string path = test::writeFile(test::tempDir(), "opset20.onnx", exportOnnxBytes(built));
    OnnxModelInfo info;
    Network net = importOnnx(path, {}, &info);
    QCOMPARE(info.irVersion, int64_t(10));
    QCOMPARE(net.opsetOf(""), int64_t(20));
    QVERIFY(!info.libraryChecked);  // beyond libonnx 1.12: not a gate
    QCOMPARE(net.layers().size(), size_t(3));
    // ReduceMean took its axes as an input (opset 18 form): batchx8 -> batchx1
    QCOMPARE(QString::fromStdString(net.tensor(net.outputs()[0]).dims.str()), QString("batchx1"));
  }
  void readsExternalData() {
    QString dir = test::tempDir();
    onnx::ModelProto m = reluModel();
    auto* g = m.mutable_graph();
    g->mutable_node(0)->set_op_type("Add");
    g->mutable_node(0)->add_input("w");
    auto* w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(4);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* loc = w->add_external_data();
    loc->set_key("location");
    loc->set_value("weights.bin");
    auto* off = w->add_external_data();
    off->set_key("offset");
    off->set_value("4");
    const float values[5] = {99.f, 1.f, 2.f, 3.f, 4.f};
    test::writeFile(dir, "weights.bin", std::string(reinterpret_cast<const char*>(values), sizeof values));
    std::string path = test::writeFile(dir, "ext.onnx", bytesOf(m));
    Network net = importOnnx(path);
    QCOMPARE(net.tensor("w").data->toDoubleVector(), (std::vector<double>{1, 2, 3, 4}));

    QFile::remove(dir + "/weights.bin");
    Error e = importError(path);
    QCOMPARE(e.code(), ErrorCode::kFileNotFound);
    QVERIFY(QString(e.what()).contains("weights.bin"));
  }
  void missingFile() {
    Error e = importError("/nonexistent/model.onnx");
    QCOMPARE(e.code(), ErrorCode::kFileNotFound);
    QVERIFY(QString(e.what()).contains("/nonexistent/model.onnx"));
  }
  void emptyFile() {
    Error e = importError(test::writeFile(test::tempDir(), "empty.onnx", ""));
    QCOMPARE(e.code(), ErrorCode::kInvalidModel);
    QVERIFY(QString(e.what()).contains("empty"));
  }
  void randomBytes() {
    std::string junk(4096, '\0');
    uint32_t s = 12345;
    for (char& c : junk) c = char((s = s * 1664525u + 1013904223u) >> 24);
    Error e = importError(test::writeFile(test::tempDir(), "junk.onnx", junk));
    QCOMPARE(e.code(), ErrorCode::kInvalidModel);
  }
  void truncatedFile() {
    Network net = test::addReluNetwork();
    std::string bytes = exportOnnxBytes(net);
    QString dir = test::tempDir();
    for (size_t cut : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 7}) {
      Error e = importError(test::writeFile(dir, "cut.onnx", bytes.substr(0, cut)));
      QVERIFY2(e.code() == ErrorCode::kInvalidModel, e.what());
      QVERIFY(QString(e.what()).contains("cut.onnx"));
    }
  }
  void checkerFailure() {
    onnx::ModelProto m = reluModel();
    auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
    a->set_name("not_an_attribute");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(1);
    Error e = importError(test::writeFile(test::tempDir(), "bad_attr.onnx", bytesOf(m)));
    QCOMPARE(e.code(), ErrorCode::kCheckerFailed);
    QVERIFY(QString(e.what()).contains("not_an_attribute"));
  }
  void listsEveryUnsupportedOp() {
    onnx::ModelProto m = reluModel();
    auto* g = m.mutable_graph();
    g->mutable_node(0)->set_op_type("FancyOp");
    auto* n = g->add_node();
    n->set_op_type("OtherOp");
    n->add_input("y");
    n->add_output("z");
    g->mutable_output(0)->set_name("z");
    OnnxImportOptions opt;
    opt.runLibraryChecker = false;
    try {
      importOnnxBytes(bytesOf(m), ".", "two_ops.onnx", opt);
      QFAIL("unsupported ops were accepted");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::kUnsupportedOp);
      QVERIFY(QString(e.what()).contains("FancyOp (opset 17)"));
      QVERIFY(QString(e.what()).contains("OtherOp (opset 17)"));
      QVERIFY(QString(e.what()).contains("two_ops.onnx"));
    }
  }
  void unsupportedDataType() {
    Error e = importError(test::writeFile(test::tempDir(), "str.onnx", bytesOf(reluModel(onnx::TensorProto::STRING))));
    QCOMPARE(e.code(), ErrorCode::kUnsupportedType);
    QVERIFY(QString(e.what()).contains("STRING"));
  }
  void shapeErrorsNameTheNode() {
    Network net;
    net.addInput("a", DataType::kFloat32, Dims{2, 3});
    net.addInput("b", DataType::kFloat32, Dims{4});
    net.markOutput(net.add("Add", {"a", "b"}, {}, "bad_add"));
    try {
      inferShapes(net);
      QFAIL("a broadcast mismatch was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::kShapeMismatch);
      QCOMPARE(QString::fromStdString(e.location().node), QString("bad_add"));
      QCOMPARE(QString::fromStdString(e.location().op), QString("Add"));
      QCOMPARE(e.location().opset, int64_t(17));
    }
  }
};

QTEST_APPLESS_MAIN(TestOnnxImport)
#include "test_onnx_import.moc"
