// The CPU backend's tactics, table-driven: every tactic the backend offers
// for a case is compared with the reference operators on fresh seeded random
// inputs; unsupported cases must give a reason. Fused layers (kiln:ConvAct,
// kiln:GemmAct) are checked against a chain of plain reference operators.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <set>

#include "backend/backend.h"
#include "backend/cpu/conv_problem.h"
#include "cpu/gemm_blocked.h"
#include "kiln/errors.h"
#include "ops/evaluate.h"

using namespace kiln;
using backend::LayerInfo;
using backend::Tactic;

namespace {

using Shape = std::vector<int64_t>;
using OptShape = std::optional<Shape>;  // nullopt: an omitted input

// One row of the table.
struct Case {
  std::string label;
  Layer layer;
  std::vector<OptShape> inputs;
  Shape outShape;                      // worked out by hand
  std::set<std::string> refusedBy;     // tactics that must give a reason
  int64_t opset = 17;
};

Attribute ints(std::vector<int64_t> v) { return Attribute::ofInts(std::move(v)); }

Layer makeLayer(std::string op, std::string domain, const std::vector<OptShape>& inputs, Attributes attrs) {
  Layer l;
  l.name = op + "_under_test";
  l.op = std::move(op);
  l.domain = std::move(domain);
  l.attrs = std::move(attrs);
  for (size_t i = 0; i < inputs.size(); ++i) l.inputs.push_back(inputs[i] ? "in" + std::to_string(i) : "");
  l.outputs = {"y"};
  return l;
}

Case plain(std::string label, std::string op, std::vector<OptShape> inputs, Attributes attrs, Shape out,
           std::set<std::string> refusedBy = {}) {
  Layer l = makeLayer(op, "", inputs, std::move(attrs));
  return {std::move(label), std::move(l), std::move(inputs), std::move(out), std::move(refusedBy)};
}

Case fused(std::string label, std::string op, std::vector<OptShape> inputs, Attributes attrs, Shape out,
           std::set<std::string> refusedBy = {}) {
  Layer l = makeLayer(op, "kiln", inputs, std::move(attrs));
  return {std::move(label), std::move(l), std::move(inputs), std::move(out), std::move(refusedBy)};
}

// The activation attributes of a fused layer, with parameters that matter
// on inputs in [-1, 1).
Attributes withActivation(Attributes attrs, const std::string& act) {
  attrs["activation"] = Attribute::ofString(act);
  if (act == "LeakyRelu") attrs["act_alpha"] = Attribute::ofFloat(0.2f);
  if (act == "Clip") {
    attrs["act_alpha"] = Attribute::ofFloat(-0.3f);
    attrs["act_beta"] = Attribute::ofFloat(0.4f);
  }
  return attrs;
}

const std::vector<std::string> kActivations = {"",     "Relu",      "Clip", "Sigmoid", "Tanh",
                                               "LeakyRelu", "HardSwish", "Gelu", "GeluTanh"};
const std::string kIm2col = "cpu.conv.im2col-gemm";

std::vector<Case> convCases() {
  return {
      plain("conv 1x1x1x1", "Conv", {Shape{1, 1, 1, 1}, Shape{1, 1, 1, 1}}, {}, {1, 1, 1, 1}),
      plain("conv 3x7x7 pad 1 bias", "Conv", {Shape{1, 3, 7, 7}, Shape{17, 3, 3, 3}, Shape{17}},
            {{"pads", ints({1, 1, 1, 1})}}, {1, 17, 7, 7}),
      plain("conv batch 3 groups 2 stride 2 asymmetric pads", "Conv",
            {Shape{3, 4, 17, 17}, Shape{6, 2, 3, 3}, Shape{6}},
            {{"group", Attribute::ofInt(2)}, {"strides", ints({2, 2})}, {"pads", ints({0, 1, 2, 0})}},
            {3, 6, 9, 8}),  // (17+2-3)/2+1 = 9, (17+1-3)/2+1 = 8
      plain("conv depthwise 33 dilation 2", "Conv", {Shape{1, 33, 9, 7}, Shape{33, 1, 3, 3}, Shape{33}},
            {{"group", Attribute::ofInt(33)}, {"dilations", ints({2, 2})}, {"pads", ints({2, 2, 2, 2})}},
            {1, 33, 9, 7}),
      plain("conv pointwise 65 channels", "Conv", {Shape{1, 65, 8, 9}, Shape{7, 65, 1, 1}}, {}, {1, 7, 8, 9}),
      plain("conv 3x5 kernel dilation 2 stride 2", "Conv", {Shape{3, 3, 17, 33}, Shape{5, 3, 3, 5}, Shape{5}},
            {{"strides", ints({2, 2})}, {"dilations", ints({2, 2})}, {"pads", ints({1, 2, 0, 3})}},
            {3, 5, 7, 15}),  // (17+1-5)/2+1 = 7, (33+5-9)/2+1 = 15
      plain("conv same_upper stride 2", "Conv", {Shape{1, 7, 17, 16}, Shape{3, 7, 4, 3}},
            {{"auto_pad", Attribute::ofString("SAME_UPPER")}, {"strides", ints({2, 2})}}, {1, 3, 9, 8}),
      plain("conv K over a block: 65 channels 3x3", "Conv", {Shape{1, 65, 17, 17}, Shape{33, 65, 3, 3}, Shape{33}},
            {{"pads", ints({1, 1, 1, 1})}}, {1, 33, 17, 17}),
      plain("conv rows over a block: 65x65 image", "Conv", {Shape{1, 3, 65, 65}, Shape{17, 3, 3, 3}}, {},
            {1, 17, 63, 63}),
      plain("conv 1-D stride 2 dilation 2", "Conv", {Shape{3, 5, 33}, Shape{7, 5, 3}, Shape{7}},
            {{"strides", ints({2})}, {"dilations", ints({2})}, {"pads", ints({1, 2})}}, {3, 7, 16},
            {kIm2col}),  // (33+3-5)/2+1 = 16
      plain("conv 3-D", "Conv", {Shape{1, 3, 5, 6, 7}, Shape{4, 3, 3, 3, 3}}, {}, {1, 4, 3, 4, 5}, {kIm2col}),
  };
}

std::vector<Case> convActCases() {
  std::vector<Case> cases;
  const Attributes geometry = {{"group", Attribute::ofInt(2)}, {"strides", ints({2, 1})}, {"pads", ints({1, 0, 0, 2})}};
  for (const std::string& act : kActivations) {
    // (7+1-3)/2+1 = 3, (17+2-3)/1+1 = 17
    cases.push_back(fused("conv-act " + (act.empty() ? "none" : act) + " bias residual", "ConvAct",
                          {Shape{3, 4, 7, 17}, Shape{6, 2, 3, 3}, Shape{6}, Shape{3, 6, 3, 17}},
                          withActivation(geometry, act), {3, 6, 3, 17}));
  }
  cases.push_back(fused("conv-act relu no bias residual only", "ConvAct",
                        {Shape{1, 3, 7, 7}, Shape{5, 3, 3, 3}, std::nullopt, Shape{1, 5, 5, 5}},
                        withActivation({}, "Relu"), {1, 5, 5, 5}));
  cases.push_back(fused("conv-act depthwise hardswish", "ConvAct",
                        {Shape{1, 17, 9, 9}, Shape{17, 1, 3, 3}, Shape{17}},
                        withActivation({{"group", Attribute::ofInt(17)}, {"dilations", ints({2, 2})}}, "HardSwish"),
                        {1, 17, 5, 5}));
  cases.push_back(fused("conv-act 1-D leaky", "ConvAct", {Shape{3, 5, 33}, Shape{7, 5, 3}, Shape{7}, Shape{3, 7, 31}},
                        withActivation({}, "LeakyRelu"), {3, 7, 31}, {kIm2col}));
  return cases;
}

std::vector<Case> gemmCases() {
  return {
      plain("matmul 1-D x 1-D", "MatMul", {Shape{1}, Shape{1}}, {}, {}),
      plain("matmul 1-D x matrix", "MatMul", {Shape{7}, Shape{7, 3}}, {}, {3}),
      plain("matmul matrix x 1-D", "MatMul", {Shape{5, 7}, Shape{7}}, {}, {5}),
      plain("matmul 1-D x batched", "MatMul", {Shape{17}, Shape{3, 17, 5}}, {}, {3, 5}),
      plain("matmul batch broadcast", "MatMul", {Shape{3, 1, 5, 17}, Shape{4, 17, 33}}, {}, {3, 4, 5, 33}),
      plain("matmul batched x matrix", "MatMul", {Shape{2, 65, 33}, Shape{33, 65}}, {}, {2, 65, 65}),
      plain("matmul around the blocks", "MatMul", {Shape{65, 257}, Shape{257, 513}}, {}, {65, 513}),
      plain("matmul empty K", "MatMul", {Shape{3, 0}, Shape{0, 4}}, {}, {3, 4}),
      plain("gemm bias row", "Gemm", {Shape{7, 17}, Shape{17, 3}, Shape{3}}, {}, {7, 3}),
      plain("gemm transA column bias alpha beta", "Gemm", {Shape{17, 7}, Shape{17, 3}, Shape{7, 1}},
            {{"transA", Attribute::ofInt(1)}, {"alpha", Attribute::ofFloat(0.5f)}, {"beta", Attribute::ofFloat(2.f)}},
            {7, 3}),
      plain("gemm transB full bias", "Gemm", {Shape{33, 65}, Shape{17, 65}, Shape{33, 17}},
            {{"transB", Attribute::ofInt(1)}, {"alpha", Attribute::ofFloat(-1.5f)}, {"beta", Attribute::ofFloat(0.25f)}},
            {33, 17}),
      plain("gemm both transposed no bias", "Gemm", {Shape{5, 3}, Shape{7, 5}},
            {{"transA", Attribute::ofInt(1)}, {"transB", Attribute::ofInt(1)}, {"alpha", Attribute::ofFloat(2.f)}},
            {3, 7}),
      plain("gemm scalar bias", "Gemm", {Shape{3, 5}, Shape{5, 7}, Shape{}}, {}, {3, 7}),
      plain("gemm transB around the blocks", "Gemm", {Shape{65, 257}, Shape{513, 257}, Shape{513}},
            {{"transB", Attribute::ofInt(1)}}, {65, 513}),
  };
}

std::vector<Case> gemmActCases() {
  std::vector<Case> cases;
  for (const std::string& act : kActivations) {
    const std::string name = act.empty() ? "none" : act;
    cases.push_back(fused("gemm-act matmul " + name, "GemmAct", {Shape{3, 1, 5, 17}, Shape{4, 17, 33}, Shape{33}},
                          withActivation({{"matmul", Attribute::ofInt(1)}}, act), {3, 4, 5, 33}));
    cases.push_back(fused("gemm-act gemm " + name, "GemmAct", {Shape{7, 65}, Shape{17, 65}, Shape{7, 17}},
                          withActivation({{"transB", Attribute::ofInt(1)}, {"alpha", Attribute::ofFloat(0.5f)},
                                          {"beta", Attribute::ofFloat(-1.f)}},
                                         act),
                          {7, 17}));
  }
  cases.push_back(fused("gemm-act matmul 1-D no bias", "GemmAct", {Shape{17}, Shape{17, 3}},
                        withActivation({{"matmul", Attribute::ofInt(1)}}, "Tanh"), {3}));
  cases.push_back(fused("gemm-act matmul bias residual", "GemmAct",
                        {Shape{3, 5, 17}, Shape{17, 33}, Shape{33}, Shape{3, 5, 33}},
                        withActivation({{"matmul", Attribute::ofInt(1)}}, "Relu"), {3, 5, 33}));
  cases.push_back(fused("gemm-act matmul residual only", "GemmAct",
                        {Shape{3, 5, 17}, Shape{17, 33}, std::nullopt, Shape{3, 5, 33}},
                        withActivation({{"matmul", Attribute::ofInt(1)}}, ""), {3, 5, 33}));
  return cases;
}

std::vector<Case> allCases() {
  std::vector<Case> all;
  for (auto* make : {convCases, convActCases, gemmCases, gemmActCases}) {
    for (Case& c : make()) all.push_back(std::move(c));
  }
  return all;
}

// ---- the reference --------------------------------------------------------------

HostTensor evalOp(const std::string& op, Attributes attrs, const std::vector<const HostTensor*>& in) {
  std::vector<OptShape> shapes;
  for (const HostTensor* t : in) shapes.push_back(t ? OptShape(t->shape()) : std::nullopt);
  const Layer l = makeLayer(op, "", shapes, std::move(attrs));
  const ops::OpSchema* schema = ops::OpRegistry::instance().find(op);
  if (!schema) throw Error(ErrorCode::kUnsupportedOp, "no reference for " + op);
  return ops::evaluateLayer(*schema, l, 21, in)[0];
}

HostTensor scalar(float v) {
  HostTensor t(DataType::kFloat32, {});
  t.setFromDouble(0, v);
  return t;
}

// The plain operator of a fused activation.
HostTensor activationRef(const HostTensor& x, const Attributes& fusedAttrs) {
  const std::string act = fusedAttrs.at("activation").s;
  if (act.empty()) return x;
  if (act == "Clip") {
    const HostTensor lo = scalar(fusedAttrs.at("act_alpha").f), hi = scalar(fusedAttrs.at("act_beta").f);
    return evalOp("Clip", {}, {&x, &lo, &hi});
  }
  if (act == "LeakyRelu") return evalOp("LeakyRelu", {{"alpha", fusedAttrs.at("act_alpha")}}, {&x});
  if (act == "GeluTanh") return evalOp("Gelu", {{"approximate", Attribute::ofString("tanh")}}, {&x});
  return evalOp(act, {}, {&x});
}

Attributes without(Attributes attrs, std::initializer_list<const char*> names) {
  for (const char* n : names) attrs.erase(n);
  return attrs;
}

HostTensor reference(const Case& c, const std::vector<const HostTensor*>& in) {
  const Layer& l = c.layer;
  if (const ops::OpSchema* schema = ops::OpRegistry::instance().find(l.op, l.domain)) {
    return ops::evaluateLayer(*schema, l, c.opset, in)[0];
  }
  const auto inputAt = [&](size_t i) { return i < in.size() ? in[i] : nullptr; };
  const Attributes base = without(l.attrs, {"activation", "act_alpha", "act_beta", "matmul"});
  HostTensor y;
  if (l.op == "ConvAct") {
    y = evalOp("Conv", base, {in[0], in[1], inputAt(2)});
    if (inputAt(3)) y = evalOp("Add", {}, {&y, in[3]});
  } else if (l.attrs.count("matmul") && l.attrs.at("matmul").i != 0) {
    y = evalOp("MatMul", {}, {in[0], in[1]});
    if (inputAt(2)) y = evalOp("Add", {}, {&y, in[2]});
    if (inputAt(3)) y = evalOp("Add", {}, {&y, in[3]});
  } else {
    y = evalOp("Gemm", base, {in[0], in[1], inputAt(2)});
  }
  return activationRef(y, l.attrs);
}

// Summed products per output element, which the tolerance scales with.
int64_t termsPerOutput(const Case& c) {
  const Shape& a = *c.inputs[0];
  const Shape& b = *c.inputs[1];
  if (c.layer.op == "Conv" || c.layer.op == "ConvAct") return numelOf(b) / std::max<int64_t>(1, b[0]);
  if (c.layer.op == "Gemm" || (c.layer.op == "GemmAct" && !c.layer.attrs.count("matmul"))) {
    const auto it = c.layer.attrs.find("transA");
    return a[it != c.layer.attrs.end() && it->second.i ? 0 : 1];
  }
  return a.back();
}

// ---- comparison -----------------------------------------------------------------

// Empty when every element is within atol * K + rtol * |ref| and neither
// side is NaN; else the first element that is not.
QString compare(const HostTensor& got, const HostTensor& ref, int64_t k) {
  constexpr double kAtol = 2e-6, kRtol = 1e-5;
  if (got.shape() != ref.shape()) {
    return QString("shape %1, expected %2").arg(shapeString(got.shape()).c_str(), shapeString(ref.shape()).c_str());
  }
  const double atol = kAtol * double(std::max<int64_t>(k, 1));
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double g = got.getAsDouble(i), r = ref.getAsDouble(i);
    if (std::isnan(g) || std::isnan(r) || std::fabs(g - r) > atol + kRtol * std::fabs(r)) {
      return QString("element %1: got %2, expected %3").arg(i).arg(g, 0, 'g', 9).arg(r, 0, 'g', 9);
    }
  }
  return {};
}

