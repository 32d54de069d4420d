// Host-side logic of the CUDA library tactics (cuDNN convolutions, cuBLASLt
// products): broadcast indexers, batch strides, cuDNN's view of a
// convolution, the transposed-convolution geometry and the stored algorithms.
// No GPU needed: nothing here calls the libraries.
#include <QtTest>

#include "backend/cuda/broadcast_indexer.h"
#include "backend/cuda/cublaslt_gemm.h"
#include "backend/cuda/cudnn_conv.h"
#include "kiln/errors.h"

using namespace kiln;
using namespace kiln::backend::cuda;

namespace {

// Every offset the indexer gives, in flat order.
std::vector<int64_t> offsetsOf(const kernels::cuda::Indexer& ix, int64_t count) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < count; ++i) out.push_back(ix.offset(i));
  return out;
}

kernels::cpu::ConvParams conv2d(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t out) {
  kernels::cpu::ConvParams p;
  p.batch = 2;
  p.inChannels = 4;
  p.outChannels = 6;
  p.group = 2;
  p.inSize = {in, in};
  p.outSize = {out, out};
  p.kernel = {k, k};
  p.stride = {stride, stride};
  p.dilation = {1, 1};
  p.padBegin = {pad, pad};
  return p;
}

Layer transposeLayer(Attributes attrs) {
  Layer l;
  l.name = "deconv";
  l.op = "ConvTranspose";
  l.attrs = std::move(attrs);
  l.inputs = {"x", "w"};
  l.outputs = {"y"};
  return l;
}

}  // namespace

class TestCudaLibraryPlans : public QObject {
  Q_OBJECT

 private slots:
  void biasOverChannels() {
    const auto ix = broadcastIndexer({2, 3, 2, 2}, {3, 1, 1});
    QVERIFY(ix);
    const std::vector<int64_t> expect = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    QCOMPARE(offsetsOf(*ix, 24), expect);
  }

