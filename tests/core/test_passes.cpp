// The graph passes: each pass on a small network where it applies (exact
// resulting layers, same outputs as before on random inputs) and on one where
// it must not; then the whole pipeline on the fusion showcase model.
#include <QtTest>

#include <cmath>
#include <memory>

#include "kiln/errors.h"
#include "kiln/reference.h"
#include "passes/attention_layouts.h"
#include "passes/channels_last.h"
#include "passes/eliminate_dead_layers.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_conv_act.h"
#include "passes/fuse_pointwise.h"
#include "passes/pass.h"
#include "passes/recognise_attention.h"
#include "passes/recognise_gelu.h"
#include "passes/recognise_hardswish.h"
#include "passes/recognise_layernorm.h"
#include "passes/recognise_softmax.h"
#include "passes/remove_noops.h"
#include "passes/simplify_shuffles.h"
#include "support/test_models.h"

using namespace kiln;

namespace {

/// One layer as the tests spell it: "Op" or "kiln:Op", and its origins.
struct LayerSummary {
  std::string op;
  std::vector<std::string> origin;
  bool operator==(const LayerSummary& o) const { return op == o.op && origin == o.origin; }
};

std::vector<LayerSummary> summary(const Network& net) {
  std::vector<LayerSummary> out;
  for (const auto& l : net.layers()) {
    out.push_back({l.domain.empty() ? l.op : l.domain + ":" + l.op, l.origin});
  }
  return out;
}

std::string toText(const std::vector<LayerSummary>& layers) {
  std::string s;
  for (const auto& l : layers) {
    s += l.op + "{";
    for (size_t i = 0; i < l.origin.size(); ++i) s += (i ? "," : "") + l.origin[i];
    s += "} ";
  }
  return s;
}

HostTensor constant(std::vector<int64_t> shape, std::vector<double> values) {
  return HostTensor::fromDoubles(DataType::kFloat32, std::move(shape), values);
}

HostTensor scalar(double v) { return constant({}, {v}); }

// Deterministic values in [lo, hi).
HostTensor ramp(std::vector<int64_t> shape, double lo, double hi) {
  HostTensor t(DataType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.setFromDouble(i, lo + (hi - lo) * double((i * 7919) % 101) / 101.0);
  return t;
}

// Each output of `after` equals the one of `before`: |a - b| <= 1e-4 |b| + 1e-6.
void expectSameOutputs(const Network& before, const Network& after) {
  const TensorMap inputs = makeRandomInputs(before, {}, 7);
  const TensorMap want = ReferenceExecutor(before).run(inputs);
  const TensorMap got = ReferenceExecutor(after).run(inputs);
  QCOMPARE(got.size(), want.size());
  for (const auto& [name, w] : want) {
    QVERIFY2(got.count(name), name.c_str());
    const HostTensor& g = got.at(name);
    QCOMPARE(g.shape(), w.shape());
    for (int64_t i = 0; i < w.numel(); ++i) {
      const double a = g.getAsDouble(i), b = w.getAsDouble(i);
      if (!(std::fabs(a - b) <= 1e-4 * std::fabs(b) + 1e-6)) {
        QFAIL(qPrintable(QString("%1[%2]: %3 vs %4").arg(name.c_str()).arg(i).arg(a).arg(b)));
      }
    }
  }
}

// Runs `pass` on `net` (shapes inferred first), checks the resulting layers
// and that the outputs did not change. Returns the changes.
std::vector<PassChange> expectRewrite(Network net, passes::Pass& pass, const std::vector<LayerSummary>& expected) {
  inferShapes(net);
  Network before = net;
  auto changes = pass.run(net);
  inferShapes(net);
  const auto got = summary(net);
  if (!(got == expected)) {
    QTest::qFail(qPrintable("layers: " + QString::fromStdString(toText(got)) + "\nexpected: " +
                            QString::fromStdString(toText(expected))), __FILE__, __LINE__);
    return changes;
  }
  expectSameOutputs(before, net);
  return changes;
}

// Runs `pass` on `net` and checks that it changed nothing.
void expectUnchanged(Network net, passes::Pass& pass) {
  inferShapes(net);
  const auto before = summary(net);
  const auto changes = pass.run(net);
  QVERIFY2(changes.empty(), changes.empty() ? "" : changes[0].description.c_str());
  QVERIFY(summary(net) == before);
}

Attributes ints(const std::string& name, std::vector<int64_t> v) { return {{name, Attribute::ofInts(std::move(v))}}; }

}  // namespace

class TestPasses : public QObject {
  Q_OBJECT

