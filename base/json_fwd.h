#pragma once
// rotary's JSON value type, declared only: for headers that pass values by reference or return
// them (base/json.h has the library and the parse/dump boundary).
#include <nlohmann/json_fwd.hpp>

namespace rotary {
using Json = nlohmann::ordered_json;
}
