// Pooling: MaxPool (with its optional Indices output), AveragePool and the
// global max and average pools, over NC<spatial> tensors of any spatial rank.
#include "cpu/pool.h"
#include "ops/common.h"
#include "ops/window.h"

namespace kiln::ops {

namespace {

using kernels::cpu::PoolMode;

void expectPoolType(InferContext& ctx, PoolMode mode) {
  if (mode == PoolMode::kMax) {
    ctx.expectType(0, {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16,
                       DataType::kInt8, DataType::kUInt8});
  } else {
    ctx.expectType(0, kFloatTypes);
  }
}

// Sets every output (Y and, for MaxPool, Indices) to `dims`.
void setPoolOutputs(InferContext& ctx, const Dims& dims) {
  ctx.setOutput(0, ctx.input(0).type, dims);
  ctx.setOutput(1, DataType::kInt64, dims);
}

template <PoolMode kMode>
void inferPool(InferContext& ctx) {
  expectPoolType(ctx, kMode);
  const Dims& x = ctx.input(0).dims;
  if (kMode == PoolMode::kAverage) ctx.check(ctx.numOutputs() == 1, "AveragePool has one output");
  if (!x.rankKnown) {
    setPoolOutputs(ctx, Dims::unknownRank());
    return;
  }
  ctx.check(x.rank() >= 3, "X must have a batch, a channel and at least one spatial dim");
  ctx.check(ctx.hasAttr("kernel_shape"), "required attribute 'kernel_shape' is missing");
  const Window w = readWindow(ctx, x.rank() - 2, {});
  Dims out = x;
  for (size_t d = 0; d + 2 < x.rank(); ++d) {
    int64_t pb = 0, pe = 0;
    out[d + 2] = x[d + 2].known() ? Dim(windowOutput(ctx, w, d, x[d + 2].value, &pb, &pe)) : Dim();
  }
  setPoolOutputs(ctx, out);
}

void inferGlobalPool(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  Dims out = ctx.input(0).dims;
  if (out.rankKnown) {
    ctx.check(out.rank() >= 3, "X must have a batch, a channel and at least one spatial dim");
    for (size_t d = 2; d < out.rank(); ++d) out[d] = Dim(1);
  }
  ctx.setOutput(0, ctx.input(0).type, out);
}

void runPool(ComputeContext& ctx, const kernels::cpu::PoolParams& p) {
  const HostTensor& x = ctx.input(0);
  int64_t* indices = ctx.numOutputs() > 1 ? ctx.output(1).data<int64_t>() : nullptr;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::cpu::poolReference(p, x.data<T>(), ctx.output(0).data<T>(), indices);
  };
  if (x.type() == DataType::kInt8) run(int8_t{});
  else if (x.type() == DataType::kUInt8) run(uint8_t{});
  else dispatchFloat(ctx, x.type(), run);
}

kernels::cpu::PoolParams baseParams(const HostTensor& x, const HostTensor& y, PoolMode mode) {
  kernels::cpu::PoolParams p;
  p.batch = x.shape()[0];
  p.channels = x.shape()[1];
  p.inSize.assign(x.shape().begin() + 2, x.shape().end());
  p.outSize.assign(y.shape().begin() + 2, y.shape().end());
  p.mode = mode;
  return p;
}

template <PoolMode kMode>
void computePool(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const size_t r = x.rank() - 2;
  const Window w = readWindow(ctx, r, {});
  kernels::cpu::PoolParams p = baseParams(x, ctx.output(0), kMode);
  p.kernel = w.kernel;
  p.stride = w.strides;
  p.dilation = w.dilations;
  p.padBegin.resize(r);
  p.padEnd.resize(r);
  for (size_t d = 0; d < r; ++d) windowOutput(ctx, w, d, p.inSize[d], &p.padBegin[d], &p.padEnd[d]);
  p.countIncludePad = ctx.attrInt("count_include_pad", 0) != 0;
  p.columnMajorIndices = ctx.attrInt("storage_order", 0) != 0;
  runPool(ctx, p);
}

template <PoolMode kMode>
void computeGlobalPool(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const size_t r = x.rank() - 2;
  kernels::cpu::PoolParams p = baseParams(x, ctx.output(0), kMode);
  p.kernel = p.inSize;
  p.stride.assign(r, 1);
  p.dilation.assign(r, 1);
  p.padBegin.assign(r, 0);
  p.padEnd.assign(r, 0);
  runPool(ctx, p);
}

}  // namespace

void registerPoolOps(OpRegistry& r) {
  r.add({"MaxPool", "", 1, 1, 1, 1, 2, inferPool<PoolMode::kMax>, computePool<PoolMode::kMax>});
  r.add({"AveragePool", "", 1, 1, 1, 1, 1, inferPool<PoolMode::kAverage>, computePool<PoolMode::kAverage>});
  r.add({"GlobalMaxPool", "", 1, 1, 1, 1, 1, inferGlobalPool, computeGlobalPool<PoolMode::kMax>});
  r.add({"GlobalAveragePool", "", 1, 1, 1, 1, 1, inferGlobalPool,
         computeGlobalPool<PoolMode::kAverage>});
}

}  // namespace kiln::ops
