#include "cli/serve/http_server.h"

#include <httplib.h>

#include <chrono>
#include <random>
#include <thread>

#include "base/error.h"
#include "cli/serve/openai_response.h"

namespace rotary::serve {

namespace {

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status;
  res.set_content(dump_json(error_json(e)), "application/json");
}

// Compares without an early exit, so that the time taken says nothing about the key.
bool same_secret(const std::string& a, const std::string& b) {
  unsigned diff = a.size() != b.size();
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(b[i % std::max<size_t>(b.size(), 1)]);
  return diff == 0;
}

int64_t unix_time() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

HttpServer::HttpServer(ServerConfig config)
    : config_(std::move(config)), http_(std::make_unique<httplib::Server>()) {
  // Each streaming client holds a thread while it waits: enough for the queue and the probes.
  const size_t threads = config_.queue + 8;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(config_.max_body);
  http_->set_keep_alive_timeout(2);
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind the same port and
  // take half the connections: only SO_REUSEADDR (a restart need not wait for TIME_WAIT).
  http_->set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  routes();
}

HttpServer::~HttpServer() = default;

int HttpServer::bind(const std::string& host, int port) {
  const int bound =
      port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  require(bound > 0, ErrorKind::Io,
          "cannot listen on " + host + ":" + std::to_string(port) +
              " (in use, or not an address of this machine)");
  return bound;
}

void HttpServer::listen() {
  http_->listen_after_bind();
}

void HttpServer::stop() {
  http_->stop();
}

void HttpServer::set_ready(ModelState state) {
  model_ = std::make_unique<ModelState>(std::move(state));
  ready_ = true;
}

void HttpServer::wait_idle(double seconds) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (*active_ > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

bool HttpServer::authorised(const httplib::Request& req, httplib::Response& res) const {
  if (config_.api_key.empty() || req.path == "/health") return true;
  const std::string given = req.get_header_value("Authorization");
  if (given.starts_with("Bearer ") && same_secret(given.substr(7), config_.api_key)) return true;
  send_error(res, ApiError(401,
                           given.empty() ? "no API key: send the header 'Authorization: Bearer KEY'"
                                         : "wrong API key",
                           "authentication_error", "invalid_api_key"));
  return false;
}

SamplingParams HttpServer::request_defaults() const {
  SamplingParams s = config_.sampling;
  if (!config_.seed_given)
    s.seed = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
  return s;
}

ResponseId HttpServer::next_id(const char* prefix) {
  static const uint64_t boot = static_cast<uint64_t>(unix_time());
  char id[64];
  std::snprintf(id, sizeof id, "%s-%llx%06llx", prefix, static_cast<unsigned long long>(boot),
                static_cast<unsigned long long>(++ids_));
  return {id, unix_time(), config_.model_name};
}

void HttpServer::routes() {
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return authorised(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                : httplib::Server::HandlerResponse::Handled;
  });
  // Whatever httplib answers on its own (no route, a body over the limit, a request it cannot
  // read) gets a body in OpenAI's shape too.
  http_->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                   httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404)
      send_error(res, ApiError(404, "no route " + req.method + " " + req.path,
                               "invalid_request_error", "not_found"));
    else if (res.status == 413)
      send_error(res, ApiError(413, "the request body is too large", "invalid_request_error",
                               "request_too_large"));
    else
      send_error(res, ApiError(res.status, std::string("HTTP error ") + std::to_string(res.status),
                               "invalid_request_error", "http_error"));
    return httplib::Server::HandlerResponse::Handled;
  }));
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (const ApiError& e) {
          send_error(res, e);
        } catch (const std::exception& e) {
          send_error(res, ApiError(500, std::string("internal error: ") + e.what(), "server_error",
                                   "internal_error"));
        } catch (...) {
          send_error(res, ApiError(500, "internal error", "server_error", "internal_error"));
        }
      });
  http_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    res.status = ready_ ? 200 : 503;
    res.set_content(ready_ ? R"({"status":"ok"})" : R"({"status":"loading model"})",
                    "application/json");
  });
  auto models = [this](const httplib::Request&, httplib::Response& res) {
    const Json model{{"id", config_.model_name},
                     {"object", "model"},
                     {"created", unix_time()},
                     {"owned_by", "rotary"}};
    res.set_content(dump_json(Json{{"object", "list"}, {"data", Json::array({model})}}),
                    "application/json");
  };
  http_->Get("/v1/models", models);
  http_->Get("/models", models);
  http_->Post("/v1/chat/completions",
              [this](const httplib::Request& req, httplib::Response& res) { chat(req, res); });
  http_->Post("/chat/completions",
              [this](const httplib::Request& req, httplib::Response& res) { chat(req, res); });
  http_->Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
    completion(req, res);
  });
  http_->Post("/completions", [this](const httplib::Request& req, httplib::Response& res) {
    completion(req, res);
  });
}

std::shared_ptr<GenerationJob> HttpServer::submit(std::vector<int32_t> prompt,
                                                  const GenerationRequest& request,
                                                  const char* param) {
  const uint32_t ctx = model_->context;
  if (prompt.size() >= ctx)
    throw ApiError(400,
                   "the prompt is " + std::to_string(prompt.size()) +
                       " tokens and the context holds " + std::to_string(ctx) +
                       " (rotary serve --ctx)",
                   "invalid_request_error", "context_length_exceeded", param);
  auto job = std::make_shared<GenerationJob>();
  // The prompt takes positions up to its length; every answer token but the last is evaluated.
  const uint32_t room = ctx - static_cast<uint32_t>(prompt.size()) + 1;
  const std::optional<uint32_t> asked =
      request.max_tokens ? request.max_tokens : config_.max_tokens;
  job->max_tokens = asked ? std::min(*asked, room) : room;
  job->prompt = std::move(prompt);
  job->request = request;
  if (refusing_)
    throw ApiError(503, "the server is shutting down", "server_error", "shutting_down");
  if (!model_->worker->submit(job))
    throw ApiError(503,
                   "the request queue is full (" + std::to_string(config_.queue) +
                       " waiting): try again later",
                   "server_error", "queue_full");
  return job;
}

}  // namespace rotary::serve
