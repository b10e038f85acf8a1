#pragma once
// Writes llama.cpp's named intermediate tensors (attn_norm-0, Qcur-0, ffn_moe_out-1,
// result_output, ...) as .npy files while a graph runs, through the scheduler's eval callback
// (llama_context_params::cb_eval). Used to find the first layer where rotary and llama.cpp diverge.
#include <ggml.h>

#include <map>
#include <string>
#include <vector>

namespace rotary::oracle {

class TensorDump {
 public:
  // `filters`: keep only tensors whose name contains one of these (all when empty).
  TensorDump(std::string dir, std::vector<std::string> filters);

  // For llama_context_params::cb_eval; `user` is the TensorDump.
  static bool callback(ggml_tensor* t, bool ask, void* user);

  // Only graphs run while enabled are dumped (eval enables it for the prompt).
  void set_enabled(bool on) { enabled_ = on; }

  // Writes DIR/index.json: every tensor in evaluation order with its file, op, type and ggml shape
  // (outermost first). Each file is float32 [elements / ne0, ne0].
  void write_index() const;
  size_t count() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name, file, op, type;
    std::vector<int64_t> shape;
    std::string skipped;  // why it was not written, empty when it was
  };
  bool wanted(const ggml_tensor* t) const;
  void save(const ggml_tensor* t);
  std::string file_name_for(const std::string& name);

  std::string dir_;
  std::vector<std::string> filters_;
  bool enabled_ = false;
  std::vector<Entry> entries_;
  std::map<std::string, int> seen_;  // name -> times written (a name can repeat within a graph)
};

}  // namespace rotary::oracle
