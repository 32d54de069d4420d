// Choosing among a layer's tactics: the rules every target shares (support,
// workspace limit, optimization level, timing cache, fastest wins) and the
// record of every candidate in the report.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "build/timing_cache.h"
#include "kiln/builder.h"
#include "kiln/report.h"

namespace kiln::build {

/// What a target's tactic selection needs from the build around it.
struct SelectionContext {
  const BuilderConfig& config;
  TimingCache& cache;
  BuildReport& report;
  std::function<void()> checkCancel;            ///< throws Error(kCancelled)
  std::function<void(const std::string&)> log;  ///< a verbose line
};

/// One tactic offered for a layer.
struct Candidate {
  std::string name;
  std::string unsupported;        ///< why it cannot run the layer; empty when it can
  int64_t workspace = 0;          ///< scratch bytes it needs
  std::function<double()> time;   ///< measures its median time in ms; may throw Error
};

/// Picks a tactic for one layer. `untimable` (when not empty) says why no
/// tactic can be timed (the first supported one is then taken). Fills
/// `layer.candidates`, `tactic`, `ms` and `workspaceBytes`; returns the index
/// of the chosen candidate. Throws Error naming every reason when none fits.
size_t chooseTactic(std::vector<Candidate>& candidates, const std::string& signature, const std::string& untimable,
                    SelectionContext& ctx, LayerReport& layer);

/// Median of `repeats` timed calls of `run` after one warm-up, in ms, using
/// the host clock (`run` must return only once its work is done).
double medianHostTime(const std::function<void()>& run, int repeats, const std::function<void()>& checkCancel);

/// Timed repeats per optimization level.
int repeatsFor(int level);

}  // namespace kiln::build