HostTensor randomTensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  HostTensor t(DataType::kFloat32, shape);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  return t;
}

// A LayerInfo for a case; `tensors` keeps the Tensor objects it points at.
LayerInfo infoFor(const Case& c, std::vector<Tensor>& tensors, DataType type = DataType::kFloat32,
                  Precision precision = Precision::kFP32) {
  LayerInfo info;
  info.layer = &c.layer;
  info.opset = c.opset;
  info.precision = precision;
  tensors.clear();
  tensors.reserve(c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    tensors.push_back(Tensor{c.layer.inputs[i], type, c.inputs[i] ? Dims::of(*c.inputs[i]) : Dims{}, nullptr});
    info.inputs.push_back(c.inputs[i] ? &tensors.back() : nullptr);
    info.inputShapes.push_back(c.inputs[i].value_or(Shape{}));
  }
  info.outputShapes = {c.outShape};
  return info;
}

const Case* findCase(const std::vector<Case>& cases, const std::string& label) {
  for (const Case& c : cases) {
    if (c.label == label) return &c;
  }
  return nullptr;
}

std::vector<std::string> names(const std::vector<const Tactic*>& tactics) {
  std::vector<std::string> out;
  for (const Tactic* t : tactics) out.push_back(t->name());
  return out;
}

// The straightforward float GEMM that gemmBlocked must match bit for bit:
// each sum in k order, then alpha * s + beta * c.
void sequentialFloatGemm(const kernels::cpu::GemmParams& p, const float* a, const float* b, float* c) {
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j) {
      float s = 0.f;
      for (int64_t q = 0; q < p.k; ++q) {
        const float av = p.transA ? a[q * p.lda + i] : a[i * p.lda + q];
        const float bv = p.transB ? b[j * p.ldb + q] : b[q * p.ldb + j];
        s += av * bv;
      }
      float& out = c[i * p.ldc + j];
      out = p.beta == 0.0 ? float(p.alpha) * s : float(p.alpha) * s + float(p.beta) * out;
    }
  }
}

}  // namespace

