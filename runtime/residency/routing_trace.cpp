#include "runtime/residency/routing_trace.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <unordered_set>

#include "base/error.h"
#include "base/regular_file.h"

namespace rotary {

namespace {
constexpr char kMagic[8] = {'R', 'O', 'T', 'R', 'T', 'R', 'C', '1'};

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;
}  // namespace

void RoutingTrace::append(uint32_t layer, std::span<const uint32_t> chosen) {
  require(chosen.size() == k, ErrorKind::Internal, "routing trace: wrong number of choices");
  require(ids.size() % (static_cast<size_t>(layers) * k) == static_cast<size_t>(layer) * k, ErrorKind::Internal,
          "routing trace: layers must be appended in order");
  for (uint32_t e : chosen) ids.push_back(static_cast<uint16_t>(e));
}

std::vector<ExpertKey> RoutingTrace::accesses() const {
  std::vector<ExpertKey> out;
  out.reserve(ids.size());
  for (uint64_t t = 0; t < tokens(); ++t)
    for (uint32_t l = 0; l < layers; ++l)
      for (uint16_t e : choices(t, l)) out.push_back({static_cast<uint16_t>(l), e});
  return out;
}

std::vector<ExpertKey> RoutingTrace::forward_accesses(uint64_t prompt_tokens, uint32_t prefill_chunk) const {
  require(prefill_chunk >= 1, ErrorKind::InvalidArgument, "the prefill chunk must be at least 1 token");
  std::vector<ExpertKey> out;
  out.reserve(ids.size());
  const uint64_t prompt = std::min(prompt_tokens, tokens());
  for (uint64_t c0 = 0; c0 < prompt; c0 += prefill_chunk) {
    const uint64_t n = std::min<uint64_t>(prefill_chunk, prompt - c0);
    for (uint32_t l = 0; l < layers; ++l) {
      std::vector<uint16_t> chosen;
      for (uint64_t t = c0; t < c0 + n; ++t)
        for (uint16_t e : choices(t, l)) chosen.push_back(e);
      if (n > 1) {
        std::sort(chosen.begin(), chosen.end());
        chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
      }
      for (uint16_t e : chosen) out.push_back({static_cast<uint16_t>(l), e});
    }
  }
  for (uint64_t t = prompt; t < tokens(); ++t)
    for (uint32_t l = 0; l < layers; ++l)
      for (uint16_t e : choices(t, l)) out.push_back({static_cast<uint16_t>(l), e});
  return out;
}

void write_trace(const std::string& path, const RoutingTrace& t) {
  File f(std::fopen(path.c_str(), "wb"));
  require(f != nullptr, ErrorKind::Io, "cannot write routing trace " + path);
  const uint32_t header[4] = {t.layers, t.experts, t.k, 0};
  const uint64_t tokens = t.tokens();
  bool ok = std::fwrite(kMagic, 1, 8, f.get()) == 8 && std::fwrite(header, 4, 4, f.get()) == 4 &&
            std::fwrite(&tokens, 8, 1, f.get()) == 1 &&
            std::fwrite(t.ids.data(), 2, t.ids.size(), f.get()) == t.ids.size();
  ok = ok && std::fflush(f.get()) == 0;
  require(ok, ErrorKind::Io, "short write to routing trace " + path);
}

RoutingTrace read_trace(const std::string& path) {
  const int fd = open_regular_file(path, "a routing trace");  // a FIFO would block forever
  File f(::fdopen(fd, "rb"));
  if (!f) ::close(fd);
  require(f != nullptr, ErrorKind::Io, "cannot open routing trace " + path);
  char magic[8];
  uint32_t header[4];
  uint64_t tokens = 0;
  const bool head = std::fread(magic, 1, 8, f.get()) == 8 && std::fread(header, 4, 4, f.get()) == 4 &&
                    std::fread(&tokens, 8, 1, f.get()) == 1;
  require(head && std::memcmp(magic, kMagic, 8) == 0, ErrorKind::InvalidArgument,
          path + " is not a rotary routing trace (rotary run --record-routing writes them)");
  RoutingTrace t;
  t.layers = header[0];
  t.experts = header[1];
  t.k = header[2];
  require(t.layers > 0 && t.layers <= 4096 && t.experts > 0 && t.experts <= 65536 && t.k > 0 && t.k <= t.experts,
          ErrorKind::InvalidArgument, path + ": implausible trace header");
  const uint64_t count = tokens * t.layers * t.k;
  require(tokens < (1ull << 32) && count / t.k / t.layers == tokens, ErrorKind::InvalidArgument,
          path + ": token count overflows");
  t.ids.resize(count);
  require(std::fread(t.ids.data(), 2, count, f.get()) == count, ErrorKind::InvalidArgument,
          path + ": truncated (header promises " + std::to_string(tokens) + " tokens)");
  for (uint16_t e : t.ids)
    require(e < t.experts, ErrorKind::InvalidArgument, path + ": expert id " + std::to_string(e) + " out of range");
  return t;
}

RoutingTrace synthetic_trace(const SyntheticTraceParams& p) {
  require(p.k > 0 && p.k <= p.experts && p.layers > 0, ErrorKind::InvalidArgument, "bad synthetic trace shape");
  require(p.p_previous >= 0 && p.p_recent >= 0 && p.p_previous + p.p_recent <= 1, ErrorKind::InvalidArgument,
          "synthetic trace probabilities must be in [0, 1] and sum to at most 1");
  RoutingTrace t{p.layers, p.experts, p.k, {}};
  t.ids.reserve(p.tokens * p.layers * p.k);
  std::mt19937_64 rng(p.seed);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  auto pick = [&](const std::vector<uint32_t>& from) { return from[rng() % from.size()]; };
  std::vector<uint32_t> chosen, pool;
  for (uint64_t tok = 0; tok < p.tokens; ++tok) {
    for (uint32_t l = 0; l < p.layers; ++l) {
      chosen.clear();
      while (chosen.size() < p.k) {
        const double r = uniform();
        auto taken = [&](uint32_t e) { return std::find(chosen.begin(), chosen.end(), e) != chosen.end(); };
        pool.clear();
        if (r < p.p_previous && tok >= 1) {
          for (uint16_t e : t.choices(tok - 1, l))
            if (!taken(e)) pool.push_back(e);
        } else if (r < p.p_previous + p.p_recent && tok >= 2) {
          std::unordered_set<uint32_t> prev(t.choices(tok - 1, l).begin(), t.choices(tok - 1, l).end());
          for (uint64_t d = 2; d <= std::min<uint64_t>(8, tok); ++d)
            for (uint16_t e : t.choices(tok - d, l))
              if (!taken(e) && !prev.count(e) && std::find(pool.begin(), pool.end(), e) == pool.end()) pool.push_back(e);
        }
        if (pool.empty()) {
          uint32_t e;
          do e = static_cast<uint32_t>(rng() % p.experts);
          while (taken(e));
          chosen.push_back(e);
        } else {
          chosen.push_back(pick(pool));
        }
      }
      t.append(l, chosen);
    }
  }
  return t;
}

TraceStats measure(const RoutingTrace& t) {
  TraceStats s;
  uint64_t n = 0, next = 0, within = 0;
  std::vector<uint64_t> counts(static_cast<size_t>(t.layers) * t.experts, 0);
  for (uint64_t tok = 0; tok < t.tokens(); ++tok)
    for (uint32_t l = 0; l < t.layers; ++l)
      for (uint16_t e : t.choices(tok, l)) {
        counts[static_cast<size_t>(l) * t.experts + e]++;
        if (tok < 8) continue;
        ++n;
        auto has = [&](uint64_t d) {
          const auto c = t.choices(tok - d, l);
          return std::find(c.begin(), c.end(), e) != c.end();
        };
        next += has(1);
        bool any = false;
        for (uint64_t d = 1; d <= 8 && !any; ++d) any = has(d);
        within += any;
      }
  if (n) {
    s.repeat_next = static_cast<double>(next) / static_cast<double>(n);
    s.repeat_within_8 = static_cast<double>(within) / static_cast<double>(n);
  }
  std::sort(counts.begin(), counts.end(), std::greater<>());
  uint64_t total = 0, acc = 0;
  for (uint64_t c : counts) total += c;
  size_t used = 0;
  while (used < counts.size() && static_cast<double>(acc) < 0.9 * static_cast<double>(total)) acc += counts[used++];
  s.experts_for_90pct = counts.empty() ? 0 : static_cast<double>(used) / static_cast<double>(counts.size());
  return s;
}

}  // namespace rotary
