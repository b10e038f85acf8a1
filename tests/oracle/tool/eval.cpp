// rotary-oracle eval: the prompt in one batch, then greedy steps one token at a time; the logits of
// every position go to a .npy. The settings for exact comparisons (oracle.md): F32 KV cache,
// flash attention off, an explicit thread count.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "base/npy.h"
#include "tests/oracle/tool/commands.h"
#include "tests/oracle/tool/llama_env.h"
#include "tests/oracle/tool/tensor_dump.h"

namespace rotary::oracle {

namespace {

ggml_type parse_kv_type(const std::string& name) {
  if (name == "f32") return GGML_TYPE_F32;
  if (name == "f16") return GGML_TYPE_F16;
  if (name == "bf16") return GGML_TYPE_BF16;
  if (name == "q8_0") return GGML_TYPE_Q8_0;
  if (name == "q4_0") return GGML_TYPE_Q4_0;
  throw Error(ErrorKind::InvalidArgument,
              "--kv-type must be f32, f16, bf16, q8_0 or q4_0, not '" + name + "'");
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = std::min(s.find(',', start), s.size());
    if (end > start) parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Decodes `tokens` at positions first_pos.. of sequence 0, with logits for every one of them,
// and appends those rows to `logits`.
void decode_rows(llama_context* ctx, const std::vector<llama_token>& tokens, int32_t first_pos, int32_t vocab,
                 std::vector<float>& logits) {
  const auto n = static_cast<int32_t>(tokens.size());
  llama_batch batch = llama_batch_init(n, 0, 1);
  batch.n_tokens = n;
  for (int32_t i = 0; i < n; ++i) {
    batch.token[i] = tokens[static_cast<size_t>(i)];
    batch.pos[i] = first_pos + i;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = 0;
    batch.logits[i] = 1;
  }
  const int32_t rc = llama_decode(ctx, batch);
  llama_batch_free(batch);
  require(rc == 0, ErrorKind::Internal,
          "llama_decode failed with " + std::to_string(rc) + " at positions " + std::to_string(first_pos) + ".." +
              std::to_string(first_pos + n - 1) + " (its messages are above)");
  for (int32_t i = 0; i < n; ++i) {
    const float* row = llama_get_logits_ith(ctx, i);
    require(row != nullptr, ErrorKind::Internal, "llama.cpp returned no logits for batch row " + std::to_string(i));
    logits.insert(logits.end(), row, row + vocab);
  }
}

// Greedy: the first index of the largest logit.
llama_token argmax(const float* row, int32_t vocab) {
  return static_cast<llama_token>(std::max_element(row, row + vocab) - row);
}

void print_result(const EvalOptions& o, const std::vector<llama_token>& prompt, const std::vector<llama_token>& gen,
                  int32_t vocab, size_t dumped) {
  if (!o.json) {
    std::string line;
    for (llama_token t : gen) line += (line.empty() ? "" : ",") + std::to_string(t);
    std::printf("%s\n", line.c_str());
    return;
  }
  Json j = {{"backend", backend_name(linked_backend())},
            {"model", o.model},
            {"n_vocab", static_cast<int64_t>(vocab)},
            {"prompt_tokens", Json::array()},
            {"generated_tokens", Json::array()},
            {"positions", static_cast<int64_t>(prompt.size() + gen.size())},
            {"logits", o.out.empty() ? Json(nullptr) : Json(o.out)}};
  for (llama_token t : prompt) j["prompt_tokens"].push_back(static_cast<int64_t>(t));
  for (llama_token t : gen) j["generated_tokens"].push_back(static_cast<int64_t>(t));
  if (!o.dump_dir.empty()) j["dumped_tensors"] = static_cast<uint64_t>(dumped);
  std::printf("%s\n", dump_json(j).c_str());
}

}  // namespace

void run_eval(const EvalOptions& o) {
  require_model_file(o.model);
  init_llama(o.verbose);
  ModelPtr model = load_model(o.model, {});
  const std::vector<llama_token> prompt =
      o.tokens.empty() ? tokenize_text(model.get(), o.prompt, true, true) : parse_ids(o.tokens, "--tokens");
  require(!prompt.empty(), ErrorKind::InvalidArgument, "the prompt is empty");
  check_tokens(model.get(), prompt);
  const int32_t vocab = n_vocab(model.get());
  const auto n_prompt = static_cast<int32_t>(prompt.size());
  const int32_t positions = n_prompt + o.n_generate;
  const int32_t n_ctx = o.ctx > 0 ? o.ctx : positions;
  require(positions <= n_ctx, ErrorKind::InvalidArgument,
          "--ctx " + std::to_string(n_ctx) + " is smaller than prompt + n = " + std::to_string(positions));

  std::unique_ptr<TensorDump> dump;
  if (!o.dump_dir.empty()) dump = std::make_unique<TensorDump>(o.dump_dir, split_commas(o.dump_filter));

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(n_ctx);
  // The whole prompt is one micro-batch, so each dumped tensor is written once.
  cp.n_batch = cp.n_ubatch = static_cast<uint32_t>(std::max(n_prompt, 1));
  cp.n_outputs_max_per_seq = 0;
  cp.n_threads = cp.n_threads_batch = o.threads;
  cp.type_k = cp.type_v = parse_kv_type(o.kv_type);
  // llama.cpp needs flash attention for a quantised V cache; everything else runs without it.
  cp.flash_attn_type = ggml_is_quantized(cp.type_v) ? LLAMA_FLASH_ATTN_TYPE_ENABLED
                                                    : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  if (dump) {
    cp.cb_eval = &TensorDump::callback;
    cp.cb_eval_user_data = dump.get();
  }
  ContextPtr ctx = make_context(model.get(), cp);

  std::vector<float> logits;
  logits.reserve(static_cast<size_t>(positions) * static_cast<size_t>(vocab));
  if (dump) dump->set_enabled(true);
  decode_rows(ctx.get(), prompt, 0, vocab, logits);
  if (dump) dump->set_enabled(false);

  std::vector<llama_token> generated;
  for (int32_t k = 0; k < o.n_generate; ++k) {
    const llama_token next = argmax(logits.data() + logits.size() - static_cast<size_t>(vocab), vocab);
    generated.push_back(next);
    decode_rows(ctx.get(), {next}, n_prompt + k, vocab, logits);
  }

  if (!o.out.empty()) {
    write_npy(o.out, {static_cast<uint64_t>(positions), static_cast<uint64_t>(vocab), std::move(logits)});
  }
  if (dump) dump->write_index();
  print_result(o, prompt, generated, vocab, dump ? dump->count() : 0);
}

}  // namespace rotary::oracle
