#pragma once
// The HTTP side of `rotary serve` (cpp-httplib): routes, the API key, OpenAI-shaped errors for
// everything that goes wrong (404, 413, bad JSON, ...), and the two completion endpoints, plain
// and streamed. It answers /health from the moment it is bound (503 while the model loads).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/json.h"

#include "cli/serve/generation_worker.h"
#include "loader/tokenizer/chat_template.h"
#include "loader/tokenizer/tokenizer.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace rotary::serve {

struct ServerConfig {
  std::string model_name;  // what /v1/models lists and responses name
  std::string api_key;     // "" for none
  size_t max_body = 8u << 20;
  size_t queue = 8;         // requests that may wait behind the one being served
  SamplingParams sampling;  // defaults for every request
  bool seed_given = false;  // --seed: every request without a seed uses it (else a random one)
  std::optional<uint32_t> max_tokens;  // -n: the default max_tokens
  Json template_kwargs = Json::object();
};

// What the handlers need once the model is loaded.
struct ModelState {
  const Tokenizer* tokenizer = nullptr;
  std::optional<ChatTemplate> chat_template;  // unset: the model's template is not supported
  std::string template_error;                 // why, for /v1/chat/completions
  uint32_t context = 0;
  GenerationWorker* worker = nullptr;
};

class HttpServer {
 public:
  explicit HttpServer(ServerConfig config);
  ~HttpServer();

  // Binds host:port (port 0: any free port); returns the port. Throws Error(Io).
  int bind(const std::string& host, int port);
  // Serves until stop(); call on its own thread.
  void listen();
  void set_ready(ModelState state);
  // Refuses new completions (503); those under way go on.
  void refuse_new_requests() { refusing_ = true; }
  // Waits (up to `seconds`) until no completion response is being written.
  void wait_idle(double seconds) const;
  void stop();

 private:
  void routes();
  bool authorised(const httplib::Request& req, httplib::Response& res) const;
  void chat(const httplib::Request& req, httplib::Response& res);
  void completion(const httplib::Request& req, httplib::Response& res);
  // Checks the prompt fits and queues it; throws ApiError (400, 503).
  std::shared_ptr<GenerationJob> submit(std::vector<int32_t> prompt,
                                        const GenerationRequest& request, const char* param);
  SamplingParams request_defaults() const;
  ResponseId next_id(const char* prefix);

  ServerConfig config_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<ModelState> model_;
  std::atomic<bool> ready_{false}, refusing_{false};
  std::atomic<uint64_t> ids_{0};
  std::shared_ptr<std::atomic<int>> active_ =
      std::make_shared<std::atomic<int>>(0);  // responses being written
};

}  // namespace rotary::serve
