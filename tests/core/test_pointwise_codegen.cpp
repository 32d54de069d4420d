// Host-side logic of the CUDA elementwise tactics: the kernel source that
// kiln:Pointwise layers generate (and that NVRTC compiles it, which needs no
// GPU), the generated kernel's argument block, and the broadcast operands.
#include <QtTest>

#include <cstring>
#include <string>
#include <vector>

#include "backend/cuda/nvrtc_pointwise.h"
#include "backend/cuda/operands.h"
#include "kiln/errors.h"

using namespace kiln;
using namespace kiln::backend::cuda;
namespace kc = kiln::kernels::cuda;

namespace {

PointwiseSpec spec(std::vector<std::string> steps, DataType type, size_t inputs) {
  PointwiseSpec s;
  s.steps = std::move(steps);
  s.inputs.assign(inputs, type);
  s.output = type;
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  if (haystack.find(needle) != std::string::npos) return true;
  qWarning("missing snippet: %s", needle.c_str());
  return false;
}

const char* kUnary[] = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish",
                        "Gelu", "GeluTanh", "Elu", "Softplus", "Exp", "Log", "Sqrt", "Abs", "Neg",
                        "Erf", "Reciprocal", "Floor", "Ceil"};
const char* kBinary[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu"};

}  // namespace

class TestPointwiseCodegen : public QObject {
  Q_OBJECT
 private slots:
  void reluThenAdd() {
    const std::string src = pointwiseSource(spec({"Relu", "Add 1"}, DataType::kFloat32, 2));
    QVERIFY(contains(src, "  const void* in[2];\n  KilnIndex index[2];\n"));
    QVERIFY(contains(src, "extern \"C\" __global__ void kiln_pointwise(const KilnArgs a) {\n"));
    QVERIFY(contains(src, "    const float e0 = kiln_load_f32(a.in[0], kiln_offset(a.index[0], i));\n"
                          "    const float e1 = kiln_load_f32(a.in[1], kiln_offset(a.index[1], i));\n"
                          "    float v = e0;\n"
                          "    v = kiln_relu(v);  // Relu\n"
                          "    v = kiln_add(v, e1);  // Add 1\n"
                          "    kiln_store_f32(a.y, i, v);\n"));
    QVERIFY(src.find("#include") == std::string::npos);
  }

  void halfChainWithParametersAndLeftOperands() {
    PointwiseSpec s = spec({"Sub 2 left", "LeakyRelu", "Clip", "Mul 0"}, DataType::kFloat16, 3);
    const std::string plain = pointwiseSource(s);
    QVERIFY(contains(plain, "    v = kiln_sub(e2, v);  // Sub 2 left\n"));
    QVERIFY(contains(plain, "    v = kiln_leaky_relu(v, 0.00999999978f);  // LeakyRelu\n"));
    QVERIFY(contains(plain, "    v = kiln_clip(v, -kiln_inf(), kiln_inf());  // Clip\n"));
    QVERIFY(contains(plain, "    v = kiln_mul(v, e0);  // Mul 0\n"));
    QVERIFY(contains(plain, "kiln_load_f16(a.in[2], kiln_offset(a.index[2], i));\n"));
    QVERIFY(contains(plain, "    kiln_store_f16(a.y, i, v);\n"));
    QVERIFY(plain.find("const float e1") == std::string::npos);  // no step reads input 1
    s.alphas = {0, 0.25f, 0, 0};
    s.betas = {0, 0, 6, 0};
    const std::string given = pointwiseSource(s);
    QVERIFY(contains(given, "    v = kiln_leaky_relu(v, 0.25f);  // LeakyRelu\n"));
    QVERIFY(contains(given, "    v = kiln_clip(v, 0.0f, 6.0f);  // Clip\n"));
  }

  void bfloat16AndMixedTypes() {
    PointwiseSpec s = spec({"HardSigmoid", "Max 1"}, DataType::kBFloat16, 2);
    s.inputs[1] = DataType::kFloat32;
    const std::string src = pointwiseSource(s);
    QVERIFY(contains(src, "    const float e0 = kiln_load_bf16(a.in[0], kiln_offset(a.index[0], i));\n"));
    QVERIFY(contains(src, "    const float e1 = kiln_load_f32(a.in[1], kiln_offset(a.index[1], i));\n"));
    QVERIFY(contains(src, "    v = kiln_hard_sigmoid(v, 0.200000003f, 0.5f);  // HardSigmoid\n"));
    QVERIFY(contains(src, "    kiln_store_bf16(a.y, i, v);\n"));
  }

  void everyOpOfTheGrammarGeneratesAndCompiles() {
    std::vector<std::string> steps;
    for (const char* u : kUnary) steps.push_back(u);
    for (const char* b : kBinary) {
      steps.push_back(std::string(b) + " 1");
      steps.push_back(std::string(b) + " 0 left");
    }
    for (DataType t : {DataType::kFloat32, DataType::kFloat16, DataType::kBFloat16}) {
      const std::string src = pointwiseSource(spec(steps, t, 2));
      for (const std::string& s : steps) QVERIFY(contains(src, "  // " + s + "\n"));
      const std::string cubin = compilePointwise(src, 9, 0);
      QVERIFY(cubin.size() > 4);
      QCOMPARE(cubin.substr(0, 4), std::string("\x7f" "ELF"));
    }
  }

  void badStepsAreRefused() {
    for (const char* bad : {"Foo", "Add", "Add 2", "Add 1 right", "Relu 1", "Add x", "Add 1 left extra", ""}) {
      QVERIFY_THROWS_EXCEPTION(Error, pointwiseSource(spec({bad}, DataType::kFloat32, 2)));
    }
    QVERIFY_THROWS_EXCEPTION(Error, pointwiseSource(spec({"Relu"}, DataType::kFloat64, 1)));
    PointwiseSpec s = spec({"Relu", "Elu"}, DataType::kFloat32, 1);
    s.alphas = {1.0f};
    QVERIFY_THROWS_EXCEPTION(Error, pointwiseSource(s));
  }

