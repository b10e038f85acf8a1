// write_synth_model: streams a planned synth model to disk. Tensors are cut into chunks of whole
// rows (8 MiB or a little more); worker threads generate chunks ahead of the writer, which hands them to
// the GGUF writer in file order, so memory stays at a few chunks whatever the model's size.
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "base/error.h"
#include "base/progress.h"
#include "base/units.h"
#include "loader/gguf_writer.h"
#include "loader/quant/quantize.h"
#include "loader/synth/ordered_chunks.h"
#include "loader/synth/random.h"
#include "loader/synth/synth_model.h"

namespace rotary::synth {

namespace {

// At least 8 MiB per chunk (the last of a tensor aside): the GGUF writer's file sink hands spans
// that large straight to write(2) instead of copying them into its 8 MiB buffer
// (loader/gguf_sink.cpp), which saves one copy of the whole model on the writing thread.
constexpr uint64_t kChunkBytes = 8u << 20;
// Keeps the random-block streams apart from the float-row streams of the same tensor.
constexpr uint64_t kBlockStreamDomain = 0xB10C5B10C5B10C5Bull;

struct Chunk {
  size_t tensor;
  uint64_t first_row;
  uint64_t n_rows;
  uint64_t index;  // within its tensor
  uint64_t bytes;
};

// The chunking depends only on each tensor's row size, never on the thread count, so that the
// random-block streams (one per chunk) make the same file on any machine.
std::vector<Chunk> cut_chunks(const SynthModel& m) {
  std::vector<Chunk> chunks;
  for (size_t t = 0; t < m.tensors.size(); ++t) {
    const SynthTensor& tensor = m.tensors[t];
    const uint64_t row_bytes = tensor.n_bytes / tensor.n_rows();
    const uint64_t rows_per_chunk = (kChunkBytes + row_bytes - 1) / row_bytes;
    uint64_t index = 0;
    for (uint64_t r = 0; r < tensor.n_rows(); r += rows_per_chunk, ++index) {
      const uint64_t n = std::min(rows_per_chunk, tensor.n_rows() - r);
      chunks.push_back({t, r, n, index, n * row_bytes});
    }
  }
  return chunks;
}

void produce_chunk(const SynthModel& m, const Chunk& c, std::span<std::byte> out) {
  const SynthTensor& t = m.tensors[c.tensor];
  const uint64_t key = name_key(t.name);
  if (t.random_blocks) {
    Xoshiro256 rng(stream_seed(m.options.seed, key ^ kBlockStreamDomain, c.index));
    generate_random_blocks(t.type, t.init.b, rng, out);
    return;
  }
  const uint64_t row_bytes = c.bytes / c.n_rows;
  std::vector<float> row(t.row_elements());
  for (uint64_t r = 0; r < c.n_rows; ++r) {
    generate_float_row(t.init, m.options.seed, key, c.first_row + r, row);
    quant::quantize_row(t.type, row.data(), out.data() + r * row_bytes,
                        static_cast<int64_t>(row.size()));
  }
}

void check_destination(const std::filesystem::path& path, uint64_t bytes) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  require(std::filesystem::is_directory(dir, ec), ErrorKind::Io,
          "cannot write " + path.string() + ": the directory " + dir.string() + " does not exist");
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) == 0) {
    const uint64_t free_bytes = uint64_t{fs.f_bavail} * fs.f_frsize;
    require(free_bytes >= bytes, ErrorKind::Io,
            "cannot write " + path.string() + ": the model needs " + format_bytes(bytes) +
                " but only " + format_bytes(free_bytes) +
                " are free there; choose another directory or a smaller preset or type");
  }
}

}  // namespace

SynthWriteResult write_synth_model(const SynthModel& m, const std::filesystem::path& path) {
  const auto start = std::chrono::steady_clock::now();
  GgufWriter writer;
  for (const auto& kv : m.metadata.entries()) writer.set(kv.key, kv.value);
  for (const auto& t : m.tensors) writer.add_tensor_info(t.name, t.type, t.shape);
  const uint64_t file_bytes = writer.file_size();
  check_destination(path, file_bytes);

  std::filesystem::path tmp = path;
  tmp += ".tmp";
  writer.open(tmp);
  const std::vector<Chunk> chunks = cut_chunks(m);
  ProgressBar progress("synth " + path.filename().string(), m.tensor_bytes, m.options.progress);
  uint64_t done = 0;
  run_ordered_chunks(
      chunks.size(), [&](size_t i) { return chunks[i].bytes; },
      [&](size_t i, std::span<std::byte> out) { produce_chunk(m, chunks[i], out); },
      [&](size_t i, std::span<const std::byte> bytes) {
        const Chunk& c = chunks[i];
        if (c.first_row == 0) writer.begin_tensor(m.tensors[c.tensor].name);
        writer.write_bytes(bytes);
        if (c.first_row + c.n_rows == m.tensors[c.tensor].n_rows()) writer.end_tensor();
        progress.update(done += bytes.size());
      },
      {m.options.threads, 2 * std::max(1u, m.options.threads) + 2});
  writer.finish();
  progress.finish();
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw Error(ErrorKind::Io,
                "cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {file_bytes, secs};
}

}  // namespace rotary::synth
