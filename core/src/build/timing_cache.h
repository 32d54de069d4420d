// Tactic times remembered across builds, keyed by device and tactic signature
// (tactic name + layer op, attributes, input types and shapes, precision).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "kiln/builder.h"

namespace kiln::build {

/// A timing cache. Loading a corrupt file or one from another device yields an
/// empty cache and a warning, never an error.
class TimingCache {
 public:
  /// An empty cache for `device`.
  explicit TimingCache(std::string device) : device_(std::move(device)) {}

  /// Loads `path` if it exists; returns a warning when it was ignored.
  std::string load(const std::string& path);
  /// Writes the cache; throws Error(kIoError) on failure.
  void save(const std::string& path) const;

  std::optional<double> find(const std::string& key) const;
  void put(const std::string& key, double ms);
  size_t size() const { return entries_.size(); }

 private:
  std::string device_;
  std::map<std::string, double> entries_;
};

/// The signature of a layer as a tactic sees it: op, attributes, input types
/// and shapes, precision. Equal signatures time alike.
std::string layerSignature(const Layer& layer, const std::vector<std::string>& inputTypes,
                           const std::vector<std::vector<int64_t>>& inputShapes, Precision precision);

}  // namespace kiln::build
