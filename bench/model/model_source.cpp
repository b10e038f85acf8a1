#include "bench/model/model_source.h"

#include <cstdio>
#include <cstdlib>

#include "base/error.h"
#include "base/units.h"
#include "loader/synth/synth_model.h"

namespace rotary::bench {

std::filesystem::path default_synth_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::filesystem::path(x) / "rotary" / "synth";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::filesystem::path(h) / ".cache" / "rotary" / "synth";
  return "rotary-synth";
}

ModelSource resolve_model(const std::string& spec, const std::filesystem::path& synth_dir) {
  ModelSource src;
  src.name = spec;
  if (spec.rfind("synth:", 0) != 0) {
    src.path = spec;
    require(std::filesystem::is_regular_file(src.path), ErrorKind::Io,
            "no such model file: " + spec + " (or use synth:PRESET, e.g. synth:tiny-qwen3moe)");
    src.name = src.path.filename().string();
    return src;
  }
  std::string rest = spec.substr(6), quant_name = "Q4_K_M";
  if (const size_t colon = rest.find(':'); colon != std::string::npos) {
    quant_name = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  const auto quant = synth::synth_quant_from_name(quant_name);
  require(quant.has_value(), ErrorKind::InvalidArgument,
          "unknown type '" + quant_name + "' in " + spec + "; synth writes " +
              synth::synth_quant_names());
  const synth::SynthPreset& preset = synth::find_synth_preset(rest);
  src.synthetic = true;
  src.path = synth_dir /
             (preset.name + "-" + std::string(synth::synth_quant_name(*quant)) + "-seed0.gguf");
  if (std::filesystem::is_regular_file(src.path)) return src;
  std::error_code ec;
  std::filesystem::create_directories(synth_dir, ec);
  require(!ec, ErrorKind::Io,
          "cannot create " + synth_dir.string() + ": " + ec.message() + " (choose --synth-dir)");
  synth::SynthOptions options;
  options.quant = *quant;
  options.progress = true;
  const synth::SynthModel model = synth::plan_synth_model(preset, options);
  std::fprintf(stderr, "bench: writing %s (%s, once; later runs reuse it)\n",
               src.path.string().c_str(), format_bytes(model.tensor_bytes).c_str());
  synth::write_synth_model(model, src.path);
  return src;
}

}  // namespace rotary::bench
