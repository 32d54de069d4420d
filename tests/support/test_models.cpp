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

namespace {
// Deterministic values in [lo, hi) for weights.
HostTensor filled(std::vector<int64_t> shape, double lo, double hi, uint32_t seed) {
  HostTensor t(DataType::kFloat32, std::move(shape));
  uint32_t state = seed * 2654435761u + 12345u;
  for (int64_t i = 0; i < t.numel(); ++i) {
    state = state * 1664525u + 1013904223u;
    t.setFromDouble(i, lo + (hi - lo) * double(state >> 8) / double(1u << 24));
  }
  return t;
}

HostTensor scalar(double v) { return HostTensor::fromDoubles(DataType::kFloat32, {}, {v}); }
}  // namespace

Network fusionShowcaseNetwork() {
  Network net;
  net.name = "fusion_showcase";
  net.addInput("image", DataType::kFloat32, Dims{1, 3, 8, 8});
  net.addConstant("conv_w", filled({4, 3, 3, 3}, -0.5, 0.5, 1));
  net.addConstant("conv_b", filled({4}, -0.1, 0.1, 2));
  net.addConstant("bn_scale", filled({4}, 0.5, 1.5, 3));
  net.addConstant("bn_bias", filled({4}, -0.2, 0.2, 4));
  net.addConstant("bn_mean", filled({4}, -0.1, 0.1, 5));
  net.addConstant("bn_var", filled({4}, 0.5, 1.0, 6));
  std::string t = net.add("Conv", {"image", "conv_w", "conv_b"},
                          {{"pads", Attribute::ofInts({1, 1, 1, 1})}, {"kernel_shape", Attribute::ofInts({3, 3})}}, "conv");
  t = net.add("BatchNormalization", {t, "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {}, "bn");
  t = net.add("Relu", {t}, {}, "relu");
  net.addConstant("tokens_shape", HostTensor::fromInt64s({1, 4, 64}));
  const std::string x = net.add("Reshape", {t, "tokens_shape"}, {}, "reshape");

  // LayerNorm over the last axis.
  const Attributes lastAxis = {{"axes", Attribute::ofInts({-1})}, {"keepdims", Attribute::ofInt(1)}};
  net.addConstant("two", scalar(2.0));
  net.addConstant("eps", scalar(1e-5));
  net.addConstant("ln_gamma", filled({64}, 0.5, 1.5, 7));
  net.addConstant("ln_beta", filled({64}, -0.5, 0.5, 8));
  const std::string mean = net.add("ReduceMean", {x}, lastAxis, "ln_mean");
  const std::string diff = net.add("Sub", {x, mean}, {}, "ln_sub");
  t = net.add("Pow", {diff, "two"}, {}, "ln_pow");
  t = net.add("ReduceMean", {t}, lastAxis, "ln_var");
  t = net.add("Add", {t, "eps"}, {}, "ln_add");
  t = net.add("Sqrt", {t}, {}, "ln_sqrt");
  t = net.add("Div", {diff, t}, {}, "ln_div");
  t = net.add("Mul", {t, "ln_gamma"}, {}, "ln_mul");
  const std::string ln = net.add("Add", {t, "ln_beta"}, {}, "ln_bias");

  // GELU, erf form: x * (1 + erf(x / sqrt 2)) * 0.5.
  net.addConstant("sqrt2", scalar(1.4142135623730951));
  net.addConstant("one", scalar(1.0));
  net.addConstant("half", scalar(0.5));
  t = net.add("Div", {ln, "sqrt2"}, {}, "gelu_div");
  t = net.add("Erf", {t}, {}, "gelu_erf");
  t = net.add("Add", {t, "one"}, {}, "gelu_add");
  t = net.add("Mul", {ln, t}, {}, "gelu_mul");
  const std::string gelu = net.add("Mul", {t, "half"}, {}, "gelu_half");

  // HardSwish: x * clip(x + 3, 0, 6) / 6.
  net.addConstant("three", scalar(3.0));
  net.addConstant("zero", scalar(0.0));
  net.addConstant("six", scalar(6.0));
  t = net.add("Add", {gelu, "three"}, {}, "hs_add");
  t = net.add("Clip", {t, "zero", "six"}, {}, "hs_clip");
  t = net.add("Mul", {gelu, t}, {}, "hs_mul");
  const std::string h = net.add("Div", {t, "six"}, {}, "hs_div");

  // Self-attention with Q = K = V = h.
  net.addConstant("sqrt_d", scalar(8.0));
  HostTensor mask(DataType::kFloat32, {1, 4, 4});
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 4; ++j) mask.setFromDouble(i * 4 + j, j > i ? -1e4 : 0.0);
  }
  net.addConstant("mask", std::move(mask));
  const std::string kt = net.add("Transpose", {h}, {{"perm", Attribute::ofInts({0, 2, 1})}}, "att_t");
  t = net.add("MatMul", {h, kt}, {}, "att_qk");
  t = net.add("Div", {t, "sqrt_d"}, {}, "att_scale");
  t = net.add("Add", {t, "mask"}, {}, "att_mask");
  t = net.add("Softmax", {t}, {{"axis", Attribute::ofInt(-1)}}, "att_softmax");
  net.addLayer("MatMul", {t, h}, {"y"}, {}, "att_pv");
  net.markOutput("y");
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

std::vector<std::pair<std::string, std::vector<std::string>>> fusionShowcaseFusedLayers() {
  return {
      {"kiln:ConvAct", {"conv", "bn", "relu"}},
      {"Reshape", {"reshape"}},
      {"kiln:LayerNorm", {"ln_mean", "ln_sub", "ln_pow", "ln_var", "ln_add", "ln_sqrt", "ln_div", "ln_mul", "ln_bias"}},
      {"kiln:Pointwise", {"gelu_div", "gelu_erf", "gelu_add", "gelu_mul", "gelu_half", "hs_add", "hs_clip", "hs_mul", "hs_div"}},
      {"kiln:Attention", {"att_t", "att_qk", "att_scale", "att_mask", "att_softmax", "att_pv"}},
  };
}

}  // namespace kiln::test
