// Matrix products: Gemm, MatMul (numpy batching and broadcasting) and Einsum.
#include <algorithm>
#include <map>

#include "cpu/gemm.h"
#include "ops/common.h"

namespace kiln::ops {

namespace {

inline constexpr std::initializer_list<DataType> kGemmTypes = {
    DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16,
    DataType::kInt32,   DataType::kInt64,   DataType::kUInt32,  DataType::kUInt64};

// Calls f(T{}) for the types the GEMM kernel is built for.
template <class F>
void dispatchGemm(const NodeContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kInt32: f(int32_t{}); return;
    case DataType::kInt64: f(int64_t{}); return;
    case DataType::kUInt32: f(uint32_t{}); return;
    case DataType::kUInt64: f(uint64_t{}); return;
    default: dispatchFloat(ctx, t, f);
  }
}

void expectSameType(const InferContext& ctx, size_t i) {
  if (ctx.input(i).type != ctx.input(0).type) {
    ctx.fail("input " + std::to_string(i) + " has type " + toString(ctx.input(i).type) + ", not " +
                 toString(ctx.input(0).type),
             ErrorCode::kUnsupportedType);
  }
}

void checkSameDim(const NodeContext& ctx, const Dim& a, const Dim& b, const char* what) {
  if (a.known() && b.known() && a.value != b.value) {
    ctx.fail(std::string(what) + ": " + std::to_string(a.value) + " vs " + std::to_string(b.value),
             ErrorCode::kShapeMismatch);
  }
}

// ---- Gemm ---------------------------------------------------------------------

void inferGemm(InferContext& ctx) {
  ctx.expectType(0, kGemmTypes);
  expectSameType(ctx, 1);
  const Dims& a = ctx.input(0).dims;
  const Dims& b = ctx.input(1).dims;
  ctx.check(ctx.hasInput(2) || ctx.opset() >= 11, "C is required before opset 11");
  if (ctx.hasInput(2)) expectSameType(ctx, 2);
  ctx.check(!a.rankKnown || a.rank() == 2, "A must be a matrix");
  ctx.check(!b.rankKnown || b.rank() == 2, "B must be a matrix");
  const bool ta = ctx.attrInt("transA", 0) != 0, tb = ctx.attrInt("transB", 0) != 0;
  Dims out = Dims::unknownOfRank(2);
  if (a.rankKnown) out[0] = a[ta ? 1 : 0];
  if (b.rankKnown) out[1] = b[tb ? 0 : 1];
  if (a.rankKnown && b.rankKnown) checkSameDim(ctx, a[ta ? 0 : 1], b[tb ? 1 : 0], "inner dims differ");
  if (ctx.hasInput(2)) broadcastDims(ctx, out, ctx.input(2).dims);  // C must broadcast to Y
  ctx.setOutput(0, ctx.input(0).type, out);
}

void computeGemm(ComputeContext& ctx) {
  const HostTensor& a = ctx.input(0);
  const HostTensor& b = ctx.input(1);
  const HostTensor* c = ctx.inputOrNull(2);
  HostTensor& y = ctx.output(0);
  kernels::cpu::GemmParams p;
  p.transA = ctx.attrInt("transA", 0) != 0;
  p.transB = ctx.attrInt("transB", 0) != 0;
  p.m = y.shape()[0];
  p.n = y.shape()[1];
  p.k = a.shape()[p.transA ? 0 : 1];
  p.lda = a.shape()[1];
  p.ldb = b.shape()[1];
  p.ldc = p.n;
  p.alpha = ctx.attrFloat("alpha", 1.f);
  p.beta = c ? ctx.attrFloat("beta", 1.f) : 0.0;
  if (c && broadcastShape(ctx, y.shape(), c->shape()) != y.shape()) ctx.fail("C does not broadcast to Y");
  dispatchGemm(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    if (p.beta != 0.0) {
      const auto off = broadcastOffsets(y.shape(), c->shape());
      const T* src = c->data<T>();
      T* dst = y.data<T>();
      for (size_t i = 0; i < off.size(); ++i) dst[i] = src[off[i]];
    }
    kernels::cpu::gemmReference(p, a.data<T>(), b.data<T>(), y.data<T>());
  });
}

// ---- MatMul -------------------------------------------------------------------

// Batch dims and matrix dims of a MatMul operand; a vector becomes a row (A)
// or a column (B) matrix.
struct Operand {
  Dims batch;
  Dim rows, cols;
};

Operand splitOperand(const Dims& d, bool isA) {
  if (d.rank() == 1) return isA ? Operand{Dims{}, Dim(1), d[0]} : Operand{Dims{}, d[0], Dim(1)};
  Dims batch;
  batch.d.assign(d.d.begin(), d.d.end() - 2);
  return Operand{batch, d[d.rank() - 2], d[d.rank() - 1]};
}

