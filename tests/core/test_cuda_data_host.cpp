// Host-side logic of the CUDA data, index, reduction and normalization
// tactics, checked without a GPU: the pad index mapping the mapped-copy
// kernel shares with the host, and supports(), which derives every launch
// parameter from shapes, attributes and host values and must refuse what the
// kernels cannot run with a reason.
#include <QtTest>

#include <set>

#include "backend/cuda/cuda_tactic.h"
#include "cuda/copy.cuh"

using namespace kiln;
using backend::cuda::CudaLayerInfo;
using backend::cuda::CudaTacticRegistry;
using backend::cuda::DeviceTensor;
namespace kc = kiln::kernels::cuda;

namespace {

DeviceTensor tensor(DataType type, std::vector<int64_t> shape, const HostTensor* host = nullptr) {
  DeviceTensor t;
  t.type = type;
  t.shape = std::move(shape);
  t.host = host;
  return t;
}

Layer layer(std::string op, std::string domain, size_t inputs, size_t outputs, Attributes attrs = {}) {
  Layer l;
  l.name = op + "_test";
  l.op = std::move(op);
  l.domain = std::move(domain);
  l.attrs = std::move(attrs);
  for (size_t i = 0; i < inputs; ++i) l.inputs.push_back("in" + std::to_string(i));
  for (size_t i = 0; i < outputs; ++i) l.outputs.push_back("out" + std::to_string(i));
  return l;
}

// What the named tactic says about the layer (empty: supported).
QString verdict(const std::string& tactic, const Layer& l, int64_t opset, std::vector<DeviceTensor> in,
                std::vector<DeviceTensor> out) {
  const auto* t = CudaTacticRegistry::instance().find(tactic);
  if (!t) return "no tactic " + QString::fromStdString(tactic);
  CudaLayerInfo info;
  info.layer = &l;
  info.opset = opset;
  info.inputs = std::move(in);
  info.outputs = std::move(out);
  return QString::fromStdString(t->supports(info));
}

}  // namespace

class TestCudaDataHost : public QObject {
  Q_OBJECT

 private slots:
  // numpy.pad of [0 1 2 3] by (3, 3) in each mode, and with cropping pads.
  void padIndices() {
    const int64_t dim = 4;
    auto row = [&](kc::AxisMode mode, int64_t b, int64_t e) {
      std::vector<int64_t> r;
      for (int64_t j = 0; j < dim + b + e; ++j) r.push_back(kc::padSourceIndex(mode, j, dim, b, e));
      return r;
    };
    QCOMPARE(row(kc::AxisMode::kPadConstant, 3, 3), (std::vector<int64_t>{-1, -1, -1, 0, 1, 2, 3, -1, -1, -1}));
    QCOMPARE(row(kc::AxisMode::kPadEdge, 3, 3), (std::vector<int64_t>{0, 0, 0, 0, 1, 2, 3, 3, 3, 3}));
    QCOMPARE(row(kc::AxisMode::kPadReflect, 3, 3), (std::vector<int64_t>{3, 2, 1, 0, 1, 2, 3, 2, 1, 0}));
    QCOMPARE(row(kc::AxisMode::kPadWrap, 3, 3), (std::vector<int64_t>{1, 2, 3, 0, 1, 2, 3, 0, 1, 2}));
    // Reflect beyond one period, and negative pads that crop before padding.
    QCOMPARE(row(kc::AxisMode::kPadReflect, 7, 0), (std::vector<int64_t>{1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3}));
    QCOMPARE(row(kc::AxisMode::kPadConstant, -1, 1), (std::vector<int64_t>{1, 2, 3, -1}));
    QCOMPARE(row(kc::AxisMode::kPadEdge, 2, -2), (std::vector<int64_t>{0, 0, 0, 1}));
    QCOMPARE(row(kc::AxisMode::kPadReflect, 1, -3), (std::vector<int64_t>{0, 0}));
  }

  // Every op of the family has a GPU tactic ahead of the host fallback.
  void registered() {
    const std::vector<std::pair<std::string, std::string>> ops = {
        {"Reshape", ""}, {"Transpose", ""}, {"Slice", ""}, {"Concat", ""}, {"Split", ""}, {"Expand", ""},
        {"Tile", ""}, {"Pad", ""}, {"DepthToSpace", ""}, {"SpaceToDepth", ""}, {"Gather", ""},
        {"GatherElements", ""}, {"Trilu", ""}, {"ConstantOfShape", ""}, {"Range", ""}, {"CumSum", ""},
        {"Resize", ""}, {"Upsample", ""}, {"TopK", ""}, {"ReduceMean", ""}, {"ReduceLogSumExp", ""},
        {"ArgMax", ""}, {"ArgMin", ""}, {"Softmax", ""}, {"LogSoftmax", ""}, {"Softmax", "kiln"},
        {"LayerNormalization", ""}, {"LayerNorm", "kiln"}, {"InstanceNormalization", ""},
        {"GroupNormalization", ""}, {"BatchNormalization", ""}, {"GlobalAveragePool", ""},
        {"GlobalMaxPool", ""}, {"MaxPool", ""}, {"AveragePool", ""}};
    for (const auto& [op, domain] : ops) {
      const auto tactics = CudaTacticRegistry::instance().tacticsFor(layer(op, domain, 1, 1));
      QVERIFY2(tactics.size() >= 2, op.c_str());
      QVERIFY2(tactics.front()->name() != "cuda.host-fallback", op.c_str());
    }
  }

