// Statistics of a constant tensor (weights) for the properties panel.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/types.h"

namespace kiln::ui {

/// Summary of a tensor's values. NaNs are counted apart and left out of the rest.
struct TensorStats {
  int64_t count = 0;        ///< elements
  int64_t nanCount = 0;     ///< NaN elements
  double min = 0, max = 0;  ///< extremes of the non-NaN elements
  double mean = 0;          ///< their mean
  double stddev = 0;        ///< their population standard deviation
  double binLow = 0;        ///< left edge of the first histogram bin
  double binWidth = 0;      ///< width of each bin
  std::vector<int64_t> bins;  ///< histogram counts over [min, max]
};

/// Computes the stats and a `binCount`-bin histogram. Reads every element:
/// run it off the UI thread for large tensors. A placeholder without data
/// gives count only.
TensorStats computeTensorStats(const HostTensor& tensor, int binCount = 48);

}  // namespace kiln::ui
