// im2col for 2-D convolutions: unfolds the input windows of one image and
// one group into a matrix, so the convolution becomes a GEMM with the filters.
#pragma once

#include <cstdint>

#include "cpu/conv.h"

namespace kiln::kernels::cpu {

/// Rows of the im2col matrix of one group: (channels per group) x kh x kw.
int64_t im2colRows(const ConvParams& p);
/// Columns of the im2col matrix: outH x outW.
int64_t im2colCols(const ConvParams& p);

/// Fills col (im2colRows x im2colCols, row-major) from x, the first channel
/// of one group of one image ([inChannels / group, inH, inW]): row (c, i, j),
/// column (oh, ow) holds x[c][oh * sh + i * dh - ph][ow * sw + j * dw - pw],
/// zero where that falls in the padding. p must be 2-D.
void im2col2d(const ConvParams& p, const float* x, float* col);

}  // namespace kiln::kernels::cpu
