// Writes Kiln's bundled sample: a small image classifier with the shapes of a
// real one (a stem, two residual blocks, a classifier head) and seeded
// random weights. Usage: kiln-make-sample OUT.onnx
#include <cmath>
#include <cstdio>
#include <random>

#include "kiln/errors.h"
#include "kiln/network.h"
#include "kiln/onnx.h"

namespace {

using namespace kiln;

class SampleBuilder {
 public:
  SampleBuilder() : rng_(2026) {}

  std::string weight(const std::string& name, std::vector<int64_t> shape, double scale) {
    HostTensor t(DataType::kFloat32, shape);
    std::normal_distribution<double> normal(0.0, scale);
    for (int64_t i = 0; i < t.numel(); ++i) t.setFromDouble(i, normal(rng_));
    net.addConstant(name, std::move(t));
    return name;
  }
  std::string filled(const std::string& name, int64_t n, double lo, double hi) {
    HostTensor t(DataType::kFloat32, {n});
    std::uniform_real_distribution<double> uni(lo, hi);
    for (int64_t i = 0; i < n; ++i) t.setFromDouble(i, uni(rng_));
    net.addConstant(name, std::move(t));
    return name;
  }
  // Conv (no bias) → BatchNormalization → optional Relu, as exporters write it.
  std::string convBnRelu(const std::string& x, const std::string& name, int64_t cin, int64_t cout, int64_t k,
                         int64_t stride, bool relu) {
    std::string w = weight(name + ".weight", {cout, cin, k, k}, std::sqrt(2.0 / double(cin * k * k)));
    int64_t pad = k / 2;
    std::string y = net.add("Conv", {x, w},
                            {{"kernel_shape", Attribute::ofInts({k, k})},
                             {"strides", Attribute::ofInts({stride, stride})},
                             {"pads", Attribute::ofInts({pad, pad, pad, pad})}},
                            name + "/conv");
    std::string bn = net.add("BatchNormalization",
                             {y, filled(name + ".bn.scale", cout, 0.8, 1.2), filled(name + ".bn.bias", cout, -0.1, 0.1),
                              filled(name + ".bn.mean", cout, -0.1, 0.1), filled(name + ".bn.var", cout, 0.5, 1.5)},
                             {{"epsilon", Attribute::ofFloat(1e-5f)}}, name + "/bn");
    return relu ? net.add("Relu", {bn}, {}, name + "/relu") : bn;
  }
  std::string residualBlock(const std::string& x, const std::string& name, int64_t channels) {
    std::string a = convBnRelu(x, name + ".conv1", channels, channels, 3, 1, true);
    std::string b = convBnRelu(a, name + ".conv2", channels, channels, 3, 1, false);
    std::string sum = net.add("Add", {b, x}, {}, name + "/add");
    return net.add("Relu", {sum}, {}, name + "/relu");
  }

  Network net;

 private:
  std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln-make-sample OUT.onnx\n");
    return 1;
  }
  try {
    SampleBuilder b;
    Network& net = b.net;
    net.name = "kiln_sample_classifier";
    Dims input;
    input.d = {Dim::symbolic("batch"), Dim(3), Dim(64), Dim(64)};
    net.addInput("image", DataType::kFloat32, input);
    std::string x = b.convBnRelu("image", "stem", 3, 16, 3, 2, true);
    x = net.add("MaxPool", {x},
                {{"kernel_shape", Attribute::ofInts({2, 2})}, {"strides", Attribute::ofInts({2, 2})}}, "stem/pool");
    x = b.residualBlock(x, "block1", 16);
    x = b.convBnRelu(x, "down", 16, 32, 3, 2, true);
    x = b.residualBlock(x, "block2", 32);
    x = net.add("GlobalAveragePool", {x}, {}, "head/pool");
    x = net.add("Flatten", {x}, {{"axis", Attribute::ofInt(1)}}, "head/flatten");
    std::string w = b.weight("head.fc.weight", {10, 32}, 0.2);
    std::string bias = b.filled("head.fc.bias", 10, -0.05, 0.05);
    x = net.add("Gemm", {x, w, bias}, {{"transB", Attribute::ofInt(1)}}, "head/fc");
    std::string probs = net.add("Softmax", {x}, {{"axis", Attribute::ofInt(-1)}}, "probabilities");
    net.markOutput(probs);
    inferShapes(net);
    exportOnnx(net, argv[1]);
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "kiln-make-sample: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