class TestCpuTactics : public QObject {
  Q_OBJECT
 private slots:
  void tacticsMatchTheReference_data() {
    QTest::addColumn<int>("index");
    const auto cases = allCases();
    for (size_t i = 0; i < cases.size(); ++i) QTest::newRow(cases[i].label.c_str()) << int(i);
  }
  void tacticsMatchTheReference() {
    QFETCH(int, index);
    const std::vector<Case> cases = allCases();
    const Case& c = cases[size_t(index)];
    std::mt19937 rng(1000u + unsigned(index));
    std::vector<HostTensor> owned;
    owned.reserve(c.inputs.size());
    std::vector<const HostTensor*> in;
    for (const OptShape& s : c.inputs) {
      if (s) owned.push_back(randomTensor(*s, rng));
      in.push_back(s ? &owned.back() : nullptr);
    }
    const HostTensor expected = reference(c, in);
    QCOMPARE(expected.shape(), c.outShape);

    std::set<std::string> refusedBy = c.refusedBy;
    if (!ops::OpRegistry::instance().find(c.layer.op, c.layer.domain)) refusedBy.insert("cpu.ref");
    std::vector<Tensor> tensors;
    const LayerInfo info = infoFor(c, tensors);
    const int64_t k = termsPerOutput(c);
    int ran = 0;
    for (const Tactic* t : backend::cpuBackend().tactics(c.layer)) {
      const std::string reason = t->supports(info);
      const bool refused = refusedBy.count(t->name()) > 0;
      QVERIFY2(reason.empty() != refused, (t->name() + ": '" + reason + "'").c_str());
      if (refused) continue;
      // NaN-filled outputs: anything a tactic leaves unwritten fails.
      std::vector<HostTensor> out{HostTensor(DataType::kFloat32, c.outShape)};
      std::fill_n(out[0].data<float>(), out[0].numel(), std::numeric_limits<float>::quiet_NaN());
      t->run(c.layer, c.opset, in, out);
      const QString diff = compare(out[0], expected, k);
      QVERIFY2(diff.isEmpty(), (t->name() + ": " + diff.toStdString()).c_str());
      ++ran;
    }
    QVERIFY(ran >= 1);
  }

