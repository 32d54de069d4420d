#include "backend/cuda/device_tensors.h"

#include "kiln/errors.h"

namespace kiln::backend::cuda {

std::vector<DeviceTensor> describeTensors(const Network& network, const std::vector<std::string>& names,
                                          const build::HostEvaluation& host) {
  std::vector<DeviceTensor> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    DeviceTensor d;
    if (name.empty()) {
      out.push_back(d);
      continue;
    }
    const Tensor& t = network.tensor(name);
    auto sizes = t.dims.sizes();
    if (!sizes) {
      throw Error(ErrorCode::kUnsupportedOp, "the shape of tensor '" + name + "' (" + t.dims.str() +
                                                 ") depends on data; the cuda target needs shapes that follow from the input shapes");
    }
    d.type = t.type;
    d.shape = *sizes;
    if (t.data) d.host = t.data.get();
    else if (auto it = host.values.find(name); it != host.values.end()) d.host = &it->second;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace kiln::backend::cuda
