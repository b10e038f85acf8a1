#pragma once
// A random-weight GGUF model with the exact tensor names, shapes and metadata of a real one
// (`rotary synth`). Planning builds the metadata (hyperparameters, a byte-level BPE tokenizer,
// a ChatML template or the one given), reads it back through read_hparams and takes the tensor list from the
// architecture's catalogue (model_catalog.h), so synth files and real files cannot disagree
// about what a model holds. Writing streams the tensors to FILE.tmp on worker threads, in
// bounded memory, and renames it to FILE when complete.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "loader/ggml_types.h"
#include "loader/gguf_metadata.h"
#include "loader/hparams.h"
#include "loader/synth/mix.h"
#include "loader/synth/preset.h"
#include "loader/synth/weights.h"

namespace rotary::synth {

// How quantised tensors get their bytes. Floats: draw each row as floats and quantize it with
// loader/quant/quantize.h (a tensor then holds the same weights, up to rounding, in every
// type). Blocks: draw the blocks directly (generate_random_blocks), at disk speed. Auto: floats
// below kAutoBlocksParams parameters, blocks above. F32/F16/BF16 tensors are always floats.
enum class SynthWeights { Auto, Floats, Blocks };
inline constexpr uint64_t kAutoBlocksParams = uint64_t{1} << 30;

struct SynthOptions {
  SynthQuant quant = SynthQuant::Q4_K_M;
  uint64_t seed = 0;
  SynthWeights weights = SynthWeights::Auto;
  unsigned threads = 2;   // generator threads; 0 generates on the writing thread
  bool progress = false;  // a progress bar on stderr (when it is a terminal)
  std::string chat_template;  // tokenizer.chat_template; "" for kSynthChatTemplate (vocab.h)
};

struct SynthTensor {
  std::string name;
  std::vector<uint64_t> shape;  // ne order
  GgmlType type = GgmlType::F32;
  WeightInit init;
  bool random_blocks = false;  // generate_random_blocks rather than quantised floats
  uint64_t n_bytes = 0;
  uint64_t row_elements() const { return shape[0]; }
  uint64_t n_rows() const;
};

struct SynthModel {
  SynthPreset preset;
  SynthOptions options;
  GgufMetadata metadata;
  ModelHparams hparams;
  std::vector<SynthTensor> tensors;  // in file order
  uint64_t parameters = 0;
  uint64_t tensor_bytes = 0;  // sum of tensor sizes, without padding or header
};

// Error(InvalidArgument) when a tensor's rows cannot be held by its type (a K-quant or IQ4_XS
// row that is not a multiple of 256 elements, ...): the message names the tensor and what to
// change.
SynthModel plan_synth_model(const SynthPreset& preset, const SynthOptions& options);

struct SynthWriteResult {
  uint64_t file_bytes = 0;
  double seconds = 0;
};

// Writes the model to `path` (through `path`.tmp, renamed at the end: an interrupted run never
// leaves a truncated `path`). Error(Io) when the directory is missing or not writable, when the
// file system lacks the space (checked before writing) or when a write fails.
SynthWriteResult write_synth_model(const SynthModel& model, const std::filesystem::path& path);

}  // namespace rotary::synth