  void tacticListsFollowPreference() {
    const auto& be = backend::cpuBackend();
    QVERIFY(be.target() == Target::kCpu);
    const std::vector<Case> cases = allCases();
    const std::vector<std::string> conv = {"cpu.conv.im2col-gemm", "cpu.conv.direct", "cpu.ref"};
    const std::vector<std::string> gemm = {"cpu.gemm.blocked", "cpu.gemm.naive", "cpu.ref"};
    QCOMPARE(names(be.tactics(findCase(cases, "conv 3-D")->layer)), conv);
    QCOMPARE(names(be.tactics(findCase(cases, "conv-act Relu bias residual")->layer)), conv);
    QCOMPARE(names(be.tactics(findCase(cases, "matmul 1-D x 1-D")->layer)), gemm);
    QCOMPARE(names(be.tactics(findCase(cases, "gemm bias row")->layer)), gemm);
    QCOMPARE(names(be.tactics(findCase(cases, "gemm-act gemm Tanh")->layer)), gemm);
    const Layer relu = makeLayer("Relu", "", {Shape{3}}, {});
    QCOMPARE(names(be.tactics(relu)), std::vector<std::string>{"cpu.ref"});
    for (const std::string& n : {"cpu.ref", "cpu.conv.direct", "cpu.conv.im2col-gemm", "cpu.gemm.naive",
                                 "cpu.gemm.blocked"}) {
      QVERIFY(be.findTactic(n));
      QCOMPARE(be.findTactic(n)->name(), n);
    }
    QVERIFY(!be.findTactic("cpu.conv.winograd"));
  }

