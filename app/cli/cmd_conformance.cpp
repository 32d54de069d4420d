#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "kiln/conformance.h"
#include "kiln/version.h"

namespace kiln::cli {

Command addConformanceCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("conformance", "Run ONNX backend test cases (test_*/model.onnx with test data sets)");
  auto opts = std::make_shared<ConformanceOptions>();
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Folder of test_* cases, e.g. /usr/share/libonnx-testdata/data/node")->required();
  cmd->add_option("--backend", opts->backend, "Backend to run on")->default_val("cpu");
  cmd->add_option("--filter", opts->filter, "Only cases whose name contains this text");
  cmd->add_flag("--via-plan", opts->viaPlan, "Build a cpu plan of each model and run it through the runtime");
  auto minPass = std::make_shared<int>(0);
  cmd->add_option("--min-pass", *minPass, "Exit with 1 when fewer cases pass");
  return [opts, dir, minPass]() {
    if (opts->backend == "cuda" && !cudaAvailable()) {
      std::printf("no CUDA device on this machine: the cuda conformance run is skipped\n");
      return 77;  // CTest's skip code
    }
    int passed = 0, failed = 0, skipped = 0;
    runConformance(*dir, *opts, [&](const ConformanceResult& r) {
      switch (r.status) {
        case ConformanceResult::Status::kPass:
          ++passed;
          std::printf("pass         %s\n", r.name.c_str());
          break;
        case ConformanceResult::Status::kFail:
          ++failed;
          std::printf("FAIL         %s  max error %.3g: %s\n", r.name.c_str(), r.maxError, r.detail.c_str());
          break;
        case ConformanceResult::Status::kUnsupported:
          ++skipped;
          std::printf("unsupported  %s  %s\n", r.name.c_str(), r.detail.c_str());
          break;
      }
      std::fflush(stdout);
    });
    std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    if (passed < *minPass) {
      std::fprintf(stderr, "kiln: error: %d cases passed; at least %d were expected\n", passed, *minPass);
      return 1;
    }
    return 0;
  };
}

}  // namespace kiln::cli
