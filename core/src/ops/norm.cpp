// Normalization operators: BatchNormalization, InstanceNormalization,
// LayerNormalization and GroupNormalization.
#include <string>

#include "cpu/norm.h"
#include "ops/common.h"

namespace kiln::ops {

namespace {

namespace cpu = kernels::cpu;

// The values of a per-channel (or per-group) parameter tensor, checked to
// hold `count` elements.
std::vector<double> paramValues(const NodeContext& ctx, const HostTensor& t, int64_t count, const char* what) {
  if (t.numel() != count) {
    ctx.fail(std::string(what) + " has " + std::to_string(t.numel()) + " elements; expected " + std::to_string(count),
             ErrorCode::kShapeMismatch);
  }
  return t.toDoubleVector();
}

bool outputRequested(const NodeContext& ctx, size_t i) {
  return i < ctx.layer().outputs.size() && !ctx.layer().outputs[i].empty();
}

// X as [batch, channels, rest...]: the product of the dims after the channel.
int64_t innerSize(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (size_t i = 2; i < shape.size(); ++i) n *= shape[i];
  return n;
}

// ---- BatchNormalization ------------------------------------------------------------

// Training mode is an attribute from opset 14; before, asking for more than Y
// meant training.
bool batchNormTraining(const NodeContext& ctx) {
  if (ctx.opset() >= 14) return ctx.attrInt("training_mode", 0) != 0;
  for (size_t i = 1; i < ctx.layer().outputs.size(); ++i) {
    if (outputRequested(ctx, i)) return true;
  }
  return false;
}

// Before opset 9, spatial=0 gives every element of a sample its own statistics.
bool batchNormSpatial(const NodeContext& ctx) {
  return ctx.opset() >= 9 || ctx.attrInt("spatial", 1) != 0;
}

void inferBatchNorm(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  ctx.expectType(0, kFloatTypes);
  for (size_t i = 1; i < 5; ++i) ctx.expectType(i, kFloatTypes);
  if (x.dims.rankKnown && x.dims.rank() < 2) ctx.fail("X must have rank 2 or more");
  if (ctx.opset() >= 14 && ctx.numOutputs() > 3) ctx.fail("has more than 3 outputs");
  ctx.setOutput(0, x.type, x.dims);
  // The statistics outputs have the shape and type of the mean input.
  const ValueInfo& mean = ctx.input(3);
  for (size_t i = 1; i < ctx.numOutputs(); ++i) ctx.setOutput(i, mean.type, mean.dims);
}

void computeBatchNorm(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  cpu::BatchNormParams p;
  p.batch = x.shape()[0];
  p.channels = x.shape()[1];
  p.inner = innerSize(x.shape());
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  if (!batchNormSpatial(ctx)) {
    p.channels *= p.inner;
    p.inner = 1;
  }
  const auto scale = paramValues(ctx, ctx.input(1), p.channels, "scale");
  const auto bias = paramValues(ctx, ctx.input(2), p.channels, "B");
  auto mean = paramValues(ctx, ctx.input(3), p.channels, "mean");
  auto var = paramValues(ctx, ctx.input(4), p.channels, "var");
  dispatchFloat(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    if (!batchNormTraining(ctx)) {
      cpu::batchNorm(p, in, scale.data(), bias.data(), mean.data(), var.data(), ctx.output(0).data<T>());
      return;
    }
    std::vector<double> batchMean(size_t(p.channels)), batchVar(size_t(p.channels));
    cpu::batchStats(p, in, batchMean.data(), batchVar.data());
    cpu::batchNorm(p, in, scale.data(), bias.data(), batchMean.data(), batchVar.data(), ctx.output(0).data<T>());
    const double momentum = ctx.attrFloat("momentum", 0.9f);
    for (int64_t c = 0; c < p.channels; ++c) {
      mean[size_t(c)] = mean[size_t(c)] * momentum + batchMean[size_t(c)] * (1 - momentum);
      var[size_t(c)] = var[size_t(c)] * momentum + batchVar[size_t(c)] * (1 - momentum);
    }
    mean.insert(mean.end(), batchMean.begin(), batchMean.end());
    var.insert(var.end(), batchVar.begin(), batchVar.end());
  });
  // Outputs: running mean, running variance (the inputs' when not training),
  // then, before opset 14, the batch's own mean and variance.
  for (size_t i = 1; i < ctx.numOutputs(); ++i) {
    if (!outputRequested(ctx, i)) continue;
    const std::vector<double>& stats = i % 2 == 1 ? mean : var;
    const int64_t first = i <= 2 ? 0 : p.channels;
    HostTensor& out = ctx.output(i);
    for (int64_t c = 0; c < p.channels; ++c) out.setFromDouble(c, stats[size_t(first + c)]);
  }
}

// ---- InstanceNormalization ------------------------------------------------------------

void inferInstanceNorm(InferContext& ctx) {
  for (size_t i = 0; i < 3; ++i) ctx.expectType(i, kFloatTypes);
  const ValueInfo& x = ctx.input(0);
  if (x.dims.rankKnown && x.dims.rank() < 2) ctx.fail("input must have rank 2 or more");
  ctx.setOutput(0, x.type, x.dims);
}

void computeInstanceNorm(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t channels = x.shape()[1];
  cpu::BlockNormParams p;
  p.blocks = x.shape()[0] * channels;
  p.blockSize = innerSize(x.shape());
  p.period = channels;
  p.inner = p.blockSize;
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  const auto scale = paramValues(ctx, ctx.input(1), channels, "scale");
  const auto bias = paramValues(ctx, ctx.input(2), channels, "B");
  if (x.numel() == 0) return;
  dispatchFloat(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    cpu::blockNorm(p, x.data<T>(), scale.data(), bias.data(), ctx.output(0).data<T>(), nullptr, nullptr);
  });
}

