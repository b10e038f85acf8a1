// `rotary serve`: an OpenAI-compatible HTTP server for one model. The socket is bound first (so
// /health answers 503 while the weights load), then the model loads and one worker thread
// serves the requests in arrival order. SIGINT and SIGTERM finish the current token, end the
// responses under way and exit 0.
#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/serve/http_server.h"
#include "loader/tokenizer_data.h"
#include "runtime/session.h"

namespace rotary::cli {

namespace {

struct ServeArgs {
  std::string model, host = "127.0.0.1", api_key, alias, kwargs_text;
  int port = 8080;
  size_t queue = 8;
  uint32_t n = 0;
  SamplingParams sampling;
  std::shared_ptr<bool> seed_given = std::make_shared<bool>(false);
  RuntimeOptions options;
};

bool loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// The model's chat template, or why there is none (the server then serves raw completions only).
void choose_chat_template(const LoadedModel& m, serve::ModelState& state) {
  try {
    state.chat_template = ChatTemplate::from_model(read_tokenizer_data(m.file.metadata()));
  } catch (const Error& e) {
    state.template_error = e.what();
    std::fprintf(stderr, "rotary serve: warning: /v1/chat/completions is off: %s\n", e.what());
  }
}

serve::Json parse_kwargs(const std::string& text) {
  if (text.empty()) return serve::Json::object();
  serve::Json v = serve::Json::parse(text, nullptr, false);
  require(!v.is_discarded() && v.is_object(), ErrorKind::InvalidArgument,
          "--chat-template-kwargs must be a JSON object, e.g. '{\"enable_thinking\": false}'");
  return v;
}

// Waits for SIGINT or SIGTERM (blocked in every thread, taken by one of its own). Its state
// outlives the command: the thread that waits for the signal is never joined.
class StopSignal {
 public:
  StopSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([state = state_, set] {
      int sig = 0;
      sigwait(&set, &sig);
      std::lock_guard lock(state->mutex);
      if (!state->loaded) {
        // Nothing is being served yet: no token to finish.
        std::fprintf(stderr, "rotary serve: stopped while loading the model\n");
        std::_Exit(0);
      }
      state->raised = true;
      state->changed.notify_all();
    }).detach();
  }
  void loaded() {
    std::lock_guard lock(state_->mutex);
    state_->loaded = true;
  }
  void wait() {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [&] { return state_->raised; });
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    bool loaded = false, raised = false;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

int serve_command(ServeArgs& a) {
  require(a.port >= 0 && a.port <= 65535, ErrorKind::InvalidArgument,
          "--port must be 0 to 65535 (0: any free port)");
  require(a.queue >= 1, ErrorKind::InvalidArgument, "--queue must be at least 1");
  serve::ServerConfig config;
  config.model_name =
      a.alias.empty() ? std::filesystem::path(a.model).filename().string() : a.alias;
  config.api_key = a.api_key;
  config.queue = a.queue;
  config.sampling = a.sampling;
  Sampler check(a.sampling);  // bad sampling flags fail now, not per request
  config.seed_given = *a.seed_given;
  if (a.n) config.max_tokens = a.n;
  config.template_kwargs = parse_kwargs(a.kwargs_text);
  a.options.resolve();
  LoadedModel m = open_model(a.model);

  StopSignal stop;  // before any thread starts, so that every thread blocks the signals
  serve::HttpServer server(config);
  const int port = server.bind(a.host, a.port);
  std::fprintf(
      stderr, "rotary serve: listening on http://%s:%d (OpenAI API at /v1)\n",
      a.host.find(':') != std::string::npos ? ("[" + a.host + "]").c_str() : a.host.c_str(), port);
  if (!loopback(a.host) && a.api_key.empty())
    std::fprintf(stderr,
                 "rotary serve: warning: %s is reachable from other machines and there is no "
                 "--api-key: anyone who "
                 "can reach it can use the model\n",
                 a.host.c_str());
  std::thread http([&] { server.listen(); });
  // The server stops before anything it uses goes (on the way out of an error too).
  struct Join {
    serve::HttpServer& server;
    std::thread& http;
    void operator()() {
      if (!http.joinable()) return;
      server.stop();
      http.join();
    }
    ~Join() { (*this)(); }
  } join{server, http};

  start_model(m, a.options);
  serve::ModelState state;
  state.tokenizer = m.tokenizer.get();
  state.context = m.model->context();
  choose_chat_template(m, state);
  Session session(*m.gpu, *m.model, m.tokenizer.get(), a.sampling);
  serve::GenerationWorker worker(session, *m.tokenizer, a.queue);
  state.worker = &worker;
  server.set_ready(std::move(state));
  stop.loaded();
  std::fprintf(stderr, "rotary serve: ready (%s, context %u tokens)\n", config.model_name.c_str(),
               m.model->context());

  stop.wait();
  std::fprintf(stderr, "rotary serve: stopping\n");
  server.refuse_new_requests();
  worker.shutdown();      // the current token finishes; waiting requests get 503
  server.wait_idle(5.0);  // the responses under way write their end
  join();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Exit& exit) {
  auto a = std::make_shared<ServeArgs>();
  apply_env_overrides(a->options);
  auto* cmd = app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API");
  add_model_flags(cmd, a->options, a->model);
  cmd->add_option("--host", a->host, "Address to listen on (loopback by default)")
      ->capture_default_str();
  cmd->add_option("--port", a->port, "Port to listen on (0: any free port, printed)")
      ->capture_default_str();
  cmd->add_option("--api-key", a->api_key,
                  "Require 'Authorization: Bearer KEY' on every request but /health");
  cmd->add_option("-a,--alias", a->alias, "The model's name in the API (default: the file's name)");
  cmd->add_option("--queue", a->queue,
                  "Requests that may wait behind the one being served (more get 503)")
      ->capture_default_str();
  cmd->add_option("-n,--n-predict", a->n,
                  "Default max_tokens per request (0: until the turn ends or the context is full)")
      ->capture_default_str();
  cmd->add_option(
      "--chat-template-kwargs", a->kwargs_text,
      "Template variables for every request, as a JSON object (requests add chat_template_kwargs)");
  add_sampling_flags(cmd, a->sampling, a->seed_given);
  cmd->callback([a, &exit] { exit.code = serve_command(*a); });
}

}  // namespace rotary::cli