  void compileErrorsCarryTheLog() {
    try {
      compilePointwise("this is not CUDA", 9, 0);
      QFAIL("expected a compile error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("nvrtcCompileProgram") != std::string::npos);
    }
  }

  void argumentBlockLayout() {
    const auto ops = broadcastOperands({2, 3}, std::vector<std::vector<int64_t>>{{2, 3}, {3}});
    std::vector<kc::Operand> in = ops;
    int a = 0, b = 0, y = 0;
    in[0].data = &a;
    in[1].data = &b;
    const std::vector<int64_t> args = pointwiseArgs(6, &y, in);
    QCOMPARE(args.size(), size_t(2 + 2 + 2 * 17));
    QCOMPARE(args[0], int64_t(6));
    void* p = nullptr;
    std::memcpy(&p, &args[1], sizeof p);
    QCOMPARE(p, static_cast<void*>(&y));
    std::memcpy(&p, &args[3], sizeof p);
    QCOMPARE(p, static_cast<void*>(&b));
    QCOMPARE(args[4], int64_t(-1));  // input 0 is contiguous
    const int64_t* index1 = &args[4 + 17];
    QCOMPARE(index1[0], int64_t(2));
    QCOMPARE(index1[1], int64_t(2));
    QCOMPARE(index1[2], int64_t(3));
    QCOMPARE(index1[3], int64_t(1));  // unused dims are 1
    QCOMPARE(index1[9], int64_t(0));
    QCOMPARE(index1[10], int64_t(1));
  }

  void broadcastMergesAndDropsDims() {
    using Shapes = std::vector<std::vector<int64_t>>;
    auto ops = broadcastOperands({2, 3, 4}, Shapes{{2, 3, 4}, {3, 4}, {2, 1, 4}, {}});
    QVERIFY(ops[0].contiguous);
    QVERIFY(!ops[1].contiguous);
    QCOMPARE(ops[1].index.rank, 3);  // dims merge only where every input allows
    QCOMPARE(ops[1].index.strides[0], int64_t(0));
    QCOMPARE(ops[1].index.strides[1], int64_t(4));
    QCOMPARE(ops[1].index.strides[2], int64_t(1));
    QCOMPARE(ops[2].index.strides[0], int64_t(4));
    QCOMPARE(ops[2].index.strides[1], int64_t(0));
    QCOMPARE(ops[2].index.strides[2], int64_t(1));
    QCOMPARE(ops[3].index.strides[0], int64_t(0));

    ops = broadcastOperands({2, 3, 4}, Shapes{{3, 4}});
    QCOMPARE(ops[0].index.rank, 2);
    QCOMPARE(ops[0].index.dims[0], int64_t(2));
    QCOMPARE(ops[0].index.dims[1], int64_t(12));
    QCOMPARE(ops[0].index.strides[0], int64_t(0));
    QCOMPARE(ops[0].index.strides[1], int64_t(1));

    ops = broadcastOperands({4, 1, 3}, Shapes{{4, 1, 1}, {1, 1, 3}});
    QCOMPARE(ops[0].index.rank, 2);
    QCOMPARE(ops[0].index.dims[0], int64_t(4));
    QCOMPARE(ops[0].index.dims[1], int64_t(3));
    QCOMPARE(ops[0].index.strides[0], int64_t(1));
    QCOMPARE(ops[0].index.strides[1], int64_t(0));
    QCOMPARE(ops[1].index.strides[0], int64_t(0));
    QCOMPARE(ops[1].index.strides[1], int64_t(1));

    QVERIFY(broadcastOperands({1, 5}, Shapes{{5}})[0].contiguous);
    QVERIFY(broadcastOperands({}, Shapes{{}})[0].contiguous);
    QVERIFY(broadcastOperands({0, 3}, Shapes{{3}}).size() == 1);
    QVERIFY_THROWS_EXCEPTION(Error, broadcastOperands({2, 3}, Shapes{{2}}));
    QVERIFY_THROWS_EXCEPTION(Error, broadcastOperands({3}, Shapes{{2, 3}}));
    QCOMPARE(broadcastShapes(Shapes{{2, 1, 4}, {3, 1}, {}}), (std::vector<int64_t>{2, 3, 4}));
  }

  void indexerMatchesTheReferenceOffsets() {
    using Shapes = std::vector<std::vector<int64_t>>;
    const std::vector<int64_t> out = {2, 3, 1, 5};
    const Shapes inputs = {{3, 1, 1}, {2, 1, 1, 5}, {1, 5}, {2, 3, 1, 1}};
    const auto ops = broadcastOperands(out, inputs);
    for (size_t k = 0; k < inputs.size(); ++k) {
      // Row-major offsets computed the plain way.
      const auto& in = inputs[k];
      for (int64_t i = 0; i < 30; ++i) {
        int64_t rest = i, off = 0, stride = 1;
        std::vector<int64_t> idx(out.size());
        for (size_t d = out.size(); d-- > 0;) {
          idx[d] = rest % out[d];
          rest /= out[d];
        }
        for (size_t j = in.size(); j-- > 0;) {
          const size_t d = out.size() - in.size() + j;
          off += (in[j] == 1 ? 0 : idx[d]) * stride;
          stride *= in[j];
        }
        const int64_t got = ops[k].contiguous ? i : ops[k].index.offset(i);
        QCOMPARE(got, off);
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestPointwiseCodegen)
#include "test_pointwise_codegen.moc"
