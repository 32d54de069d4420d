// Conversion between ONNX TensorProto / element types and Kiln's HostTensor.
#pragma once

#include <optional>
#include <string>

#include <onnx/onnx_pb.h>

#include "kiln/types.h"

namespace kiln::onnximport {

/// Kiln's type for an ONNX element type, or nullopt (string, complex, ...).
std::optional<DataType> fromOnnxType(int32_t onnxType);
/// The ONNX element type of a Kiln type.
int32_t toOnnxType(DataType t);
/// The ONNX name of an element type ("FLOAT", "STRING", ...), for messages.
std::string onnxTypeName(int32_t onnxType);

/// Reads a TensorProto, with external data resolved relative to `baseDir`.
/// Throws Error (kUnsupportedType, kInvalidModel, kFileNotFound) naming the tensor.
HostTensor tensorFromProto(const onnx::TensorProto& proto, const std::string& baseDir);

/// Writes a HostTensor into a TensorProto (raw_data, little-endian).
void tensorToProto(const HostTensor& t, const std::string& name, onnx::TensorProto* proto);

}  // namespace kiln::onnximport
