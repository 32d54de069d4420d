#include "backend/cuda/operands.h"

#include <string>

#include "kiln/errors.h"

namespace kiln::backend::cuda {

namespace kc = kernels::cuda;

std::optional<kc::ElemType> elemTypeOf(DataType t) {
  switch (t) {
    case DataType::kFloat32: return kc::ElemType::kF32;
    case DataType::kFloat16: return kc::ElemType::kF16;
    case DataType::kBFloat16: return kc::ElemType::kBF16;
    case DataType::kFloat64: return kc::ElemType::kF64;
    case DataType::kInt8: return kc::ElemType::kI8;
    case DataType::kUInt8: return kc::ElemType::kU8;
    case DataType::kInt32: return kc::ElemType::kI32;
    case DataType::kInt64: return kc::ElemType::kI64;
    case DataType::kBool: return kc::ElemType::kBool;
    default: return std::nullopt;
  }
}

std::vector<int64_t> broadcastShapes(const std::vector<std::vector<int64_t>>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto& s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[rank - s.size() + i];
      const int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o != 1) {
        throw Error(ErrorCode::kShapeMismatch, "shapes do not broadcast: " + shapeString(s) + " against " +
                                                   std::to_string(o) + " at dim " + std::to_string(i));
      }
      o = d;
    }
  }
  return out;
}

std::vector<kc::Operand> broadcastOperands(const std::vector<int64_t>& out,
                                           const std::vector<std::vector<int64_t>>& inputs) {
  const size_t rank = out.size();
  const size_t count = inputs.size();
  // Every input's element strides aligned to the output's dims; 0 where it broadcasts.
  std::vector<std::vector<int64_t>> strides(count, std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < count; ++k) {
    const auto& in = inputs[k];
    if (in.size() > rank) {
      throw Error(ErrorCode::kShapeMismatch,
                  "input " + shapeString(in) + " has more dims than the output " + shapeString(out));
    }
    int64_t stride = 1;
    for (size_t j = in.size(); j-- > 0;) {
      const size_t d = rank - in.size() + j;
      if (in[j] != out[d] && in[j] != 1) {
        throw Error(ErrorCode::kShapeMismatch,
                    "input " + shapeString(in) + " does not broadcast onto the output " + shapeString(out));
      }
      strides[k][d] = in[j] == 1 ? 0 : stride;
      stride *= in[j];
    }
  }
  // Drop size-1 dims, then merge a dim into the next (inner) one wherever
  // every input steps through both as through one.
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> merged(count);
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    const bool canMerge = !dims.empty() && [&] {
      for (size_t k = 0; k < count; ++k) {
        if (merged[k].back() != strides[k][d] * out[d]) return false;
      }
      return true;
    }();
    if (canMerge) {
      dims.back() *= out[d];
      for (size_t k = 0; k < count; ++k) merged[k].back() = strides[k][d];
    } else {
      dims.push_back(out[d]);
      for (size_t k = 0; k < count; ++k) merged[k].push_back(strides[k][d]);
    }
  }
  const int64_t total = numelOf(out);
  std::vector<kc::Operand> ops(count);
  for (size_t k = 0; k < count; ++k) {
    kc::Operand& o = ops[k];
    o.contiguous = numelOf(inputs[k]) == total;
    if (o.contiguous) continue;
    if (dims.size() > size_t(kc::kMaxRank)) {
      throw Error(ErrorCode::kUnsupportedOp, "broadcasting " + shapeString(inputs[k]) + " onto " + shapeString(out) +
                                                 " needs " + std::to_string(dims.size()) + " dims; the kernels index " +
                                                 std::to_string(kc::kMaxRank));
    }
    o.index.rank = int(dims.size());
    for (size_t d = 0; d < dims.size(); ++d) {
      o.index.dims[d] = dims[d];
      o.index.strides[d] = merged[k][d];
    }
  }
  return ops;
}

std::vector<kc::Operand> broadcastOperands(const std::vector<int64_t>& out,
                                           const std::vector<const DeviceTensor*>& inputs) {
  std::vector<std::vector<int64_t>> shapes;
  for (const DeviceTensor* t : inputs) shapes.push_back(t->shape);
  std::vector<kc::Operand> ops = broadcastOperands(out, shapes);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const auto type = elemTypeOf(inputs[k]->type);
    if (!type) {
      throw Error(ErrorCode::kUnsupportedType, std::string("the CUDA kernels do not handle ") + toString(inputs[k]->type));
    }
    ops[k].data = inputs[k]->data;
    ops[k].type = *type;
  }
  return ops;
}

}  // namespace kiln::backend::cuda
