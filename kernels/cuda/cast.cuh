// Type conversions: Cast, QuantizeLinear and DequantizeLinear. One output
// element per thread, reading inputs through elementwise Operands (the scale
// and zero point broadcast per tensor or per axis). Host-safe: no device code.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/elementwise.cuh"
#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// y = x converted from `from` to `to`, as the reference's Cast: integers to
/// integers wrap; everything else goes through double; floats to integers
/// truncate toward zero (non-finite values give 0, values outside int32 range
/// give the x86 "integer indefinite" value for 8- and 32-bit targets); to
/// bool is v != 0; f64 to f16/bf16 rounds through float. Every pair of
/// ElemTypes is supported.
cudaError_t launchCast(ElemType from, ElemType to, const void* x, void* y, int64_t n, cudaStream_t stream);

/// Empty when launchQuantize handles these types; otherwise why not.
const char* quantizeSupport(ElemType x, ElemType scale, ElemType y);
/// y = saturate(round_half_even(x / scale) + zero_point) into i8 or u8. x is
/// f32, f16, bf16 or i32 (contiguous, n elements); scale f32, f16 or bf16;
/// zeroPoint has y's type, or null data for 0. The division runs in float.
cudaError_t launchQuantize(const Operand& x, const Operand& scale, const Operand& zeroPoint, ElemType yType,
                           void* y, int64_t n, cudaStream_t stream);

/// Empty when launchDequantize handles these types; otherwise why not.
const char* dequantizeSupport(ElemType x, ElemType scale);
/// y = (x - zero_point) * scale computed in double, stored in the scale's
/// type. x is i8, u8 or i32 (contiguous, n elements); zeroPoint has x's type,
/// or null data for 0.
cudaError_t launchDequantize(const Operand& x, const Operand& scale, const Operand& zeroPoint, void* y, int64_t n,
                             cudaStream_t stream);

}  // namespace kiln::kernels::cuda
