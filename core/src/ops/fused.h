// The fused operators of the "kiln" domain: the layers that graph passes
// create. Each has a reference implementation (ops/fused.cpp) that reuses the
// ONNX operators' kernels; tactics for other backends are tested against it.
// All accept f32, f64, f16 and bf16 tensors; every input has the type of input 0.
//
// kiln:ConvAct      inputs X, W, [B], [Z]
//   Every Conv attribute (kernel_shape, strides, dilations, pads, auto_pad,
//   group), plus `activation`, `act_alpha`, `act_beta` (see Activations).
//   Y = act(conv(X, W) + B + Z); Z is an optional residual of Y's shape.
//
// kiln:GemmAct      inputs A, B, [C], [Z]
//   `matmul` = 1: Y = act(MatMul(A, B) + C + Z) with numpy batched broadcasting;
//   C broadcasts onto the product (transA, transB, alpha, beta are ignored);
//   Z is an optional residual of Y's shape (matmul mode only).
//   `matmul` = 0 (default): Y = act(alpha * A' * B' + beta * C) with Gemm's
//   transA, transB, alpha, beta. Plus `activation`, `act_alpha`, `act_beta`.
//
// Activations (attribute `activation`, a string):
//   ""          none
//   "Relu"      max(x, 0)
//   "Clip"      min(max(x, act_alpha), act_beta); Relu6 is Clip 0 6
//   "Sigmoid"   1 / (1 + e^-x)
//   "Tanh"      tanh(x)
//   "LeakyRelu" x >= 0 ? x : act_alpha * x
//   "HardSwish" x * clamp(x / 6 + 1/2, 0, 1)
//   "Gelu"      x/2 * (1 + erf(x / sqrt 2))
//   "GeluTanh"  x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
//   act_alpha and act_beta default to 0 (Clip: -inf and +inf; LeakyRelu alpha 0.01).
//
// kiln:Pointwise    inputs E0, E1, ... (the chain's external tensors)
//   A chain of elementwise operations computed as one layer. A running value
//   starts as E0 and each step of the string list attribute `steps` updates it:
//     step     := unary | binary
//     unary    := UNARY_OP                       acc = op(acc)
//     binary   := BINARY_OP " " k                acc = op(acc, E[k])
//               | BINARY_OP " " k " left"        acc = op(E[k], acc)
//   UNARY_OP:  Relu LeakyRelu Sigmoid Tanh Clip HardSigmoid HardSwish Gelu GeluTanh
//              Elu Softplus Exp Log Sqrt Abs Neg Erf Reciprocal Floor Ceil
//   BINARY_OP: Add Sub Mul Div Pow Max Min PRelu (PRelu: acc < 0 ? acc * E[k] : acc)
//   k is a decimal index into the inputs (k may be 0: "Mul 0" is acc * E0).
//   The float lists `step_alpha` and `step_beta` hold one value per step:
//   LeakyRelu alpha, Clip min and max, HardSigmoid alpha and beta, Elu alpha;
//   other steps ignore them. Y has the broadcast shape of all inputs, and each
//   element is computed in double from the broadcast elements of the inputs.
//
// kiln:Gelu         input X; `approximate` "none" (erf, default) or "tanh"
// kiln:HardSwish    input X; x * clamp(x / 6 + 1/2, 0, 1)
// kiln:LayerNorm    inputs X, [scale], [bias]; `axis` (default -1), `epsilon`
//   (default 1e-5): normalizes over the dims from axis to the last, as ONNX
//   LayerNormalization; scale and bias broadcast to those dims.
// kiln:Softmax      input X; `axis` (default -1): softmax along that one axis.
// kiln:Attention    inputs Q [..., Lq, D], K [..., Lk, D], V [..., Lk, Dv], [mask]
//   Y [..., Lq, Dv] = softmax(Q * K^T * scale + mask) * V over the last two
//   dims; the batch dims of Q, K and V broadcast, mask broadcasts onto
//   [..., Lq, Lk]. `scale` (float, default 1). `k_transposed` = 1: K is given
//   as [..., D, Lk]. `q_bshd`, `k_bshd`, `v_bshd` = 1: that 4-D operand is
//   stored [B, L, H, D] (a projection's output with its heads split off) and
//   read as its [B, H, L, D] transpose; `y_bshd` = 1: Y is written so too
//   (k_bshd needs k_transposed = 0).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace kiln::ops {

/// kiln:Attention's layout attributes of Q, K, V and Y, in that order.
inline constexpr const char* kAttentionBshdAttrs[] = {"q_bshd", "k_bshd", "v_bshd", "y_bshd"};

/// The Transpose perm between an operand stored [B, L, H, D] and how
/// kiln:Attention reads it, [B, H, L, D] (its own inverse).
inline const std::vector<int64_t> kAttentionSwapHeads = {0, 2, 1, 3};

/// The activation names that kiln:ConvAct and kiln:GemmAct accept.
inline constexpr std::string_view kFusedActivations[] = {
    "", "Relu", "Clip", "Sigmoid", "Tanh", "LeakyRelu", "HardSwish", "Gelu", "GeluTanh"};

}  // namespace kiln::ops