void inferMatMul(InferContext& ctx) {
  ctx.expectType(0, kGemmTypes);
  expectSameType(ctx, 1);
  const Dims& a = ctx.input(0).dims;
  const Dims& b = ctx.input(1).dims;
  if (!a.rankKnown || !b.rankKnown) {
    ctx.setOutput(0, ctx.input(0).type, Dims::unknownRank());
    return;
  }
  ctx.check(a.rank() >= 1 && b.rank() >= 1, "MatMul operands must have at least one dim");
  const Operand oa = splitOperand(a, true), ob = splitOperand(b, false);
  checkSameDim(ctx, oa.cols, ob.rows, "inner dims differ");
  Dims out = broadcastDims(ctx, oa.batch, ob.batch);
  if (a.rank() > 1) out.d.push_back(oa.rows);
  if (b.rank() > 1) out.d.push_back(ob.cols);
  ctx.setOutput(0, ctx.input(0).type, out);
}

void computeMatMul(ComputeContext& ctx) {
  const HostTensor& a = ctx.input(0);
  const HostTensor& b = ctx.input(1);
  HostTensor& y = ctx.output(0);
  const Operand oa = splitOperand(dimsOf(a), true), ob = splitOperand(dimsOf(b), false);
  const auto aBatch = *oa.batch.sizes(), bBatch = *ob.batch.sizes();
  const auto batch = broadcastShape(ctx, aBatch, bBatch);
  kernels::cpu::GemmParams p;
  p.m = oa.rows.value;
  p.k = oa.cols.value;
  p.n = ob.cols.value;
  p.lda = p.k;
  p.ldb = p.n;
  p.ldc = p.n;
  const auto offA = broadcastOffsets(batch, aBatch), offB = broadcastOffsets(batch, bBatch);
  dispatchGemm(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < offA.size(); ++i) {
      kernels::cpu::gemmReference(p, a.data<T>() + offA[i] * p.m * p.k, b.data<T>() + offB[i] * p.k * p.n,
                                  y.data<T>() + int64_t(i) * p.m * p.n);
    }
  });
}

// ---- Einsum -------------------------------------------------------------------

// Label ids: 'A'-'Z' are 0-25 and 'a'-'z' 26-51 (so sorting ids sorts as numpy
// does); the broadcast dims under "..." are kEllipsis + j, right-aligned
// across operands.
constexpr int kEllipsis = 52;

struct EinsumSpec {
  std::vector<std::vector<int>> inputs;  // one label per dim of each operand
  std::vector<int> output;
};

// Parses one term into letter ids, with -1 where "..." stands.
std::vector<int> parseTerm(const NodeContext& ctx, const std::string& term) {
  std::vector<int> ids;
  for (size_t i = 0; i < term.size(); ++i) {
    const char ch = term[i];
    if (ch >= 'A' && ch <= 'Z') ids.push_back(ch - 'A');
    else if (ch >= 'a' && ch <= 'z') ids.push_back(26 + ch - 'a');
    else if (term.compare(i, 3, "...") == 0) { ids.push_back(-1); i += 2; }
    else ctx.fail("invalid character '" + std::string(1, ch) + "' in the einsum equation");
  }
  ctx.check(std::count(ids.begin(), ids.end(), -1) <= 1, "a term has more than one ellipsis");
  return ids;
}

// Replaces the -1 in `ids` by `count` ellipsis ids out of `total`.
std::vector<int> expandEllipsis(const std::vector<int>& ids, size_t count, size_t total) {
  std::vector<int> out;
  for (int id : ids) {
    if (id >= 0) { out.push_back(id); continue; }
    for (size_t j = total - count; j < total; ++j) out.push_back(kEllipsis + int(j));
  }
  return out;
}

