// Normalization kernels: batch normalization with given statistics, batch
// statistics, and normalization of contiguous blocks by their own mean and
// variance (instance, group and layer normalization).
#pragma once

#include <cstdint>

namespace kiln::kernels::cpu {

/// x viewed as [batch, channels, inner]; statistics are per channel.
struct BatchNormParams {
  int64_t batch = 1;
  int64_t channels = 1;
  int64_t inner = 1;
  double epsilon = 1e-5;
};

/// y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c].
template <class T>
void batchNorm(const BatchNormParams& p, const T* x, const double* scale, const double* bias,
               const double* mean, const double* var, T* y);

/// Per-channel mean and population variance of x over batch and inner.
template <class T>
void batchStats(const BatchNormParams& p, const T* x, double* mean, double* var);

/// x viewed as [blocks, blockSize]; each block is normalized by its own mean
/// and population variance. The element j of block b takes the affine
/// parameter at index (b % period) * channelsPerBlock + j / inner, which
/// covers per-channel (instance), per-group or per-channel (group) and
/// per-element (layer) scales.
struct BlockNormParams {
  int64_t blocks = 1;
  int64_t blockSize = 1;
  int64_t period = 1;
  int64_t channelsPerBlock = 1;
  int64_t inner = 1;
  double epsilon = 1e-5;
};

/// y = (x - mean) / sqrt(var + epsilon) * scale[k] + bias[k]; bias may be
/// null (zero). mean and invStdDev, when not null, receive one value per block.
template <class T>
void blockNorm(const BlockNormParams& p, const T* x, const double* scale, const double* bias, T* y,
               double* mean, double* invStdDev);

}  // namespace kiln::kernels::cpu
