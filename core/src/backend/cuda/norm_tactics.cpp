// Normalization and pooling on the GPU (f32, f16, bf16; statistics in
// float): LayerNormalization and kiln:LayerNorm, InstanceNormalization,
// GroupNormalization (opsets 18 and 21), BatchNormalization in inference
// mode, GlobalAveragePool and GlobalMaxPool, MaxPool and AveragePool.
#include <algorithm>

#include "backend/cuda/layer_view.h"
#include "cuda/norm.cuh"
#include "cuda/pool.cuh"
#include "cuda/reduce.cuh"
#include "ops/common.h"
#include "ops/window.h"

namespace kiln::backend::cuda {

namespace {

namespace kc = kernels::cuda;

// A per-channel (or per-group) parameter: present, of x's type, `count` elements.
const DeviceTensor& paramInput(const LayerView& v, size_t i, DataType type, int64_t count, const char* what) {
  const DeviceTensor& t = v.in(i);
  if (t.type != type) unsupported(std::string(what) + " has another type than X");
  if (numelOf(t.shape) != count) unsupported(std::string(what) + " has the wrong number of elements");
  return t;
}

// The indexer of a parameter that broadcasts to `shape` (leading 1s beyond
// its rank dropped, as the reference does).
kc::Indexer broadcastIndexer(const std::vector<int64_t>& shape, std::vector<int64_t> ts, const char* what) {
  while (ts.size() > shape.size() && ts.front() == 1) ts.erase(ts.begin());
  if (ts.size() > shape.size() || shape.size() > size_t(kc::kMaxRank)) {
    unsupported(std::string(what) + " does not broadcast to the normalized shape");
  }
  kc::Indexer ix;
  ix.rank = int(shape.size());
  const auto s = rowMajorStrides(ts);
  const size_t lead = shape.size() - ts.size();
  for (size_t d = 0; d < shape.size(); ++d) {
    ix.dims[d] = shape[d];
    if (d < lead) continue;
    const int64_t td = ts[d - lead];
    if (td != shape[d] && td != 1) unsupported(std::string(what) + " does not broadcast to the normalized shape");
    ix.strides[d] = td == 1 ? 0 : s[d - lead];
  }
  return ix;
}

void runBlockNorm(const LayerView& v, const Launch* launch, const kc::BlockNormParams& p, const void* scale,
                  const void* bias, void* mean, void* invStd) {
  if (!launch) return;
  checkLaunch(kc::blockNorm(p, v.in(0).data, scale, bias, v.out(0).data, mean, invStd, launch->stream),
              "kernels::cuda::blockNorm");
}

// ---- LayerNormalization and kiln:LayerNorm ---------------------------------------------------

void layerNormOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const int64_t rank = int64_t(x.shape.size());
  const size_t axis = size_t(ops::normalizeAxis(ctx, ctx.attrInt("axis", -1), rank));
  const std::vector<int64_t> normShape(x.shape.begin() + int64_t(axis), x.shape.end());
  kc::BlockNormParams p;
  p.type = floatElemTypeOf(x.type);
  p.blockSize = numelOf(normShape);
  p.blocks = p.blockSize == 0 ? 0 : numelOf(x.shape) / p.blockSize;
  p.period = 1;
  p.paramsPerPeriod = 0;
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  const bool fused = v.layer.domain == "kiln";
  const void* scale = nullptr;
  const void* bias = nullptr;
  if (v.hasInput(1)) {
    const DeviceTensor& s = v.in(1);
    if (s.type != x.type) unsupported("Scale has another type than X");
    p.scaleIndex = broadcastIndexer(normShape, s.shape, "Scale");
    scale = s.data;
  } else if (!fused) {
    unsupported("Scale is missing");
  }
  if (v.hasInput(2)) {
    const DeviceTensor& b = v.in(2);
    if (b.type != x.type) unsupported("B has another type than X");
    p.biasIndex = broadcastIndexer(normShape, b.shape, "B");
    bias = b.data;
  }
  void* stats[2] = {nullptr, nullptr};
  for (size_t i = 1; i < 3; ++i) {
    if (fused || !v.hasOutput(i)) continue;
    const DeviceTensor& o = v.out(i);
    if (numelOf(o.shape) != p.blocks) unsupported("Mean/InvStdDev do not match the blocks");
    const kc::ElemType t = floatElemTypeOf(o.type);
    if (stats[0] && t != p.statsType) unsupported("Mean and InvStdDev have different types");
    p.statsType = t;
    stats[i - 1] = o.data;
    if (!launch) stats[i - 1] = &p;  // non-null marker at build time
  }
  if (p.blocks == 0) return;
  runBlockNorm(v, launch, p, scale, bias, stats[0], stats[1]);
}

// ---- InstanceNormalization and GroupNormalization -----------------------------------------

void instanceNormOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  if (x.shape.size() < 2) unsupported("input must have rank 2 or more");
  const int64_t channels = x.shape[1];
  kc::BlockNormParams p;
  p.type = floatElemTypeOf(x.type);
  p.blocks = x.shape[0] * channels;
  p.blockSize = productOf(x.shape, 2, x.shape.size());
  p.period = channels;
  p.paramsPerPeriod = 1;
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  const DeviceTensor& scale = paramInput(v, 1, x.type, channels, "scale");
  const DeviceTensor& bias = paramInput(v, 2, x.type, channels, "B");
  if (numelOf(x.shape) == 0) return;
  runBlockNorm(v, launch, p, scale.data, bias.data, nullptr, nullptr);
}

void groupNormOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  if (x.shape.size() < 2) unsupported("X must have rank 2 or more");
  const int64_t groups = ctx.attrIntRequired("num_groups");
  const int64_t channels = x.shape[1];
  if (groups <= 0 || channels % groups != 0) unsupported("the channel count is not a multiple of num_groups");
  const int64_t spatial = productOf(x.shape, 2, x.shape.size());
  const bool perChannel = v.opset >= 21;
  kc::BlockNormParams p;
  p.type = floatElemTypeOf(x.type);
  p.blocks = x.shape[0] * groups;
  p.blockSize = channels / groups * spatial;
  p.period = groups;
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  if (perChannel) {
    // Element j of a group block belongs to channel j / spatial of the group.
    p.paramsPerPeriod = channels / groups;
    p.scaleIndex.rank = 2;
    p.scaleIndex.dims[0] = channels / groups;
    p.scaleIndex.dims[1] = spatial;
    p.scaleIndex.strides[0] = 1;
    p.scaleIndex.strides[1] = 0;
  } else {
    p.paramsPerPeriod = 1;
  }
  p.biasIndex = p.scaleIndex;
  const int64_t count = perChannel ? channels : groups;
  const DeviceTensor& scale = paramInput(v, 1, x.type, count, "scale");
  const DeviceTensor& bias = paramInput(v, 2, x.type, count, "bias");
  if (numelOf(x.shape) == 0) return;
  runBlockNorm(v, launch, p, scale.data, bias.data, nullptr, nullptr);
}

// ---- BatchNormalization (inference) --------------------------------------------------------

void batchNormOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  if (x.shape.size() < 2) unsupported("X must have rank 2 or more");
  bool training = false;
  if (v.opset >= 14) {
    training = ctx.attrInt("training_mode", 0) != 0;
  } else {
    for (size_t i = 1; i < v.layer.outputs.size(); ++i) training = training || v.hasOutput(i);
  }
  if (training) unsupported("training mode (batch statistics) is not implemented on the GPU");
  kc::BatchNormParams p;
  p.type = floatElemTypeOf(x.type);
  p.batch = x.shape[0];
  p.channels = x.shape[1];
  p.inner = productOf(x.shape, 2, x.shape.size());
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  if (v.opset < 9 && ctx.attrInt("spatial", 1) == 0) {
    p.channels *= p.inner;
    p.inner = 1;
  }
  const DataType pt = v.in(1).type;
  p.paramType = floatElemTypeOf(pt);
  const DeviceTensor& scale = paramInput(v, 1, pt, p.channels, "scale");
  const DeviceTensor& bias = paramInput(v, 2, pt, p.channels, "B");
  const DeviceTensor& mean = paramInput(v, 3, pt, p.channels, "mean");
  const DeviceTensor& var = paramInput(v, 4, pt, p.channels, "var");
  if (!launch) return;
  checkLaunch(kc::batchNorm(p, x.data, scale.data, bias.data, mean.data, var.data, v.out(0).data, launch->stream),
              "kernels::cuda::batchNorm");
}

// ---- Pools -----------------------------------------------------------------------------------