  void sliceNeedsHostValues() {
    const Layer l = layer("Slice", "", 5, 1);
    const HostTensor starts = HostTensor::fromInt64s({-1, 1});
    const HostTensor ends = HostTensor::fromInt64s({-100, 5});
    const HostTensor axes = HostTensor::fromInt64s({0, 2});
    const HostTensor steps = HostTensor::fromInt64s({-2, 2});
    const auto x = tensor(DataType::kFloat16, {5, 3, 6});
    // rows 4, 2, 0; columns 1, 3.
    const auto y = tensor(DataType::kFloat16, {3, 3, 2});
    QCOMPARE(verdict("cuda.data.slice", l, 13,
                     {x, tensor(DataType::kInt64, {2}, &starts), tensor(DataType::kInt64, {2}, &ends),
                      tensor(DataType::kInt64, {2}, &axes), tensor(DataType::kInt64, {2}, &steps)},
                     {y}),
             QString());
    const QString missing = verdict("cuda.data.slice", l, 13,
                                    {x, tensor(DataType::kInt64, {2}), tensor(DataType::kInt64, {2}, &ends),
                                     tensor(DataType::kInt64, {2}, &axes), tensor(DataType::kInt64, {2}, &steps)},
                                    {y});
    QVERIFY2(missing.contains("starts"), qPrintable(missing));
    // An output that disagrees with the slice is refused rather than overrun.
    QVERIFY(!verdict("cuda.data.slice", l, 13,
                     {x, tensor(DataType::kInt64, {2}, &starts), tensor(DataType::kInt64, {2}, &ends),
                      tensor(DataType::kInt64, {2}, &axes), tensor(DataType::kInt64, {2}, &steps)},
                     {tensor(DataType::kFloat16, {3, 3, 3})})
                 .isEmpty());
  }

  void padModes() {
    const HostTensor pads = HostTensor::fromInt64s({0, 2, 0, 3});
    const auto x = tensor(DataType::kInt64, {2, 4});
    const auto y = tensor(DataType::kInt64, {2, 9});
    for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
      const Layer l = layer("Pad", "", 2, 1, {{"mode", Attribute::ofString(mode)}});
      QCOMPARE(verdict("cuda.data.pad", l, 19, {x, tensor(DataType::kInt64, {4}, &pads)}, {y}), QString());
    }
    const Layer wrap = layer("Pad", "", 2, 1, {{"mode", Attribute::ofString("wrap")}});
    QVERIFY(!verdict("cuda.data.pad", wrap, 13, {x, tensor(DataType::kInt64, {4}, &pads)}, {y}).isEmpty());
  }

  void refusals() {
    const auto x = tensor(DataType::kFloat32, {2, 3, 4, 4});
    const auto c = tensor(DataType::kFloat32, {3});
    const Layer training = layer("BatchNormalization", "", 5, 1, {{"training_mode", Attribute::ofInt(1)}});
    QVERIFY(!verdict("cuda.norm.batch", training, 15, {x, c, c, c, c}, {x}).isEmpty());
    const Layer inference = layer("BatchNormalization", "", 5, 1);
    QCOMPARE(verdict("cuda.norm.batch", inference, 15, {x, c, c, c, c}, {x}), QString());

    const HostTensor scales = HostTensor::fromDoubles(DataType::kFloat32, {4}, {1, 1, 0.5, 0.5});
    const HostTensor empty(DataType::kFloat32, {0});
    const auto half = tensor(DataType::kFloat32, {2, 3, 2, 2});
    const Layer linear = layer("Resize", "", 3, 1, {{"mode", Attribute::ofString("linear")}});
    QCOMPARE(verdict("cuda.index.resize", linear, 19,
                     {x, tensor(DataType::kFloat32, {0}, &empty), tensor(DataType::kFloat32, {4}, &scales)}, {half}),
             QString());
    const Layer antialias =
        layer("Resize", "", 3, 1, {{"mode", Attribute::ofString("linear")}, {"antialias", Attribute::ofInt(1)}});
    QVERIFY(!verdict("cuda.index.resize", antialias, 19,
                     {x, tensor(DataType::kFloat32, {0}, &empty), tensor(DataType::kFloat32, {4}, &scales)}, {half})
                 .isEmpty());

    // Reductions take float types; integer ones go to another tactic.
    const Layer sum = layer("ReduceSum", "", 1, 1, {});
    QCOMPARE(verdict("cuda.reduce.sum", sum, 11, {x}, {tensor(DataType::kFloat32, {1, 1, 1, 1})}), QString());
    QVERIFY(!verdict("cuda.reduce.sum", sum, 11, {tensor(DataType::kInt32, {2, 3})}, {tensor(DataType::kInt32, {1, 1})})
                 .isEmpty());

    // A pool window the output shape disagrees with.
    const Layer pool = layer("MaxPool", "", 1, 1, {{"kernel_shape", Attribute::ofInts({3, 3})},
                                                    {"pads", Attribute::ofInts({1, 1, 1, 1})}});
    QCOMPARE(verdict("cuda.pool.max", pool, 12, {x}, {x}), QString());
    QVERIFY(!verdict("cuda.pool.max", pool, 12, {x}, {half}).isEmpty());
  }

  void tacticNamesAreUnique() {
    std::set<std::string> names;
    for (const char* op : {"Reshape", "Slice", "Gather", "TopK", "ReduceSum", "ReduceMax", "Softmax",
                           "LayerNormalization", "MaxPool", "Resize"}) {
      for (const auto* t : CudaTacticRegistry::instance().tacticsFor(layer(op, "", 1, 1))) {
        if (t->name() == "cuda.host-fallback") continue;
        QVERIFY2(names.insert(t->name()).second, t->name().c_str());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestCudaDataHost)
#include "test_cuda_data_host.moc"