  void refRunsAnyRegisteredOp() {
    // Softmax on a 3x17 input: every row sums to one.
    const Layer softmax = makeLayer("Softmax", "", {Shape{3, 17}}, {});
    std::mt19937 rng(7);
    const HostTensor x = randomTensor({3, 17}, rng);
    std::vector<HostTensor> out{HostTensor(DataType::kFloat32, {3, 17})};
    const Tactic* ref = backend::cpuBackend().findTactic("cpu.ref");
    ref->run(softmax, 13, {&x}, out);
    const HostTensor expected = ops::evaluateLayer(*ops::OpRegistry::instance().find("Softmax"), softmax, 13, {&x})[0];
    QCOMPARE(out[0].toDoubleVector(), expected.toDoubleVector());
    // Outputs of the wrong shape are refused, not overrun.
    std::vector<HostTensor> wrong{HostTensor(DataType::kFloat32, {3, 16})};
    QVERIFY_THROWS_EXCEPTION(Error, ref->run(softmax, 13, {&x}, wrong));
  }

  void reasonsForUnsupportedLayers() {
    const std::vector<Case> cases = allCases();
    const auto& be = backend::cpuBackend();
    std::vector<Tensor> tensors;
    const Case& conv3d = *findCase(cases, "conv 3-D");
    QCOMPARE(be.findTactic(kIm2col)->supports(infoFor(conv3d, tensors)),
             std::string("im2col-gemm runs 2-D convolutions only, not 3-D"));
    const Case& gemm = *findCase(cases, "gemm bias row");
    for (const char* name : {"cpu.gemm.blocked", "cpu.gemm.naive", "cpu.ref"}) {
      QCOMPARE(be.findTactic(name)->supports(infoFor(gemm, tensors, DataType::kFloat32, Precision::kFP16)),
               std::string("cpu runs fp32 only"));
    }
    QCOMPARE(be.findTactic("cpu.gemm.blocked")->supports(infoFor(gemm, tensors, DataType::kFloat16)),
             std::string("input 0 is f16; this tactic takes f32 only"));
    QCOMPARE(be.findTactic("cpu.gemm.blocked")->supports(infoFor(conv3d, tensors)),
             std::string("not a MatMul, Gemm or kiln:GemmAct layer"));
    // Shapes that do not fit: the reason is the problem reader's message.
    Case bad = gemm;
    bad.inputs[1] = Shape{16, 3};
    QCOMPARE(be.findTactic("cpu.gemm.naive")->supports(infoFor(bad, tensors)),
             std::string("inner dims differ: 17 vs 16"));
    Case unknownAct = *findCase(cases, "conv-act Relu bias residual");
    unknownAct.layer.attrs["activation"] = Attribute::ofString("Swish");
    QCOMPARE(be.findTactic("cpu.conv.direct")->supports(infoFor(unknownAct, tensors)),
             std::string("unknown activation 'Swish'"));
    // A channels-last convolution (made by the GPU's channels-last pass) runs on
    // the reference; its problem reads in NCHW terms with an NHWC output.
    Case nhwc = *findCase(cases, "conv-act Relu bias residual");
    nhwc.layer.attrs["channels_last"] = Attribute::ofInt(1);
    QCOMPARE(be.findTactic("cpu.conv.direct")->supports(infoFor(nhwc, tensors)),
             std::string("channels-last convolutions run on the GPU and the reference"));
    const Shape x = *nhwc.inputs[0], w = *nhwc.inputs[1];
    const Shape xLast = {x[0], x[2], x[3], x[1]}, wLast = {w[0], w[2], w[3], w[1]};
    const Shape yFirst = nhwc.outShape, yLast = {yFirst[0], yFirst[2], yFirst[3], yFirst[1]};
    const backend::cpu::ConvProblem prob =
        backend::cpu::readConvProblem(nhwc.layer, nhwc.opset, {&xLast, &wLast, &*nhwc.inputs[2], &yLast});
    QVERIFY(prob.channelsLast);
    QCOMPARE(prob.outShape, yLast);
    QCOMPARE(prob.params.inChannels, x[1]);
    QCOMPARE(prob.params.inSize, (std::vector<int64_t>{x[2], x[3]}));
    const Layer custom = makeLayer("Frobnicate", "com.example", {Shape{3}}, {});
    LayerInfo info;
    info.layer = &custom;
    info.inputShapes = {Shape{3}};
    QCOMPARE(be.findTactic("cpu.ref")->supports(info),
             std::string("the reference backend does not know com.example:Frobnicate"));
  }

