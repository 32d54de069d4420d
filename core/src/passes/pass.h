// Graph passes: small, named rewrites of a Network. Each returns the changes
// it made (none when it does not apply); the pipeline records them in the
// BuildReport.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "kiln/builder.h"
#include "kiln/network.h"
#include "kiln/report.h"

namespace kiln::passes {

/// The operator domain of the layers that passes create.
inline constexpr const char* kKilnDomain = "kiln";

/// One rewrite. A pass filters on op kind first, checks the cheap conditions,
/// then rewrites; when it does not apply it returns no changes, never an error.
/// Every layer it creates carries the union of the origins it replaces.
class Pass {
 public:
  virtual ~Pass() = default;
  /// The stable name ("fold-batchnorm", ...).
  virtual const char* name() const = 0;
  /// Rewrites `network` in place; returns what changed. Graph inputs and
  /// outputs keep their names.
  virtual std::vector<PassChange> run(Network& network) = 0;
};

/// Options of the pipeline.
struct PipelineOptions {
  bool fuse = true;  ///< false runs only the clean-up passes (folding, dead layers, no-ops)
  bool channelsLast = false;  ///< run 2-D convolutions NHWC (GPU builds that allow FP16)
  bool attentionLayouts = false;  ///< fold head transposes into attention (GPU builds that allow FP16)
};

/// The passes in the order they run.
std::vector<std::unique_ptr<Pass>> defaultPipeline(const PipelineOptions& options = {});

/// Runs the pipeline; re-infers shapes after each pass that changed
/// something. Checks `cancel` between passes (throws Error(kCancelled)).
std::vector<PassRecord> runPipeline(Network& network, const PipelineOptions& options = {},
                                    ProgressMonitor* progress = nullptr,
                                    const std::atomic<bool>* cancel = nullptr);

}  // namespace kiln::passes