 private slots:
  void foldConstants() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 3});
    net.addConstant("w", ramp({3, 2}, -1, 1));
    const std::string t = net.add("Transpose", {"w"}, ints("perm", {1, 0}), "transpose");
    net.addLayer("Add", {"x", t}, {"y"}, {}, "add");
    net.markOutput("y");
    passes::FoldConstants pass;
    const auto changes = expectRewrite(net, pass, {{"Add", {"add"}}});
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(changes[0].removed, std::vector<std::string>{"transpose"});
    QCOMPARE(changes[0].description, std::string("folded Transpose 'transpose' into constant 'transpose'"));

    Network shape;  // Shape of a static input folds; a DequantizeLinear of constants stays
    shape.addInput("x", DataType::kFloat32, Dims{2, 3});
    shape.addInput("z", DataType::kFloat32, Dims{6});
    shape.addConstant("q", HostTensor::fromDoubles(DataType::kInt8, {6}, {1, -2, 3, -4, 5, -6}));
    shape.addConstant("q_scale", scalar(0.5));
    const std::string s = shape.add("Shape", {"x"}, {}, "shape");
    const std::string r = shape.add("Reshape", {"z", s}, {}, "reshape");
    const std::string dq = shape.add("DequantizeLinear", {"q", "q_scale"}, {}, "dequantize");
    const std::string dq2 = shape.add("Reshape", {dq, s}, {}, "reshape_dq");
    shape.markOutput(shape.add("Add", {r, dq2}, {}, "add"));
    expectRewrite(shape, pass,
                  {{"Reshape", {"reshape"}}, {"DequantizeLinear", {"dequantize"}}, {"Reshape", {"reshape_dq"}}, {"Add", {"add"}}});

    Network none;
    none.addInput("x", DataType::kFloat32, Dims{2});
    none.addConstant("c", ramp({2}, 0, 1));
    none.addLayer("Neg", {"c"}, {"y"}, {}, "neg");  // writes a graph output: kept
    none.addLayer("Relu", {"x"}, {"z"}, {}, "relu");
    none.markOutput("y");
    none.markOutput("z");
    expectUnchanged(none, pass);
  }

  void eliminateDeadLayers() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{4});
    const std::string r = net.add("Relu", {"x"}, {}, "relu");
    const std::string s = net.add("Sigmoid", {"x"}, {}, "dead1");
    net.add("Neg", {s}, {}, "dead2");
    net.markOutput(r);
    passes::EliminateDeadLayers pass;
    const auto changes = expectRewrite(net, pass, {{"Relu", {"relu"}}});
    QCOMPARE(changes.size(), size_t(2));
    QCOMPARE(changes[0].removed, std::vector<std::string>{"dead1"});

    Network none;
    none.addInput("x", DataType::kFloat32, Dims{4});
    none.markOutput(none.add("Relu", {"x"}, {}, "relu"));
    expectUnchanged(none, pass);
  }

  void removeNoops() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 4});
    net.addConstant("ones", constant({4}, {1, 1, 1, 1}));
    net.addConstant("zero", scalar(0));
    net.addConstant("shape", HostTensor::fromInt64s({2, 4}));
    std::string t = net.add("Identity", {"x"}, {}, "identity");
    t = net.add("Mul", {t, "ones"}, {}, "mul1");
    t = net.add("Relu", {t}, {}, "relu");
    t = net.add("Sub", {t, "zero"}, {}, "sub0");
    t = net.add("Reshape", {t, "shape"}, {}, "reshape");
    t = net.add("Transpose", {t}, ints("perm", {0, 1}), "transpose");
    net.addLayer("Dropout", {t}, {"y"}, {}, "dropout");
    net.markOutput("y");
    passes::RemoveNoops pass;
    Network after = net;
    inferShapes(after);
    const auto changes = expectRewrite(net, pass, {{"Relu", {"relu"}}});
    QCOMPARE(changes.size(), size_t(6));
    pass.run(after);
    QCOMPARE(after.layers()[0].outputs, std::vector<std::string>{"y"});  // the graph output keeps its name

    Network none;
    none.addInput("x", DataType::kFloat32, Dims{4});
    none.addConstant("zeros", constant({2, 4}, std::vector<double>(8, 0.0)));
    none.addConstant("two", scalar(2));
    none.addConstant("zero", scalar(0));
    const std::string a = none.add("Add", {"x", "zeros"}, {}, "grows");  // broadcasts to 2x4
    const std::string b = none.add("Mul", {a, "two"}, {}, "mul2");
    none.markOutput(none.add("Sub", {"zero", b}, {}, "negate"));       // 0 - x is not x
    expectUnchanged(none, pass);
  }

  void foldBatchNormIntoConv() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{1, 2, 5, 5});
    net.addConstant("w", ramp({3, 2, 3, 3}, -0.5, 0.5));
    net.addConstant("b", constant({3}, {0.1, -0.2, 0.3}));
    net.addConstant("scale", constant({3}, {1.5, 0.5, -1.0}));
    net.addConstant("shift", constant({3}, {0.2, 0.0, -0.3}));
    net.addConstant("mean", constant({3}, {0.1, -0.1, 0.05}));
    net.addConstant("var", constant({3}, {0.8, 1.2, 0.5}));
    const std::string c = net.add("Conv", {"x", "w", "b"}, {}, "conv");
    net.addLayer("BatchNormalization", {c, "scale", "shift", "mean", "var"}, {"y"}, {}, "bn");
    net.markOutput("y");
    passes::FoldBatchNorm pass;
    const auto changes = expectRewrite(net, pass, {{"Conv", {"conv", "bn"}}});
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(changes[0].description, std::string("folded BatchNormalization 'bn' into Conv 'conv'"));
    QCOMPARE(changes[0].result, std::string("conv"));
    QCOMPARE(changes[0].removed, std::vector<std::string>{"bn"});

    net.add("Relu", {c}, {}, "other_reader");  // the conv output now has two readers
    net.markOutput("other_reader");
    expectUnchanged(net, pass);
  }

  void foldBatchNormIntoGemm() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 4});
    net.addConstant("w", ramp({3, 4}, -1, 1));
    net.addConstant("c", constant({3}, {0.5, -0.5, 0.25}));
    net.addConstant("scale", constant({3}, {1.5, 0.5, -1.0}));
    net.addConstant("shift", constant({3}, {0.2, 0.0, -0.3}));
    net.addConstant("mean", constant({3}, {0.1, -0.1, 0.05}));
    net.addConstant("var", constant({3}, {0.8, 1.2, 0.5}));
    const std::string g = net.add("Gemm", {"x", "w", "c"},
                                  {{"transB", Attribute::ofInt(1)}, {"beta", Attribute::ofFloat(0.5f)}}, "gemm");
    net.addLayer("BatchNormalization", {g, "scale", "shift", "mean", "var"}, {"y"}, {}, "bn");
    net.markOutput("y");
    passes::FoldBatchNorm pass;
    expectRewrite(net, pass, {{"Gemm", {"gemm", "bn"}}});
  }

  void recogniseLayerNorm() {
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 3, 8});
    net.addConstant("two", scalar(2));
    net.addConstant("eps", scalar(1e-5));
    net.addConstant("gamma", ramp({8}, 0.5, 1.5));
    net.addConstant("beta", ramp({8}, -0.5, 0.5));
    const Attributes axes = {{"axes", Attribute::ofInts({-1})}};
    const std::string m = net.add("ReduceMean", {"x"}, axes, "mean");
    const std::string d = net.add("Sub", {"x", m}, {}, "sub");
    std::string t = net.add("Mul", {d, d}, {}, "square");
    t = net.add("ReduceMean", {t}, axes, "var");
    t = net.add("Add", {"eps", t}, {}, "add_eps");
    t = net.add("Sqrt", {t}, {}, "sqrt");
    t = net.add("Div", {d, t}, {}, "div");
    t = net.add("Mul", {"gamma", t}, {}, "scale");
    net.addLayer("Add", {t, "beta"}, {"y"}, {}, "shift");
    net.markOutput("y");
    passes::RecogniseLayerNorm pass;
    expectRewrite(net, pass,
                  {{"kiln:LayerNorm", {"mean", "sub", "square", "var", "add_eps", "sqrt", "div", "scale", "shift"}}});

    Network onnx;
    onnx.addInput("x", DataType::kFloat32, Dims{2, 8});
    onnx.addConstant("gamma", ramp({8}, 0.5, 1.5));
    onnx.markOutput(onnx.add("LayerNormalization", {"x", "gamma"}, {{"epsilon", Attribute::ofFloat(1e-3f)}}, "ln"));
    expectRewrite(onnx, pass, {{"kiln:LayerNorm", {"ln"}}});

    net.markOutput(d);  // the centred value is read outside
    expectUnchanged(net, pass);
  }

  void recogniseGelu() {
    passes::RecogniseGelu pass;
    {  // (x * (1 + erf(x / sqrt 2))) * 0.5
      Network net;
      net.addInput("x", DataType::kFloat32, Dims{3, 5});
      net.addConstant("sqrt2", scalar(1.41421));
      net.addConstant("one", scalar(1));
      net.addConstant("half", scalar(0.5));
      std::string t = net.add("Div", {"x", "sqrt2"}, {}, "div");
      t = net.add("Erf", {t}, {}, "erf");
      t = net.add("Add", {"one", t}, {}, "add");
      t = net.add("Mul", {"x", t}, {}, "mul");
      net.markOutput(net.add("Mul", {t, "half"}, {}, "half_mul"));
      expectRewrite(net, pass, {{"kiln:Gelu", {"div", "erf", "add", "mul", "half_mul"}}});

      net.markOutput("erf");
      expectUnchanged(net, pass);
    }
    {  // (x * 0.5) * (1 + erf(x * 1/sqrt 2))
      Network net;
      net.addInput("x", DataType::kFloat32, Dims{3, 5});
      net.addConstant("rsqrt2", scalar(0.70710678));
      net.addConstant("one", scalar(1));
      net.addConstant("half", scalar(0.5));
      const std::string h = net.add("Mul", {"x", "half"}, {}, "half_mul");
      std::string t = net.add("Mul", {"rsqrt2", "x"}, {}, "scale");
      t = net.add("Erf", {t}, {}, "erf");
      t = net.add("Add", {t, "one"}, {}, "add");
      net.markOutput(net.add("Mul", {h, t}, {}, "mul"));
      expectRewrite(net, pass, {{"kiln:Gelu", {"half_mul", "scale", "erf", "add", "mul"}}});
    }
    {  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Network net;
      net.addInput("x", DataType::kFloat32, Dims{3, 5});
      net.addConstant("three", scalar(3));
      net.addConstant("c", scalar(0.044715));
      net.addConstant("k", scalar(0.7978845608));
      net.addConstant("one", scalar(1));
      net.addConstant("half", scalar(0.5));
      std::string t = net.add("Pow", {"x", "three"}, {}, "cube");
      t = net.add("Mul", {t, "c"}, {}, "cube_scale");
      t = net.add("Add", {"x", t}, {}, "inner");
      t = net.add("Mul", {"k", t}, {}, "inner_scale");
      t = net.add("Tanh", {t}, {}, "tanh");
      t = net.add("Add", {t, "one"}, {}, "add");
      t = net.add("Mul", {"half", t}, {}, "half_mul");
      net.markOutput(net.add("Mul", {t, "x"}, {}, "mul"));
      expectRewrite(net, pass,
                    {{"kiln:Gelu", {"cube", "cube_scale", "inner", "inner_scale", "tanh", "add", "half_mul", "mul"}}});
    }
  }

  void recogniseHardSwish() {
    passes::RecogniseHardSwish pass;
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 6});
    net.addConstant("three", scalar(3));
    net.addConstant("zero", scalar(0));
    net.addConstant("six", scalar(6));
    std::string t = net.add("Add", {"x", "three"}, {}, "add");
    t = net.add("Clip", {t, "zero", "six"}, {}, "clip");
    t = net.add("Mul", {"x", t}, {}, "mul");
    net.markOutput(net.add("Div", {t, "six"}, {}, "div"));
    expectRewrite(net, pass, {{"kiln:HardSwish", {"add", "clip", "mul", "div"}}});

    Network sig;
    sig.addInput("x", DataType::kFloat32, Dims{2, 6});
    const std::string h = sig.add("HardSigmoid", {"x"},
                                  {{"alpha", Attribute::ofFloat(1.f / 6)}, {"beta", Attribute::ofFloat(0.5f)}}, "hsig");
    sig.markOutput(sig.add("Mul", {h, "x"}, {}, "mul"));
    expectRewrite(sig, pass, {{"kiln:HardSwish", {"hsig", "mul"}}});

    Network other;  // clips to [0, 5]: not HardSwish
    other.addInput("x", DataType::kFloat32, Dims{2, 6});
    other.addConstant("three", scalar(3));
    other.addConstant("zero", scalar(0));
    other.addConstant("five", scalar(5));
    other.addConstant("six", scalar(6));
    t = other.add("Add", {"x", "three"}, {}, "add");
    t = other.add("Clip", {t, "zero", "five"}, {}, "clip");
    t = other.add("Mul", {"x", t}, {}, "mul");
    other.markOutput(other.add("Div", {t, "six"}, {}, "div"));
    expectUnchanged(other, pass);
  }

  void recogniseSoftmax() {
    passes::RecogniseSoftmax pass;
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 5});
    const Attributes axes = {{"axes", Attribute::ofInts({1})}};
    net.addConstant("axes", HostTensor::fromInt64s({1}));
    const std::string m = net.add("ReduceMax", {"x"}, axes, "max");
    std::string t = net.add("Sub", {"x", m}, {}, "sub");
    const std::string e = net.add("Exp", {t}, {}, "exp");
    const std::string s = net.add("ReduceSum", {e, "axes"}, {}, "sum");
    net.markOutput(net.add("Div", {e, s}, {}, "div"));
    expectRewrite(net, pass, {{"kiln:Softmax", {"max", "sub", "exp", "sum", "div"}}});

    Network onnx;
    onnx.addInput("x", DataType::kFloat32, Dims{2, 5});
    onnx.markOutput(onnx.add("Softmax", {"x"}, {}, "softmax"));
    expectRewrite(onnx, pass, {{"kiln:Softmax", {"softmax"}}});

    net.markOutput(e);
    expectUnchanged(net, pass);
  }

  void recogniseAttention() {
    passes::RecogniseAttention pass;
    Network net;
    net.addInput("q", DataType::kFloat32, Dims{2, 4, 8});
    net.addInput("k", DataType::kFloat32, Dims{2, 4, 8});
    net.addInput("v", DataType::kFloat32, Dims{2, 4, 6});
    net.addInput("mask", DataType::kFloat32, Dims{1, 4, 4});
    net.addConstant("root", scalar(std::sqrt(8.0)));
    std::string t = net.add("Transpose", {"k"}, ints("perm", {0, 2, 1}), "kt");
    t = net.add("MatMul", {"q", t}, {}, "qk");
    t = net.add("Div", {t, "root"}, {}, "scale");
    t = net.add("Add", {"mask", t}, {}, "add_mask");
    t = net.add("Softmax", {t}, {}, "softmax");
    net.markOutput(net.add("MatMul", {t, "v"}, {}, "pv"));
    expectRewrite(net, pass, {{"kiln:Attention", {"kt", "qk", "scale", "add_mask", "softmax", "pv"}}});

    // K given already transposed, no scale, no mask.
    Network kt;
    kt.addInput("q", DataType::kFloat32, Dims{3, 8});
    kt.addInput("k", DataType::kFloat32, Dims{8, 5});
    kt.addInput("v", DataType::kFloat32, Dims{5, 2});
    t = kt.add("MatMul", {"q", "k"}, {}, "qk");
    t = kt.add("Softmax", {t}, {}, "softmax");
    kt.markOutput(kt.add("MatMul", {t, "v"}, {}, "pv"));
    expectRewrite(kt, pass, {{"kiln:Attention", {"qk", "softmax", "pv"}}});

    net.markOutput("softmax");  // the probabilities are read outside
    expectUnchanged(net, pass);
  }

  void attentionLayouts() {
    // BERT's heads: Q, K and V stored [B, L, H, D], transposed to [B, H, L, D]
    // (K to [B, H, D, L]), and the result transposed back before its reshape.
    passes::RecogniseAttention recognise;
    passes::AttentionLayouts pass;
    const auto heads = [&](bool qtIsOutput) {
      Network net;
      for (const char* n : {"q", "k", "v"}) net.addInput(n, DataType::kFloat32, Dims{2, 5, 3, 8});
      net.addConstant("scale", scalar(0.35));
      const std::string qt = net.add("Transpose", {"q"}, ints("perm", {0, 2, 1, 3}), "qt");
      const std::string kt = net.add("Transpose", {"k"}, ints("perm", {0, 2, 3, 1}), "kt");
      const std::string vt = net.add("Transpose", {"v"}, ints("perm", {0, 2, 1, 3}), "vt");
      std::string t = net.add("MatMul", {qt, kt}, {}, "qk");
      t = net.add("Mul", {t, "scale"}, {}, "scaled");
      t = net.add("Softmax", {t}, {}, "softmax");
      t = net.add("MatMul", {t, vt}, {}, "pv");
      net.markOutput(net.add("Transpose", {t}, ints("perm", {0, 2, 1, 3}), "yt"));
      if (qtIsOutput) net.markOutput(qt);
      inferShapes(net);
      if (recognise.run(net).empty()) QTest::qFail("no attention recognised", __FILE__, __LINE__);
      return net;
    };
    const auto changes =
        expectRewrite(heads(false), pass, {{"kiln:Attention", {"qt", "kt", "vt", "qk", "scaled", "softmax", "pv", "yt"}}});
    QCOMPARE(changes.size(), size_t(1));
    // Q's transpose is a graph output too: it stays, and Q is read as it is.
    expectRewrite(heads(true), pass,
                  {{"Transpose", {"qt"}}, {"kiln:Attention", {"kt", "vt", "qk", "scaled", "softmax", "pv", "yt"}}});
  }

  void simplifyShuffles() {
    passes::SimplifyShuffles pass;
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 3, 4});
    std::string t = net.add("Relu", {"x"}, {}, "relu");
    t = net.add("Transpose", {t}, ints("perm", {0, 2, 1}), "t1");
    net.addLayer("Transpose", {t}, {"y"}, ints("perm", {0, 2, 1}), "t2");
    net.markOutput("y");
    const auto changes = expectRewrite(net, pass, {{"Relu", {"relu"}}});
    QCOMPARE(changes.size(), size_t(1));
    QCOMPARE(changes[0].description, std::string("removed Transpose 't1' + Transpose 't2', which cancel out"));

    Network compose;
    compose.addInput("x", DataType::kFloat32, Dims{2, 3, 4});
    t = compose.add("Transpose", {"x"}, ints("perm", {0, 2, 1}), "t1");
    compose.markOutput(compose.add("Transpose", {t}, ints("perm", {1, 0, 2}), "t2"));
    expectRewrite(compose, pass, {{"Transpose", {"t1", "t2"}}});

    Network chain;
    chain.addInput("x", DataType::kFloat32, Dims{1, 3, 4});
    chain.addConstant("axes", HostTensor::fromInt64s({0}));
    chain.addConstant("shape", HostTensor::fromInt64s({4, 3}));
    t = chain.add("Squeeze", {"x", "axes"}, {}, "squeeze");
    t = chain.add("Unsqueeze", {t, "axes"}, {}, "unsqueeze");
    t = chain.add("Flatten", {t}, {}, "flatten");
    chain.markOutput(chain.add("Reshape", {t, "shape"}, {}, "reshape"));
    expectRewrite(chain, pass, {{"Reshape", {"squeeze", "unsqueeze", "flatten", "reshape"}}});

    net.markOutput("t1");  // the first transpose is read outside
    expectUnchanged(net, pass);
  }

  void fuseConvAct() {
    passes::FuseConvAct pass;
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{1, 2, 5, 5});
    net.addInput("skip", DataType::kFloat32, Dims{1, 3, 5, 5});
    net.addConstant("w", ramp({3, 2, 3, 3}, -0.5, 0.5));
    net.addConstant("b", constant({3, 1, 1}, {0.1, -0.2, 0.3}));
    net.addConstant("six", scalar(6));
    net.addConstant("zero", scalar(0));
    std::string t = net.add("Conv", {"x", "w"}, ints("pads", {1, 1, 1, 1}), "conv");
    t = net.add("Add", {t, "b"}, {}, "bias");
    t = net.add("Add", {"skip", t}, {}, "residual");
    net.markOutput(net.add("Clip", {t, "zero", "six"}, {}, "relu6"));
    expectRewrite(net, pass, {{"kiln:ConvAct", {"conv", "bias", "residual", "relu6"}}});

    Network mm;
    mm.addInput("a", DataType::kFloat32, Dims{2, 3, 4});
    mm.addConstant("w", ramp({4, 5}, -1, 1));
    mm.addConstant("c", ramp({5}, -1, 1));
    t = mm.add("MatMul", {"a", "w"}, {}, "matmul");
    t = mm.add("Add", {t, "c"}, {}, "bias");
    mm.markOutput(mm.add("Gelu", {t}, {}, "gelu"));
    mm.opsets[""] = 20;
    expectRewrite(mm, pass, {{"kiln:GemmAct", {"matmul", "bias", "gelu"}}});

    Network res;  // a transformer's projection: bias, then the residual Add, then the norm's input
    res.addInput("a", DataType::kFloat32, Dims{2, 3, 4});
    res.addInput("skip", DataType::kFloat32, Dims{2, 3, 5});
    res.addConstant("w", ramp({4, 5}, -1, 1));
    res.addConstant("c", ramp({5}, -1, 1));
    t = res.add("MatMul", {"a", "w"}, {}, "matmul");
    t = res.add("Add", {t, "c"}, {}, "bias");
    res.markOutput(res.add("Add", {"skip", t}, {}, "residual"));
    expectRewrite(res, pass, {{"kiln:GemmAct", {"matmul", "bias", "residual"}}});

    Network gemm;
    gemm.addInput("a", DataType::kFloat32, Dims{2, 4});
    gemm.addConstant("w", ramp({5, 4}, -1, 1));
    gemm.addConstant("c", ramp({5}, -1, 1));
    t = gemm.add("Gemm", {"a", "w", "c"}, {{"transB", Attribute::ofInt(1)}}, "gemm");
    gemm.markOutput(gemm.add("LeakyRelu", {t}, {{"alpha", Attribute::ofFloat(0.2f)}}, "leaky"));
    expectRewrite(gemm, pass, {{"kiln:GemmAct", {"gemm", "leaky"}}});

    Network none;
    none.addInput("x", DataType::kFloat32, Dims{1, 2, 5, 5});
    none.addConstant("w", ramp({3, 2, 3, 3}, -0.5, 0.5));
    t = none.add("Conv", {"x", "w"}, {}, "conv");
    none.markOutput(none.add("Relu", {t}, {}, "relu"));
    none.markOutput(t);  // the conv output is a graph output too
    expectUnchanged(none, pass);
  }

  void channelsLast() {
    // conv -> fused conv with the first conv's output as residual -> grouped
    // conv -> pool -> mean of the plane: all NHWC, with one Transpose in front
    // and one back at the end (and one for the mean that does not keep its
    // dims), the weights stored [M, R, S, C/g].
    passes::ChannelsLast pass;
    passes::EliminateDeadLayers dead;
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 3, 6, 5});
    net.addConstant("w1", ramp({4, 3, 3, 3}, -0.5, 0.5));
    net.addConstant("b1", ramp({4}, -0.1, 0.1));
    net.addConstant("w2", ramp({4, 4, 1, 1}, -0.5, 0.5));
    net.addConstant("w3", ramp({4, 2, 3, 3}, -0.5, 0.5));
    const std::string a = net.add("Conv", {"x", "w1", "b1"}, ints("pads", {1, 1, 1, 1}), "conv1");
    Attributes act = {{"activation", Attribute::ofString("Relu")}};
    const std::string b = net.add("ConvAct", {a, "w2", "b1", a}, act, "conv2");
    net.layers().back().domain = passes::kKilnDomain;
    Attributes grouped = ints("strides", {2, 2});
    grouped["group"] = Attribute::ofInt(2);
    const std::string c = net.add("Conv", {b, "w3"}, grouped, "conv3");
    const std::string p = net.add("MaxPool", {c}, ints("kernel_shape", {2, 2}), "pool");
    net.addConstant("axes", HostTensor::fromInt64s({2, 3}));
    net.markOutput(net.add("ReduceMean", {p, "axes"}, {}, "mean"));
    net.markOutput(net.add("ReduceMean", {c, "axes"}, {{"keepdims", Attribute::ofInt(0)}}, "flat_mean"));
    net.opsets[""] = 18;
    net.opsets[passes::kKilnDomain] = 1;
    inferShapes(net);
    Network before = net;
    QCOMPARE(pass.run(net).size(), size_t(5));
    dead.run(net);
    inferShapes(net);
    QCOMPARE(toText(summary(net)),
             toText({{"Transpose", {"conv1"}}, {"kiln:ConvAct", {"conv1"}}, {"kiln:ConvAct", {"conv2"}},
                     {"kiln:ConvAct", {"conv3"}}, {"Transpose", {"conv3"}}, {"kiln:MaxPool", {"pool"}},
                     {"kiln:AveragePool", {"mean"}}, {"Transpose", {"mean"}}, {"ReduceMean", {"flat_mean"}}}));
    QCOMPARE(net.tensor(net.layers()[3].inputs[1]).data->shape(), (std::vector<int64_t>{4, 3, 3, 2}));
    QCOMPARE(net.tensor(net.layers()[3].outputs[0]).dims.str(), Dims({2, 2, 2, 4}).str());
    expectSameOutputs(before, net);
    expectUnchanged(net, pass);  // already channels-last

    Network uneven;  // a pool with padding cuDNN's NHWC pooling cannot take stays NCHW
    uneven.addInput("x", DataType::kFloat32, Dims{1, 2, 4, 4});
    uneven.addConstant("w", ramp({3, 2, 1, 1}, -0.5, 0.5));
    const std::string u = uneven.add("Conv", {"x", "w"}, {}, "conv");
    Attributes pool = ints("kernel_shape", {2, 2});
    pool["pads"] = Attribute::ofInts({0, 0, 1, 1});
    uneven.markOutput(uneven.add("MaxPool", {u}, pool, "pool"));
    inferShapes(uneven);
    pass.run(uneven);
    QCOMPARE(uneven.layers().back().op, std::string("MaxPool"));
    QVERIFY(uneven.layers().back().domain.empty());

    Network dynamic;  // weights that are not constant stay NCHW
    dynamic.addInput("x", DataType::kFloat32, Dims{1, 2, 4, 4});
    dynamic.addInput("w", DataType::kFloat32, Dims{3, 2, 1, 1});
    dynamic.markOutput(dynamic.add("Conv", {"x", "w"}, {}, "conv"));
    expectUnchanged(dynamic, pass);
  }

  void fusePointwise() {
    passes::FusePointwise pass;
    Network net;
    net.addInput("x", DataType::kFloat32, Dims{2, 4});
    net.addInput("y", DataType::kFloat32, Dims{4});
    net.addConstant("c", scalar(1.5));
    std::string t = net.add("Add", {"x", "y"}, {}, "add");
    t = net.add("Mul", {"c", t}, {}, "mul");
    t = net.add("Sigmoid", {t}, {}, "sigmoid");
    t = net.add("Sub", {"y", t}, {}, "sub");
    net.markOutput(net.add("Mul", {t, "x"}, {}, "gate"));
    inferShapes(net);
    Network fused = net;
    expectRewrite(net, pass, {{"kiln:Pointwise", {"add", "mul", "sigmoid", "sub", "gate"}}});
    pass.run(fused);
    const Layer& l = fused.layers()[0];
    QCOMPARE(l.inputs, (std::vector<std::string>{"x", "y", "c"}));
    QCOMPARE(l.attrs.at("steps").strings,
             (std::vector<std::string>{"Add 1", "Mul 2", "Sigmoid", "Sub 1 left", "Mul 0"}));

    Network none;
    none.addInput("x", DataType::kFloat32, Dims{4});
    t = none.add("Relu", {"x"}, {}, "relu");
    none.markOutput(none.add("Neg", {t}, {}, "neg"));
    none.markOutput(none.add("Exp", {t}, {}, "exp"));  // the Relu output has two readers
    expectUnchanged(none, pass);
  }

  void pipelineFusesShowcase() {
    const Network original = test::fusionShowcaseNetwork();
    QCOMPARE(original.layers().size(), size_t(28));
    Network net = original;
    const auto records = passes::runPipeline(net);
    std::vector<std::string> changed;
    for (const auto& r : records) {
      if (!r.changes.empty()) changed.push_back(r.name);
      QVERIFY(r.ms >= 0);
    }
    QCOMPARE(changed, (std::vector<std::string>{"fold-batchnorm", "recognise-layernorm", "recognise-gelu",
                                                "recognise-hardswish", "recognise-softmax", "recognise-attention",
                                                "fuse-conv-act", "fuse-pointwise"}));
    std::vector<LayerSummary> expected;
    for (const auto& [op, origin] : test::fusionShowcaseFusedLayers()) expected.push_back({op, origin});
    QCOMPARE(toText(summary(net)), toText(expected));
    QCOMPARE(net.opsetOf("kiln"), int64_t(1));
    expectSameOutputs(original, net);
  }

  void pipelineWithoutFusionOnlyCleansUp() {
    Network net = test::fusionShowcaseNetwork();
    const auto records = passes::runPipeline(net, passes::PipelineOptions{false});
    QCOMPARE(records.size(), size_t(3));
    QCOMPARE(records[0].name, std::string("fold-constants"));
    QCOMPARE(net.layers().size(), size_t(28));
  }

  void pipelineCancels() {
    Network net = test::fusionShowcaseNetwork();
    std::atomic<bool> cancel{true};
    try {
      passes::runPipeline(net, {}, nullptr, &cancel);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::kCancelled);
    }
  }

  void fusedOpsAcceptHalfPrecision() {
    // The fused showcase in f16 stays close to the f32 result.
    Network net = test::fusionShowcaseNetwork();
    passes::runPipeline(net);
    const TensorMap in32 = makeRandomInputs(net, {}, 3);
    const HostTensor want = ReferenceExecutor(net).run(in32).at("y");
    Network half;
    half.opsets = net.opsets;
    for (const auto& name : net.inputs()) half.addInput(name, DataType::kFloat16, net.tensor(name).dims);
    for (const auto& l : net.layers()) {
      for (const auto& in : l.inputs) {
        const Tensor* t = net.findTensor(in);
        if (t && t->data && !half.findTensor(in)) {
          half.addConstant(in, t->data->type() == DataType::kFloat32 ? t->data->castTo(DataType::kFloat16) : *t->data);
        }
      }
      Layer& copy = half.addLayer(l.op, l.inputs, l.outputs, l.attrs, l.name);
      copy.domain = l.domain;
    }
    half.markOutput("y");
    TensorMap in16;
    for (const auto& [name, t] : in32) in16[name] = t.castTo(DataType::kFloat16);
    const HostTensor got = ReferenceExecutor(half).run(in16).at("y");
    QCOMPARE(got.type(), DataType::kFloat16);
    for (int64_t i = 0; i < want.numel(); ++i) {
      QVERIFY2(std::fabs(got.getAsDouble(i) - want.getAsDouble(i)) <= 2e-2 * std::fabs(want.getAsDouble(i)) + 2e-2,
               qPrintable(QString::number(i)));
    }
  }
};

QTEST_GUILESS_MAIN(TestPasses)
#include "test_passes.moc"