  void im2colWorkspaceIsTheColumnBufferAndGemmScratch() {
    // X 1x2x5x5, W 4x2x3x3: columns 18 x 9 floats = 648 bytes. GEMM 4x9x18:
    // packed A 4x18, packed B 18 x 16 (9 padded to NR = 8), tile 4 x 16:
    // 72 + 288 + 64 floats = 1696 bytes.
    const Case c = plain("ws", "Conv", {Shape{1, 2, 5, 5}, Shape{4, 2, 3, 3}}, {}, {1, 4, 3, 3});
    std::vector<Tensor> tensors;
    const auto& be = backend::cpuBackend();
    QCOMPARE(be.findTactic(kIm2col)->workspaceBytes(infoFor(c, tensors)), int64_t(648 + 1696));
    QCOMPARE(be.findTactic("cpu.conv.direct")->workspaceBytes(infoFor(c, tensors)), int64_t(0));
  }

  void blockedGemmSumsInKOrderAcrossBlockEdges_data() {
    using kernels::cpu::kGemmKC;
    using kernels::cpu::kGemmMC;
    using kernels::cpu::kGemmMR;
    using kernels::cpu::kGemmNC;
    using kernels::cpu::kGemmNR;
    QTest::addColumn<qlonglong>("m");
    QTest::addColumn<qlonglong>("n");
    QTest::addColumn<qlonglong>("k");
    QTest::addColumn<bool>("transA");
    QTest::addColumn<bool>("transB");
    const auto row = [](int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
      const std::string name = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                               (ta ? " tA" : "") + (tb ? " tB" : "");
      QTest::newRow(name.c_str()) << qlonglong(m) << qlonglong(n) << qlonglong(k) << ta << tb;
    };
    for (int64_t k : {int64_t(1), kGemmKC - 1, kGemmKC, kGemmKC + 1, 2 * kGemmKC - 1, 2 * kGemmKC + 1}) {
      row(kGemmMR + 1, kGemmNR + 1, k, false, false);
      row(3, 7, k, true, true);
    }
    for (int64_t m : {kGemmMR - 1, kGemmMR, kGemmMR + 1, kGemmMC - 1, kGemmMC, kGemmMC + 1, 2 * kGemmMC + 1}) {
      row(m, 17, 33, m % 2 == 1, false);
    }
    for (int64_t n : {kGemmNR - 1, kGemmNR, kGemmNR + 1, kGemmNC - 1, kGemmNC, kGemmNC + 1}) {
      row(5, n, 33, false, n % 2 == 1);
    }
    row(kGemmMC + 1, kGemmNC + 1, kGemmKC + 1, false, false);
    row(kGemmMC - 1, kGemmNC - 1, kGemmKC - 1, true, true);
  }
  void blockedGemmSumsInKOrderAcrossBlockEdges() {
    QFETCH(qlonglong, m);
    QFETCH(qlonglong, n);
    QFETCH(qlonglong, k);
    QFETCH(bool, transA);
    QFETCH(bool, transB);
    std::mt19937 rng(unsigned(m * 7919 + n * 31 + k));
    for (const auto& [alpha, beta] : {std::pair{1.0, 0.0}, std::pair{-0.75, 1.5}}) {
      kernels::cpu::GemmParams p;
      p.m = m;
      p.n = n;
      p.k = k;
      p.transA = transA;
      p.transB = transB;
      p.lda = (transA ? m : k) + 2;  // padded rows: the strides are honoured
      p.ldb = (transB ? k : n) + 3;
      p.ldc = n + 1;
      p.alpha = alpha;
      p.beta = beta;
      const HostTensor a = randomTensor({transA ? k : m, p.lda}, rng);
      const HostTensor b = randomTensor({transB ? n : k, p.ldb}, rng);
      const HostTensor c0 = randomTensor({m, p.ldc}, rng);
      HostTensor got = c0, want = c0;
      kernels::cpu::gemmBlocked(p, a.data<float>(), b.data<float>(), got.data<float>());
      sequentialFloatGemm(p, a.data<float>(), b.data<float>(), want.data<float>());
      QVERIFY(std::memcmp(got.raw(), want.raw(), got.bytes()) == 0);  // the padding columns too
      // And within the K-scaled tolerance of the double-accumulating reference.
      HostTensor ref = c0;
      kernels::cpu::gemmReference(p, a.data<float>(), b.data<float>(), ref.data<float>());
      QCOMPARE(compare(got, ref, k), QString());
    }
  }
};

QTEST_GUILESS_MAIN(TestCpuTactics)
#include "test_cpu_tactics.moc"
