#pragma once
// An error a request gets back, in OpenAI's shape: {"error": {"message", "type", "param",
// "code"}} with an HTTP status. Thrown by the request parser and the handlers; never leaves the
// HTTP layer (the server stays up whatever a client sends).
#include <stdexcept>
#include <string>

namespace rotary::serve {

struct ApiError : std::runtime_error {
  ApiError(int http_status, const std::string& message, std::string error_type,
           std::string error_code, std::string field = "")
      : std::runtime_error(message),
        status(http_status),
        type(std::move(error_type)),
        code(std::move(error_code)),
        param(std::move(field)) {}

  int status;
  std::string type;   // "invalid_request_error", "authentication_error", "server_error", ...
  std::string code;   // machine-readable: "invalid_value", "invalid_json", "queue_full", ...
  std::string param;  // the request field at fault, "" when none
};

// 400 for a field of the request: the message names the field.
inline ApiError invalid_field(const std::string& param, const std::string& what) {
  return ApiError(400, "'" + param + "' " + what, "invalid_request_error", "invalid_value", param);
}

}  // namespace rotary::serve
