#include "build/tactic_choice.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "kiln/errors.h"

namespace kiln::build {

int repeatsFor(int level) {
  static const int kRepeats[] = {0, 3, 3, 5, 7, 11};
  return kRepeats[std::clamp(level, 0, 5)];
}

namespace {
// How many supported candidates a level times (the rest are skipped, and say so).
size_t candidatesFor(int level) { return level <= 1 ? 2 : SIZE_MAX; }
}  // namespace

double medianHostTime(const std::function<void()>& run, int repeats, const std::function<void()>& checkCancel) {
  using Clock = std::chrono::steady_clock;
  run();  // warm-up
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    checkCancel();
    auto t = Clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

size_t chooseTactic(std::vector<Candidate>& candidates, const std::string& signature, const std::string& untimable,
                    SelectionContext& ctx, LayerReport& layer) {
  const int level = ctx.config.optimizationLevel;
  size_t timed = 0;
  size_t chosen = SIZE_MAX;
  size_t firstFailed = SIZE_MAX;
  double best = -1;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& cand = candidates[i];
    TacticCandidate c;
    c.tactic = cand.name;
    if (!cand.unsupported.empty()) {
      c.skipped = cand.unsupported;
    } else if (cand.workspace > ctx.config.workspaceBytes) {
      c.skipped = "needs " + std::to_string(cand.workspace) + " bytes of workspace; the limit is " +
                  std::to_string(ctx.config.workspaceBytes);
    } else if (level == 0 || !untimable.empty()) {
      if (chosen == SIZE_MAX) chosen = i;
      else c.skipped = untimable.empty() ? "optimization level 0 takes the first supported tactic" : untimable;
    } else if (timed >= candidatesFor(level)) {
      c.skipped = "optimization level " + std::to_string(level) + " times fewer candidates";
    } else {
      const std::string key = c.tactic + "|" + signature;
      if (auto hit = ctx.cache.find(key)) {
        c.ms = *hit;
        c.fromCache = true;
        ++ctx.report.timingCacheHits;
      } else {
        try {
          c.ms = cand.time();
        } catch (const Error& e) {
          if (e.code() == ErrorCode::kCancelled) throw;
          c.skipped = "failed on synthetic data: " + e.message();
          if (firstFailed == SIZE_MAX) firstFailed = i;
          layer.candidates.push_back(c);
          continue;
        }
        ctx.cache.put(key, c.ms);
        ++ctx.report.timingCacheMisses;
      }
      ++timed;
      if (best < 0 || c.ms < best) {
        best = c.ms;
        chosen = i;
      }
    }
    layer.candidates.push_back(c);
  }
  if (chosen == SIZE_MAX) chosen = firstFailed;  // every supported tactic failed on synthetic data
  if (chosen == SIZE_MAX) {
    std::string why;
    for (const auto& c : layer.candidates) why += (why.empty() ? "" : "; ") + c.tactic + ": " + c.skipped;
    throw Error(ErrorCode::kUnsupportedOp, "no tactic can run the layer (" + why + ")",
                ErrorLocation{{}, layer.name, layer.type, -1});
  }
  layer.tactic = candidates[chosen].name;
  layer.ms = best;
  layer.workspaceBytes = candidates[chosen].workspace;
  ctx.log("layer " + layer.name + ": " + layer.tactic + (best >= 0 ? " (" + std::to_string(best) + " ms)" : ""));
  return chosen;
}

}  // namespace kiln::build