template <bool Max>
void globalPoolOp(const LayerView& v, const Launch* launch) {
  const DeviceTensor& x = v.in(0);
  if (x.shape.size() < 3) unsupported("X must have a batch, a channel and at least one spatial dim");
  if (x.shape.size() > size_t(kc::kMaxRank)) unsupported("rank exceeds the kernel's");
  kc::ReduceParams p;
  p.kind = Max ? kc::ReduceKind::kMax : kc::ReduceKind::kMean;
  p.type = floatElemTypeOf(x.type);
  const auto s = rowMajorStrides(x.shape);
  p.kept.rank = 1;
  p.kept.dims[0] = x.shape[0] * x.shape[1];
  p.kept.strides[0] = s[1];
  for (size_t d = 2; d < x.shape.size(); ++d) {
    p.reduced.dims[p.reduced.rank] = x.shape[d];
    p.reduced.strides[p.reduced.rank] = s[d];
    ++p.reduced.rank;
  }
  p.numOutputs = x.shape[0] * x.shape[1];
  p.count = productOf(x.shape, 2, x.shape.size());
  if (p.count == 0 && p.numOutputs > 0) unsupported("empty spatial dims");
  if (numelOf(v.out(0).shape) != p.numOutputs) unsupported("the output does not match");
  if (!launch) return;
  checkLaunch(kc::reduce(p, x.data, v.out(0).data, launch->stream), "kernels::cuda::reduce");
}

template <bool Max>
void poolOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  if (x.shape.size() < 3) unsupported("X must have a batch, a channel and at least one spatial dim");
  const size_t r = x.shape.size() - 2;
  if (r > size_t(kc::kMaxPoolDims)) unsupported("more than 3 spatial dims");
  if (y.shape.size() != x.shape.size()) unsupported("the output rank does not match");
  if (!ctx.hasAttr("kernel_shape")) unsupported("required attribute 'kernel_shape' is missing");
  const ops::Window w = ops::readWindow(ctx, r, {});
  kc::PoolParams p;
  p.planes = x.shape[0] * x.shape[1];
  p.rank = int(r);
  p.max = Max;
  p.countIncludePad = ctx.attrInt("count_include_pad", 0) != 0;
  p.columnMajorIndices = ctx.attrInt("storage_order", 0) != 0;
  p.type = Max ? kernelElemType(x.type) : floatElemTypeOf(x.type);
  if (p.type != kc::ElemType::kF32 && p.type != kc::ElemType::kF16 && p.type != kc::ElemType::kBF16 &&
      p.type != kc::ElemType::kI8 && p.type != kc::ElemType::kU8) {
    unsupported(std::string("pooling of ") + toString(x.type));
  }
  for (size_t d = 0; d < r; ++d) {
    p.inSize[d] = x.shape[d + 2];
    p.kernel[d] = w.kernel[d];
    p.stride[d] = w.strides[d];
    p.dilation[d] = w.dilations[d];
    const int64_t out = ops::windowOutput(ctx, w, d, x.shape[d + 2], &p.padBegin[d], &p.padEnd[d]);
    if (out != y.shape[d + 2]) unsupported("the output shape does not match the window");
    p.outSize[d] = out;
  }
  int64_t* indices = nullptr;
  if (Max && v.hasOutput(1)) {
    if (v.out(1).type != DataType::kInt64) unsupported("Indices must be int64");
    indices = static_cast<int64_t*>(v.out(1).data);
  }
  if (!launch) return;
  checkLaunch(kc::pool(p, x.data, y.data, indices, launch->stream), "kernels::cuda::pool");
}

}  // namespace

void registerNormTactics(CudaTacticRegistry& r) {
  addFn(r, {"LayerNormalization", "kiln:LayerNorm"}, "cuda.norm.layer", layerNormOp);
  addFn(r, {"InstanceNormalization"}, "cuda.norm.instance", instanceNormOp);
  addFn(r, {"GroupNormalization"}, "cuda.norm.group", groupNormOp);
  addFn(r, {"BatchNormalization"}, "cuda.norm.batch", batchNormOp);
  addFn(r, {"GlobalAveragePool"}, "cuda.pool.global-average", globalPoolOp<false>);
  addFn(r, {"GlobalMaxPool"}, "cuda.pool.global-max", globalPoolOp<true>);
  addFn(r, {"MaxPool"}, "cuda.pool.max", poolOp<true>);
  addFn(r, {"AveragePool"}, "cuda.pool.average", poolOp<false>);
}

}  // namespace kiln::backend::cuda