EinsumSpec parseEinsum(const NodeContext& ctx, const std::vector<size_t>& ranks) {
  std::string eq = ctx.attrString("equation", "");
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::vector<int>> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(parseTerm(ctx, lhs.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  ctx.check(terms.size() == ranks.size(), "the equation has " + std::to_string(terms.size()) +
                                              " terms for " + std::to_string(ranks.size()) + " inputs");
  std::vector<size_t> ellipsisDims(terms.size(), 0);
  size_t maxEllipsis = 0;
  for (size_t k = 0; k < terms.size(); ++k) {
    const bool hasEllipsis = std::count(terms[k].begin(), terms[k].end(), -1) > 0;
    const size_t letters = terms[k].size() - (hasEllipsis ? 1 : 0);
    ctx.check(hasEllipsis ? ranks[k] >= letters : ranks[k] == letters,
              "term " + std::to_string(k) + " does not match the rank of its input");
    ellipsisDims[k] = ranks[k] - letters;
    maxEllipsis = std::max(maxEllipsis, ellipsisDims[k]);
  }
  EinsumSpec spec;
  std::map<int, int> uses;
  for (size_t k = 0; k < terms.size(); ++k) {
    spec.inputs.push_back(expandEllipsis(terms[k], ellipsisDims[k], maxEllipsis));
    for (int id : spec.inputs.back()) ++uses[id];
  }
  if (arrow != std::string::npos) {
    spec.output = expandEllipsis(parseTerm(ctx, eq.substr(arrow + 2)), maxEllipsis, maxEllipsis);
    for (int id : spec.output) {
      ctx.check(uses.count(id) > 0, "an output label does not appear in the inputs");
      ctx.check(std::count(spec.output.begin(), spec.output.end(), id) == 1, "an output label repeats");
    }
  } else {
    for (size_t j = 0; j < maxEllipsis; ++j) spec.output.push_back(kEllipsis + int(j));
    for (const auto& [id, n] : uses) {
      if (id < kEllipsis && n == 1) spec.output.push_back(id);
    }
  }
  return spec;
}

// The size of every label, broadcasting size-1 dims.
std::map<int, Dim> labelDims(const NodeContext& ctx, const EinsumSpec& spec, const std::vector<Dims>& dims) {
  std::map<int, Dim> size;
  for (size_t k = 0; k < spec.inputs.size(); ++k) {
    for (size_t i = 0; i < spec.inputs[k].size(); ++i) {
      const Dim& d = dims[k][i];
      auto [it, fresh] = size.emplace(spec.inputs[k][i], d);
      if (fresh) continue;
      Dim& cur = it->second;
      if (d.known() && cur.known() && d.value != cur.value && d.value != 1 && cur.value != 1) {
        ctx.fail("einsum label sizes differ: " + std::to_string(cur.value) + " vs " + std::to_string(d.value),
                 ErrorCode::kShapeMismatch);
      }
      if ((d.known() && d.value != 1) || (cur.known() && cur.value == 1)) cur = d;
    }
  }
  return size;
}

void inferEinsum(InferContext& ctx) {
  ctx.expectType(0, {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16,
                     DataType::kInt8, DataType::kUInt8, DataType::kInt16, DataType::kUInt16,
                     DataType::kInt32, DataType::kUInt32, DataType::kInt64, DataType::kUInt64});
  std::vector<Dims> dims;
  std::vector<size_t> ranks;
  for (size_t k = 0; k < ctx.numInputs(); ++k) {
    expectSameType(ctx, k);
    dims.push_back(ctx.input(k).dims);
    if (!dims.back().rankKnown) {
      ctx.setOutput(0, ctx.input(0).type, Dims::unknownRank());
      return;
    }
    ranks.push_back(dims.back().rank());
  }
  const EinsumSpec spec = parseEinsum(ctx, ranks);
  const auto size = labelDims(ctx, spec, dims);
  Dims out;
  for (int id : spec.output) out.d.push_back(size.at(id));
  ctx.setOutput(0, ctx.input(0).type, out);
}

void computeEinsum(ComputeContext& ctx) {
  std::vector<Dims> dims;
  std::vector<size_t> ranks;
  for (size_t k = 0; k < ctx.numInputs(); ++k) {
    dims.push_back(dimsOf(ctx.input(k)));
    ranks.push_back(ctx.input(k).rank());
  }
  const EinsumSpec spec = parseEinsum(ctx, ranks);
  const auto size = labelDims(ctx, spec, dims);
  // Output labels first, in output order, then the summed ones innermost.
  std::vector<int> loops = spec.output;
  for (const auto& [id, d] : size) {
    if (std::find(loops.begin(), loops.end(), id) == loops.end()) loops.push_back(id);
  }
  HostTensor& y = ctx.output(0);
  kernels::cpu::ContractParams p;
  p.outNumel = y.numel();
  const auto yStrides = stridesOf(y.shape());
  for (int id : loops) {
    p.loopSize.push_back(size.at(id).value);
    auto at = std::find(spec.output.begin(), spec.output.end(), id);
    p.outStride.push_back(at == spec.output.end() ? 0 : yStrides[size_t(at - spec.output.begin())]);
  }
  for (size_t k = 0; k < spec.inputs.size(); ++k) {
    const auto& shape = ctx.input(k).shape();
    const auto strides = stridesOf(shape);
    std::vector<int64_t> s(loops.size(), 0);
    for (size_t i = 0; i < shape.size(); ++i) {
      const size_t l = size_t(std::find(loops.begin(), loops.end(), spec.inputs[k][i]) - loops.begin());
      if (shape[i] != 1 || p.loopSize[l] == 1) s[l] += strides[i];  // size 1 broadcasts
    }
    p.inStride.push_back(std::move(s));
  }
  dispatchNumeric(ctx, y.type(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<const T*> in;
    for (size_t k = 0; k < ctx.numInputs(); ++k) in.push_back(ctx.input(k).data<T>());
    kernels::cpu::contractReference(p, in, y.data<T>());
  });
}

}  // namespace

void registerMatmulOps(OpRegistry& r) {
  r.add({"Gemm", "", 1, 2, 3, 1, 1, inferGemm, computeGemm});
  r.add({"MatMul", "", 1, 2, 2, 1, 1, inferMatMul, computeMatMul});
  r.add({"Einsum", "", 12, 1, 64, 1, 1, inferEinsum, computeEinsum});
}

}  // namespace kiln::ops