// ---- LayerNormalization ------------------------------------------------------------------

DataType stashType(const NodeContext& ctx) {
  switch (ctx.attrInt("stash_type", 1)) {
    case 1: return DataType::kFloat32;
    case 10: return DataType::kFloat16;
    case 11: return DataType::kFloat64;
    case 16: return DataType::kBFloat16;
    default: break;
  }
  ctx.fail("unsupported stash_type " + std::to_string(ctx.attrInt("stash_type", 1)), ErrorCode::kUnsupportedType);
}

void inferLayerNorm(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  ctx.expectType(1, kFloatTypes);
  if (ctx.hasInput(2)) ctx.expectType(2, kFloatTypes);
  const ValueInfo& x = ctx.input(0);
  const DataType stash = stashType(ctx);
  ctx.setOutput(0, x.type, x.dims);
  if (!x.dims.rankKnown) {
    for (size_t i = 1; i < 3; ++i) ctx.setOutput(i, stash, Dims::unknownRank());
    return;
  }
  const int64_t rank = int64_t(x.dims.rank());
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", -1), rank);
  // Mean and InvStdDev keep the leading dims and have 1 for the normalized ones.
  Dims stats = x.dims;
  for (int64_t i = axis; i < rank; ++i) stats[size_t(i)] = Dim(1);
  for (size_t i = 1; i < 3; ++i) ctx.setOutput(i, stash, stats);
}

// A parameter that broadcasts to the normalized shape, expanded to it.
std::vector<double> expandToShape(const NodeContext& ctx, const HostTensor& t, const std::vector<int64_t>& shape,
                                  const char* what) {
  std::vector<int64_t> ts = t.shape();
  while (ts.size() > shape.size() && ts.front() == 1) ts.erase(ts.begin());
  if (ts.size() > shape.size() || broadcastShape(ctx, shape, ts) != shape) {
    ctx.fail(std::string(what) + " " + shapeString(t.shape()) + " does not broadcast to the normalized shape " +
             shapeString(shape), ErrorCode::kShapeMismatch);
  }
  const auto values = t.toDoubleVector();
  std::vector<double> out;
  for (int64_t off : broadcastOffsets(shape, ts)) out.push_back(values[size_t(off)]);
  return out;
}

