// Kiln's one error type. Every failure that a user can cause (a bad file, an
// unsupported op, a shape mismatch) surfaces as a kiln::Error that says what
// went wrong and where: library code never exits or aborts.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kiln {

/// What kind of failure an Error reports.
enum class ErrorCode : int32_t {
  kInvalidArgument = 1,  ///< a caller passed a value outside the contract
  kFileNotFound = 2,     ///< a file (model, data, plan) does not exist or cannot be read
  kInvalidModel = 3,     ///< a file is not a valid model: not ONNX, truncated, inconsistent
  kCheckerFailed = 4,    ///< the ONNX checker rejected the model
  kUnsupportedOp = 5,    ///< the model uses operators Kiln cannot run
  kUnsupportedType = 6,  ///< a tensor has a data type Kiln cannot handle
  kShapeMismatch = 7,    ///< shapes of inputs do not fit the operator or the model
  kInvalidPlan = 8,      ///< a plan file is corrupt, truncated or from another target
  kIoError = 9,          ///< writing a file failed
  kCancelled = 10,       ///< long work was cancelled by the user
  kInternal = 11,        ///< a broken invariant inside Kiln (a bug)
};

/// Where an error happened. Empty fields are unknown; opset < 0 is unknown.
struct ErrorLocation {
  std::string file;     ///< the model, data or plan file
  std::string node;     ///< the ONNX node or layer name
  std::string op;       ///< its operator type
  int64_t opset = -1;   ///< the opset of the operator's domain
};

/// The exception type thrown by Kiln's core. what() is one line that names the
/// problem and its location, ready to show to a user.
class Error : public std::runtime_error {
 public:
  /// Makes an error; `message` says what was expected and what was found.
  Error(ErrorCode code, std::string message, ErrorLocation where = {});

  /// The kind of failure.
  ErrorCode code() const noexcept { return code_; }
  /// The bare message, without the location.
  const std::string& message() const noexcept { return message_; }
  /// Where it happened.
  const ErrorLocation& location() const noexcept { return where_; }

  /// Returns a copy of this error with empty location fields filled from `outer`.
  Error withContext(const ErrorLocation& outer) const;

 private:
  ErrorCode code_;
  std::string message_;
  ErrorLocation where_;
};

/// A short name for an error code ("unsupported-op", ...).
const char* toString(ErrorCode code) noexcept;

}  // namespace kiln
