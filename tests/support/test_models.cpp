#include "support/test_models.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

namespace kiln::test {

Network addReluNetwork() {
  Network net;
  net.name = "add_relu";
  net.addInput("x", DataType::kFloat32, Dims{1, 4});
  net.addConstant("b", HostTensor::fromDoubles(DataType::kFloat32, {4}, {1.0, -2.0, 0.5, -0.25}));
  std::string sum = net.add("Add", {"x", "b"}, {}, "add");
  std::string y = net.add("Relu", {sum}, {}, "relu");
  net.markOutput(y);
  return net;
}

Network opset20Network() {
  Network net;
  net.name = "opset20";
  net.opsets[""] = 20;
  Dims in;
  in.d = {Dim::symbolic("batch"), Dim(8)};
  net.addInput("x", DataType::kFloat32, in);
  net.addConstant("scale", HostTensor::fromDoubles(DataType::kFloat32, {8}, std::vector<double>(8, 1.0)));
  net.addConstant("axes", HostTensor::fromInt64s({1}));
  std::string g = net.add("Gelu", {"x"}, {}, "gelu");
  std::string ln = net.add("LayerNormalization", {g, "scale"}, {{"axis", Attribute::ofInt(-1)}}, "ln");
  std::string m = net.add("ReduceMean", {ln, "axes"}, {{"keepdims", Attribute::ofInt(1)}}, "mean");
  net.markOutput(m);
  return net;
}

QString tempDir() {
  static QTemporaryDir root;
  static int counter = 0;
  QString dir = root.path() + "/t" + QString::number(counter++);
  QDir().mkpath(dir);
  return dir;
}

std::string writeFile(const QString& dir, const QString& name, const std::string& bytes) {
  QString path = dir + "/" + name;
  QFile f(path);
  f.open(QIODevice::WriteOnly | QIODevice::Truncate);
  f.write(bytes.data(), qint64(bytes.size()));
  return path.toStdString();
}

}  // namespace kiln::test
