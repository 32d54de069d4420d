// What a convolution tactic computes for a Conv or kiln:ConvAct layer, read
// from the layer's attributes and its input shapes:
// Y = act(conv(X, W) + B + Z), Z being kiln:ConvAct's optional residual.
#pragma once

#include <vector>

#include "backend/cpu/tactics.h"
#include "cpu/activation.h"
#include "cpu/conv.h"

namespace kiln::backend::cpu {

/// The geometry and the epilogue of one convolution layer.
struct ConvProblem {
  kernels::cpu::ConvParams params;          ///< geometry of conv(X, W)
  std::vector<int64_t> outShape;            ///< Y's shape: [N, M, spatial...], or [N, H, W, M] channels-last
  bool channelsLast = false;                ///< X, Y and Z are NHWC and W is [M, R, S, C/group]
  bool hasBias = false;                     ///< input 2 (B, one value per output channel)
  bool hasResidual = false;                 ///< input 3 (Z, of Y's shape)
  kernels::cpu::ActivationParams activation;  ///< kNone for a plain Conv
};

/// True for the ops the convolution tactics run: Conv and kiln:ConvAct.
bool isConvLayer(const Layer& layer);

/// True for a channels-last kiln:ConvAct (attribute channels_last): X, Y and
/// Z NHWC, W [M, R, S, C/group].
bool isChannelsLast(const Layer& layer);

/// v permuted: result[i] = v[perm[i]].
std::vector<int64_t> permuteDims(const std::vector<int64_t>& v, const std::vector<int64_t>& perm);

/// Reads the problem; `params` are in NCHW terms whatever the layout. Throws Error naming the layer when it is not a
/// convolution or its attributes and input shapes do not fit together.
ConvProblem readConvProblem(const Layer& layer, int64_t opset, const InputShapes& inputs);

}  // namespace kiln::backend::cpu