  void rowBroadcastAndMerging() {
    const auto ix = broadcastIndexer({2, 2, 3}, {3});
    QVERIFY(ix);
    QCOMPARE(ix->rank, 2);  // the two leading broadcast dims merge
    QCOMPARE(offsetsOf(*ix, 12), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}));
    const auto same = broadcastIndexer({2, 3, 4}, {2, 3, 4});
    QVERIFY(same);
    QCOMPARE(same->rank, 1);
    QCOMPARE(offsetsOf(*same, 24).back(), int64_t(23));
  }

  void middleBroadcast() {
    const auto ix = broadcastIndexer({2, 3, 2}, {2, 1, 2});
    QVERIFY(ix);
    QCOMPARE(offsetsOf(*ix, 12), (std::vector<int64_t>{0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3}));
  }

  void scalarsAndMismatches() {
    const auto scalar = broadcastIndexer({}, {});
    QVERIFY(scalar);
    QCOMPARE(scalar->offset(0), int64_t(0));
    const auto one = broadcastIndexer({3, 2}, {1});
    QVERIFY(one);
    QCOMPARE(offsetsOf(*one, 6), (std::vector<int64_t>(6, 0)));
    QVERIFY(!broadcastIndexer({2, 3}, {2}));
    QVERIFY(!broadcastIndexer({3}, {2, 3}));
    // Ten dims that cannot merge do not fit the kernels' rank.
    std::vector<int64_t> out(10, 2), in;
    for (int i = 0; i < 10; ++i) in.push_back(i % 2 ? 2 : 1);
    QVERIFY(!broadcastIndexer(out, in));
  }

  void uniformStrides() {
    QCOMPARE(uniformStride({}), std::optional<int64_t>(0));
    QCOMPARE(uniformStride({0}), std::optional<int64_t>(0));
    QCOMPARE(uniformStride({0, 0, 0}), std::optional<int64_t>(0));
    QCOMPARE(uniformStride({0, 12, 24}), std::optional<int64_t>(12));
    QCOMPARE(uniformStride({0, 12, 0, 12}), std::optional<int64_t>());
  }

  void foldsBatchIntoRows() {
    LtGemm g;
    g.m = 5;
    g.n = 7;
    g.k = 3;
    g.batch = 4;
    g.strideA = 15;
    g.strideB = 0;
    foldBatch(g);
    QCOMPARE(g.m, int64_t(20));
    QCOMPARE(g.batch, int64_t(1));
    LtGemm t = LtGemm{};
    t.m = 5;
    t.k = 3;
    t.batch = 4;
    t.strideA = 15;
    t.transA = true;  // A's matrices are [k, m]: rows do not line up
    foldBatch(t);
    QCOMPARE(t.batch, int64_t(4));
  }

  void storedAlgorithmsRoundTrip() {
    LtAlgoEntry a{"sig one", {}, 1024};
    a.algo.data[0] = 42;
    a.algo.data[7] = 7;
    const LtAlgoEntry b{"", {}, 0};
    const std::string state = encodeLtAlgos({a, b}, "F");
    QCOMPARE(state[0], 'F');
    const auto back = decodeLtAlgos(state, 1);
    QCOMPARE(back.size(), size_t(2));
    QCOMPARE(back[0].signature, a.signature);
    QCOMPARE(back[0].algo.data[0], uint64_t(42));
    QCOMPARE(back[0].algo.data[7], uint64_t(7));
    QCOMPARE(back[0].workspaceBytes, int64_t(1024));
    QVERIFY_THROWS_EXCEPTION(Error, decodeLtAlgos(state.substr(0, state.size() - 1), 1));
  }

  void convGeometry() {
    std::string reason;
    const auto g = cudnnConvGeometry(conv2d(9, 3, 2, 1, 5), DataType::kFloat16, Precision::kFP16, &reason);
    QVERIFY2(reason.empty(), reason.c_str());
    QCOMPARE(g.xDims, (std::vector<int>{2, 4, 9, 9}));
    QCOMPARE(g.wDims, (std::vector<int>{6, 2, 3, 3}));
    QCOMPARE(g.yDims, (std::vector<int>{2, 6, 5, 5}));
    QCOMPARE(g.pads, (std::vector<int>{1, 1}));
    QCOMPARE(g.group, 2);
    QCOMPARE(g.dataType, CUDNN_DATA_HALF);
    QCOMPARE(g.math, CUDNN_TENSOR_OP_MATH);
    const auto f32 = cudnnConvGeometry(conv2d(9, 3, 2, 1, 5), DataType::kFloat32, Precision::kFP32, &reason);
    QCOMPARE(f32.math, CUDNN_FMA_MATH);  // no TF32 unless asked
    const auto tf32 = cudnnConvGeometry(conv2d(9, 3, 2, 1, 5), DataType::kFloat32, Precision::kTF32, &reason);
    QCOMPARE(tf32.math, CUDNN_DEFAULT_MATH);
  }

  void convGeometryRefusals() {
    std::string reason;
    // SAME_UPPER on 8 with k 3 s 2: pads 0 and 1, the end pad adds an output.
    cudnnConvGeometry(conv2d(8, 3, 2, 0, 4), DataType::kFloat32, Precision::kFP32, &reason);
    QVERIFY(reason.find("asymmetric") != std::string::npos);
    // An end pad that adds no output is fine: 9 with k 3 s 2, pads 0 and 1.
    cudnnConvGeometry(conv2d(9, 3, 2, 0, 4), DataType::kFloat32, Precision::kFP32, &reason);
    QVERIFY2(reason.empty(), reason.c_str());
    cudnnConvGeometry(conv2d(9, 3, 2, 0, 4), DataType::kInt8, Precision::kFP32, &reason);
    QVERIFY(!reason.empty());
  }

  void conv1dGetsAUnitWidth() {
    kernels::cpu::ConvParams p;
    p.batch = 1;
    p.inChannels = 3;
    p.outChannels = 5;
    p.inSize = {10};
    p.outSize = {4};
    p.kernel = {3};
    p.stride = {2};
    p.dilation = {2};
    p.padBegin = {1};
    std::string reason;
    const auto g = cudnnConvGeometry(p, DataType::kFloat32, Precision::kFP32, &reason);
    QVERIFY2(reason.empty(), reason.c_str());
    QCOMPARE(g.xDims, (std::vector<int>{1, 3, 10, 1}));
    QCOMPARE(g.wDims, (std::vector<int>{5, 3, 3, 1}));
    QCOMPARE(g.yDims, (std::vector<int>{1, 5, 4, 1}));
    QCOMPARE(g.pads, (std::vector<int>{1, 0}));
    QCOMPARE(g.strides, (std::vector<int>{2, 1}));
    QCOMPARE(g.dilations, (std::vector<int>{2, 1}));
  }

  void transposeGeometry() {
    // in 3, s 2, k 3, pads 1 1, output_padding 1: 2*2 + 1 + 2 + 1 - 2 = 6.
    const auto p = readConvTransposeParams(
        transposeLayer({{"strides", Attribute::ofInts({2, 2})}, {"pads", Attribute::ofInts({1, 1, 1, 1})},
                        {"output_padding", Attribute::ofInts({1, 1})}, {"group", Attribute::ofInt(2)}}),
        17, {1, 4, 3, 3}, {4, 3, 3, 3});
    QCOMPARE(p.outChannels, int64_t(6));
    QCOMPARE(p.outSize, (std::vector<int64_t>{6, 6}));
    QCOMPARE(p.padBegin, (std::vector<int64_t>{1, 1}));
    // output_shape fixes the size; SAME_UPPER-like split of the excess.
    const auto q = readConvTransposeParams(
        transposeLayer({{"strides", Attribute::ofInts({2})}, {"output_shape", Attribute::ofInts({7})}}), 17,
        {1, 2, 3}, {2, 1, 3});
    QCOMPARE(q.outSize, (std::vector<int64_t>{7}));
    QCOMPARE(q.padBegin, (std::vector<int64_t>{0}));  // natural 7, nothing to trim
    // The forward convolution from Y back to X must reproduce X's size.
    kernels::cpu::ConvParams f = p;
    f.inChannels = p.outChannels;
    f.outChannels = p.inChannels;
    f.inSize = p.outSize;
    f.outSize = p.inSize;
    std::string reason;
    const auto g = cudnnConvGeometry(f, DataType::kFloat32, Precision::kFP32, &reason);
    QVERIFY2(reason.empty(), reason.c_str());
    QCOMPARE(g.wDims, (std::vector<int>{4, 3, 3, 3}));
  }
};

QTEST_APPLESS_MAIN(TestCudaLibraryPlans)
#include "test_cuda_library_plans.moc"
