// The kiln command line: exit codes, one-line errors, .npy inputs and outputs.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include "kiln/npy.h"
#include "kiln/onnx.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

struct Result {
  int code;
  QString out;
  QString err;
};

Result runKiln(const QStringList& args) {
  QProcess p;
  p.start(KILN_CLI_PATH, args);
  p.waitForFinished(120000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

void expectOneLineError(const Result& r) {
  QCOMPARE(r.code, 1);
  QVERIFY2(r.err.startsWith("kiln: error: "), qPrintable(r.err));
  QCOMPARE(r.err.count('\n'), 1);
}

}  // namespace

class TestCli : public QObject {
  Q_OBJECT
 private slots:
  void badFiles_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("kind");
    for (const char* cmd : {"inspect", "run"}) {
      for (const char* kind : {"empty", "random", "truncated", "missing"}) {
        QTest::newRow(qPrintable(QString("%1 %2").arg(cmd, kind))) << QString(cmd) << QString(kind);
      }
    }
  }
  void badFiles() {
    QFETCH(QString, command);
    QFETCH(QString, kind);
    QString dir = test::tempDir();
    std::string path = dir.toStdString() + "/missing.onnx";
    if (kind == "empty") path = test::writeFile(dir, "empty.onnx", "");
    if (kind == "random") {
      std::string junk(2048, '\0');
      uint32_t s = 99;
      for (char& c : junk) c = char((s = s * 1103515245u + 12345u) >> 23);
      path = test::writeFile(dir, "random.onnx", junk);
    }
    if (kind == "truncated") {
      std::string bytes = exportOnnxBytes(test::addReluNetwork());
      path = test::writeFile(dir, "truncated.onnx", bytes.substr(0, bytes.size() / 2));
    }
    Result r = runKiln({command, QString::fromStdString(path)});
    expectOneLineError(r);
    QVERIFY(r.err.contains(QString::fromStdString(path)));
  }
  void badArguments() {
    expectOneLineError(runKiln({"run"}));
    expectOneLineError(runKiln({"frobnicate"}));
    std::string model = test::writeFile(test::tempDir(), "m.onnx", exportOnnxBytes(test::addReluNetwork()));
    expectOneLineError(runKiln({"run", QString::fromStdString(model), "--shapes", "x=1xfoo"}));
    expectOneLineError(runKiln({"run", QString::fromStdString(model), "--input", "nope=/tmp/none.npy"}));
  }
  void versionNamesBackends() {
    Result r = runKiln({"--version"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("kiln "));
    QVERIFY(r.out.contains("cpu"));
  }
  void runReadsAndWritesNpy() {
    QString dir = test::tempDir();
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{1, 4});
    net.addConstant("b", HostTensor::fromDoubles(DataType::kFloat32, {4}, {1.0, -2.0, 0.5, -0.25}));
    // an output name with characters that must not reach the file system
    net.addLayer("Relu", {net.add("Add", {"x", "b"})}, {"out/put:0"});
    net.markOutput("out/put:0");
    std::string model = test::writeFile(dir, "m.onnx", exportOnnxBytes(net));
    writeNpy(HostTensor::fromDoubles(DataType::kFloat32, {1, 4}, {1, 1, 1, 1}), (dir + "/x.npy").toStdString());
    Result r = runKiln({"run", QString::fromStdString(model), "--input", "x=" + dir + "/x.npy", "--output-dir", dir + "/out"});
    QCOMPARE(r.code, 0);
    HostTensor y = readNpy((dir + "/out/out_put_0.npy").toStdString());
    QCOMPARE(y.shape(), (std::vector<int64_t>{1, 4}));
    QCOMPARE(y.toDoubleVector(), (std::vector<double>{2.0, 0.0, 1.5, 0.75}));
  }
  void inspectJsonListsFacts() {
    std::string model = test::writeFile(test::tempDir(), "m.onnx", exportOnnxBytes(test::addReluNetwork()));
    Result r = runKiln({"inspect", QString::fromStdString(model), "--json"});
    QCOMPARE(r.code, 0);
    QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["layers"].toInt(), 2);
    QCOMPARE(j["parameters"].toInt(), 4);
    QCOMPARE(j["op_histogram"].toObject()["Relu"].toInt(), 1);
    QCOMPARE(j["inputs"].toArray()[0].toObject()["shape"].toArray()[1].toInt(), 4);
    QCOMPARE(j["flops"].toInt(), 8);  // 4 adds + 4 relus
  }
  void buildRunInspectAPlan() {
    QString dir = test::tempDir();
    std::string model = test::writeFile(dir, "m.onnx", exportOnnxBytes(test::addReluNetwork()));
    const QString plan = dir + "/m.plan";
    Result built = runKiln({"build", QString::fromStdString(model), "-o", plan, "--report", dir + "/report.json"});
    QVERIFY2(built.code == 0, qPrintable(built.err));
    writeNpy(HostTensor::fromDoubles(DataType::kFloat32, {1, 4}, {1, 1, 1, 1}), (dir + "/x.npy").toStdString());
    Result ran = runKiln({"run", plan, "--input", "x=" + dir + "/x.npy", "--output-dir", dir + "/out"});
    QVERIFY2(ran.code == 0, qPrintable(ran.err));
    QCOMPARE(readNpy((dir + "/out/relu.npy").toStdString()).toDoubleVector(), (std::vector<double>{2.0, 0.0, 1.5, 0.75}));
    Result inspected = runKiln({"inspect", plan, "--json"});
    QCOMPARE(inspected.code, 0);
    QJsonObject j = QJsonDocument::fromJson(inspected.out.toUtf8()).object();
    QJsonArray layers = j["layers"].toArray();
    QVERIFY(!layers.isEmpty());
    for (const auto& l : layers) {
      QJsonObject o = l.toObject();
      for (const char* key : {"name", "type", "origin", "precision", "tactic", "candidates"}) QVERIFY2(o.contains(key), key);
      QVERIFY(!o["origin"].toArray().isEmpty());
    }
    QVERIFY(j.contains("memory"));
    QVERIFY(j["passes"].isArray());
    QFile report(dir + "/report.json");
    QVERIFY(report.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(report.readAll()).object()["layers"].toArray().size(), layers.size());
  }
  void corruptPlans_data() {
    QTest::addColumn<QString>("damage");
    for (const char* d : {"truncated", "flipped", "version", "empty"}) QTest::newRow(d) << QString(d);
  }
  void corruptPlans() {
    QFETCH(QString, damage);
    QString dir = test::tempDir();
    std::string model = test::writeFile(dir, "m.onnx", exportOnnxBytes(test::addReluNetwork()));
    QCOMPARE(runKiln({"build", QString::fromStdString(model), "-o", dir + "/good.plan"}).code, 0);
    QFile good(dir + "/good.plan");
    QVERIFY(good.open(QIODevice::ReadOnly));
    QByteArray bytes = good.readAll();
    std::vector<QByteArray> variants;
    if (damage == "truncated") {
      for (int cut : {12, int(bytes.size() / 2), int(bytes.size() - 1)}) variants.push_back(bytes.left(cut));
    } else if (damage == "flipped") {
      uint32_t s = 7;
      for (int i = 0; i < 6; ++i) {
        QByteArray b = bytes;
        s = s * 1664525u + 1013904223u;
        b[int(s % uint32_t(b.size()))] = char(b[int(s % uint32_t(b.size()))] ^ 0x5a);
        variants.push_back(b);
      }
    } else if (damage == "version") {
      QByteArray b = bytes;
      b[8] = char(b[8] + 1);  // the format version follows the 8-byte magic
      variants.push_back(b);
    } else {
      variants.push_back(QByteArray());
    }
    for (const QByteArray& v : variants) {
      std::string path = test::writeFile(dir, "bad.plan", v.toStdString());
      for (const char* cmd : {"run", "inspect"}) expectOneLineError(runKiln({cmd, QString::fromStdString(path)}));
    }
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
