// The ONNX backend-test runner: runs `test_*/model.onnx` against its
// `test_data_set_*/input_*.pb` and compares with `output_*.pb`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln {

/// Options of runConformance().
struct ConformanceOptions {
  std::string backend = "cpu";  ///< the backend to run on; "cuda" always runs through plans
  std::string filter;           ///< only test directories whose name contains this
  /// Build a plan for each model (sized by its test data), load it with the
  /// Runtime and run that, instead of running the model directly.
  bool viaPlan = false;
};

/// Result of one test case.
struct ConformanceResult {
  /// How the case ended.
  enum class Status : int32_t {
    kPass = 0,         ///< every output within tolerance
    kFail = 1,         ///< a wrong output, or an error while loading or running
    kUnsupported = 2,  ///< the model uses operators or types Kiln does not support
  };
  std::string name;        ///< the test directory's name
  Status status = Status::kFail;
  double maxError = 0;     ///< the largest |out - ref| over all outputs
  std::string detail;      ///< why it failed, or which ops are unsupported
};

/// Runs every test case below `dir` (sorted by name), calling `onResult`
/// after each one. Returns all results. Throws Error when `dir` is not a
/// directory or the backend is unknown.
std::vector<ConformanceResult> runConformance(const std::string& dir, const ConformanceOptions& options,
                                              const std::function<void(const ConformanceResult&)>& onResult = {});

/// Compares `out` with `ref`: shapes and types must agree, and each element
/// must satisfy |out - ref| <= atol + rtol * |ref| with tolerances chosen by
/// the type; NaN must match NaN. Sets `maxError`; returns "" or why not.
std::string compareTensors(const HostTensor& out, const HostTensor& ref, double* maxError);

}  // namespace kiln