void computeLayerNorm(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t rank = int64_t(x.rank());
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", -1), rank);
  const std::vector<int64_t> normShape(x.shape().begin() + axis, x.shape().end());
  cpu::BlockNormParams p;
  p.blockSize = numelOf(normShape);
  p.blocks = p.blockSize == 0 ? 0 : x.numel() / p.blockSize;
  p.channelsPerBlock = p.blockSize;
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  const auto scale = expandToShape(ctx, ctx.input(1), normShape, "Scale");
  std::vector<double> bias;
  if (const HostTensor* b = ctx.inputOrNull(2)) bias = expandToShape(ctx, *b, normShape, "B");
  std::vector<double> mean(size_t(p.blocks)), invStd(size_t(p.blocks));
  if (p.blocks == 0) return;
  dispatchFloat(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    cpu::blockNorm(p, x.data<T>(), scale.data(), bias.empty() ? nullptr : bias.data(), ctx.output(0).data<T>(),
                   mean.data(), invStd.data());
  });
  const std::vector<double>* stats[] = {&mean, &invStd};
  for (size_t i = 1; i < ctx.numOutputs(); ++i) {
    if (!outputRequested(ctx, i)) continue;
    HostTensor& out = ctx.output(i);
    for (int64_t b = 0; b < p.blocks; ++b) out.setFromDouble(b, (*stats[i - 1])[size_t(b)]);
  }
}

// ---- GroupNormalization --------------------------------------------------------------------

void inferGroupNorm(InferContext& ctx) {
  for (size_t i = 0; i < 3; ++i) ctx.expectType(i, kFloatTypes);
  const ValueInfo& x = ctx.input(0);
  const int64_t groups = ctx.attrIntRequired("num_groups");
  if (groups <= 0) ctx.fail("num_groups must be positive");
  if (x.dims.rankKnown) {
    if (x.dims.rank() < 2) ctx.fail("X must have rank 2 or more");
    const Dim& c = x.dims[1];
    if (c.known() && c.value % groups != 0) ctx.fail("the channel count is not a multiple of num_groups");
  }
  ctx.setOutput(0, x.type, x.dims);
}

// Opset 18 has one scale and bias per group; opset 21 one per channel.
void computeGroupNorm(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t groups = ctx.attrIntRequired("num_groups");
  const int64_t channels = x.shape()[1];
  const int64_t spatial = innerSize(x.shape());
  const bool perChannel = ctx.opset() >= 21;
  cpu::BlockNormParams p;
  p.blocks = x.shape()[0] * groups;
  p.blockSize = channels / groups * spatial;
  p.period = groups;
  p.channelsPerBlock = perChannel ? channels / groups : 1;
  p.inner = perChannel ? spatial : p.blockSize;
  p.epsilon = ctx.attrFloat("epsilon", 1e-5f);
  const int64_t count = perChannel ? channels : groups;
  const auto scale = paramValues(ctx, ctx.input(1), count, "scale");
  const auto bias = paramValues(ctx, ctx.input(2), count, "bias");
  if (x.numel() == 0) return;
  dispatchFloat(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    cpu::blockNorm(p, x.data<T>(), scale.data(), bias.data(), ctx.output(0).data<T>(), nullptr, nullptr);
  });
}

}  // namespace

void registerNormOps(OpRegistry& r) {
  r.add({"BatchNormalization", "", 1, 5, 5, 1, 5, inferBatchNorm, computeBatchNorm});
  r.add({"InstanceNormalization", "", 1, 3, 3, 1, 1, inferInstanceNorm, computeInstanceNorm});
  r.add({"LayerNormalization", "", 17, 2, 3, 1, 3, inferLayerNorm, computeLayerNorm});
  r.add({"GroupNormalization", "", 18, 3, 3, 1, 1, inferGroupNorm, computeGroupNorm});
}

}  // namespace kiln::ops
