// The default pass pipeline and the driver that runs it.
#include <chrono>

#include "kiln/errors.h"

#include "passes/attention_layouts.h"
#include "passes/channels_last.h"
#include "passes/eliminate_dead_layers.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_conv_act.h"
#include "passes/fuse_pointwise.h"
#include "passes/pass.h"
#include "passes/recognise_attention.h"
#include "passes/recognise_gelu.h"
#include "passes/recognise_hardswish.h"
#include "passes/recognise_layernorm.h"
#include "passes/recognise_softmax.h"
#include "passes/remove_noops.h"
#include "passes/simplify_shuffles.h"

namespace kiln::passes {

std::vector<std::unique_ptr<Pass>> defaultPipeline(const PipelineOptions& options) {
  std::vector<std::unique_ptr<Pass>> p;
  p.push_back(std::make_unique<FoldConstants>());
  p.push_back(std::make_unique<RemoveNoops>());
  p.push_back(std::make_unique<EliminateDeadLayers>());
  if (!options.fuse) return p;
  p.push_back(std::make_unique<FoldBatchNorm>());
  // Recognition runs before fusion so the fused ops see the canonical kiln ops;
  // LayerNorm first, since its Pow/Add/Div would otherwise look like other patterns.
  p.push_back(std::make_unique<RecogniseLayerNorm>());
  p.push_back(std::make_unique<RecogniseGelu>());
  p.push_back(std::make_unique<RecogniseHardSwish>());
  p.push_back(std::make_unique<RecogniseSoftmax>());
  p.push_back(std::make_unique<RecogniseAttention>());
  p.push_back(std::make_unique<SimplifyShuffles>());
  if (options.attentionLayouts) p.push_back(std::make_unique<AttentionLayouts>());
  p.push_back(std::make_unique<FuseConvAct>());
  p.push_back(std::make_unique<FusePointwise>());
  if (options.channelsLast) p.push_back(std::make_unique<ChannelsLast>());
  p.push_back(std::make_unique<EliminateDeadLayers>());
  return p;
}

std::vector<PassRecord> runPipeline(Network& network, const PipelineOptions& options, ProgressMonitor* progress,
                                    const std::atomic<bool>* cancel) {
  auto passes = defaultPipeline(options);
  network.opsets[kKilnDomain] = 1;
  inferShapes(network);
  if (progress) progress->phaseStart("passes", int32_t(passes.size()));
  std::vector<PassRecord> records;
  for (size_t i = 0; i < passes.size(); ++i) {
    if (cancel && cancel->load()) throw Error(ErrorCode::kCancelled, "build cancelled");
    const auto start = std::chrono::steady_clock::now();
    PassRecord record{passes[i]->name(), passes[i]->run(network), 0};
    record.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!record.changes.empty()) inferShapes(network);
    records.push_back(std::move(record));
    if (progress && !progress->stepComplete("passes", int32_t(i + 1))) {
      throw Error(ErrorCode::kCancelled, "build cancelled");
    }
  }
  if (progress) progress->phaseFinish("passes");
  return records;
}

}  // namespace kiln::passes
