#include "build/shapes.h"

#include <algorithm>

#include "kiln/errors.h"

namespace kiln::build {

namespace {
Error profileError(const std::string& what) { return Error(ErrorCode::kInvalidArgument, "optimization profile: " + what); }
}  // namespace

std::vector<OptimizationProfile> resolveProfiles(const Network& network, const std::vector<OptimizationProfile>& given,
                                                 std::vector<std::string>* warnings) {
  std::vector<OptimizationProfile> profiles = given.empty() ? std::vector<OptimizationProfile>(1) : given;
  for (auto& profile : profiles) {
    for (const auto& [name, range] : profile.inputs) {
      if (std::find(network.inputs().begin(), network.inputs().end(), name) == network.inputs().end()) {
        throw profileError("'" + name + "' is not an input of the model");
      }
    }
    for (const auto& name : network.inputs()) {
      const Tensor& t = network.tensor(name);
      if (t.data) continue;
      auto it = profile.inputs.find(name);
      if (it == profile.inputs.end()) {
        if (!t.dims.rankKnown) throw profileError("input '" + name + "' has unknown rank; give its shapes");
        std::vector<int64_t> s;
        bool dynamic = false;
        for (const auto& d : t.dims.d) {
          s.push_back(d.known() ? d.value : 1);
          dynamic = dynamic || !d.known();
        }
        if (dynamic && warnings) {
          warnings->push_back("input '" + name + "' has dynamic dims (" + t.dims.str() + ") and no profile: built for " +
                              shapeString(s));
        }
        profile.inputs[name] = ShapeRange{s, s, s};
        continue;
      }
      ShapeRange& r = it->second;
      const bool scalar = t.dims.rankKnown && t.dims.rank() == 0;
      if (r.opt.empty() && r.min.empty() && r.max.empty() && !scalar) {
        throw profileError("input '" + name + "' has no shapes");
      }
      if (r.opt.empty()) r.opt = !r.max.empty() ? r.max : r.min;
      if (r.min.empty()) r.min = r.opt;
      if (r.max.empty()) r.max = r.opt;
      if (r.min.size() != r.opt.size() || r.max.size() != r.opt.size()) {
        throw profileError("input '" + name + "': min, opt and max have different ranks");
      }
      if (t.dims.rankKnown && t.dims.rank() != r.opt.size()) {
        throw profileError("input '" + name + "' has rank " + std::to_string(t.dims.rank()) + ", the profile gives " +
                           shapeString(r.opt));
      }
      for (size_t i = 0; i < r.opt.size(); ++i) {
        if (!(r.min[i] <= r.opt[i] && r.opt[i] <= r.max[i]) || r.min[i] < 0) {
          throw profileError("input '" + name + "': need min <= opt <= max, got " + shapeString(r.min) + ", " +
                             shapeString(r.opt) + ", " + shapeString(r.max));
        }
        if (t.dims.rankKnown && t.dims[i].known() && (r.min[i] != t.dims[i].value || r.max[i] != t.dims[i].value)) {
          throw profileError("input '" + name + "' dim " + std::to_string(i) + " is fixed at " +
                             std::to_string(t.dims[i].value));
        }
      }
    }
  }
  return profiles;
}

InputShapes optShapes(const OptimizationProfile& profile) {
  InputShapes s;
  for (const auto& [name, r] : profile.inputs) s[name] = r.opt;
  return s;
}

InputShapes maxShapes(const std::vector<OptimizationProfile>& profiles) {
  InputShapes s;
  for (const auto& p : profiles) {
    for (const auto& [name, r] : p.inputs) {
      auto& m = s[name];
      if (m.empty()) m = r.max;
      else for (size_t i = 0; i < m.size() && i < r.max.size(); ++i) m[i] = std::max(m[i], r.max[i]);
    }
  }
  return s;
}

Network inferAt(const Network& network, const InputShapes& shapes, const InputValues& values) {
  Network copy = network;
  for (const auto& [name, v] : values) copy.tensor(name).data = std::make_shared<const HostTensor>(v);
  for (const auto& [name, t] : network.tensors()) {
    if (t.data) continue;
    Tensor& c = copy.tensor(name);
    auto it = shapes.find(name);
    if (it != shapes.end()) c.dims = Dims::of(it->second);
    else if (std::find(network.inputs().begin(), network.inputs().end(), name) == network.inputs().end()) c.dims = Dims::unknownRank();
  }
  inferShapes(copy);
  return copy;
}

InputValues shapeValuesOf(const Network& network, const OptimizationProfile& profile) {
  InputValues values;
  for (const auto& [name, v] : profile.shapeValues) {
    const Tensor& t = network.tensor(name);
    auto range = profile.inputs.find(name);
    std::vector<int64_t> shape = range != profile.inputs.end() ? range->second.opt : std::vector<int64_t>{int64_t(v.size())};
    if (t.type == DataType::kBool || numelOf(shape) != int64_t(v.size())) {
      throw Error(ErrorCode::kInvalidArgument, "optimization profile: the values of '" + name + "' do not fit its type " +
                                                   toString(t.type) + " and shape " + shapeString(shape));
    }
    HostTensor h(t.type, shape);
    for (size_t i = 0; i < v.size(); ++i) h.setFromDouble(int64_t(i), v[i]);
    values[name] = std::move(h);
  }
  return values;
}

bool fitsRange(const ShapeRange& range, const std::vector<int64_t>& shape) {
  if (shape.size() != range.min.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < range.min[i] || shape[i] > range.max[i]) return false;
  }
  return true;
}

}  // namespace kiln::build
