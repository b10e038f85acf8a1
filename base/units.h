#pragma once
// Sizes as people write them on the command line, and as rotary prints them.
#include <cstdint>
#include <string>
#include <string_view>

namespace rotary {

// Parses "6442450944", "6.3G", "6300M", "6.3GiB", "512k", "6.3GB".
// K/M/G/T and KiB/MiB/GiB/TiB are binary (powers of 1024); KB/MB/GB/TB are decimal (powers of
// 1000). Throws Error(InvalidArgument) with the offending text otherwise.
uint64_t parse_size(std::string_view text);

// "6.30 GiB", "512.0 MiB", "17 B".
std::string format_bytes(uint64_t bytes);

}  // namespace rotary
