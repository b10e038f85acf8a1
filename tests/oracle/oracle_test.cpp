#include "tests/oracle/oracle_test.h"

#include <doctest/doctest.h>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>

#include "base/error.h"
#include "loader/gguf_reader.h"

extern char** environ;

namespace rotary::test {

std::string oracle_exe() { return ROTARY_ORACLE_EXE; }

bool oracle_has_vulkan() {
  return std::filesystem::exists(std::filesystem::path(oracle_exe()).parent_path() / "rotary-oracle-vulkan");
}

namespace {

// Reads both pipes until both close, so neither child stream can fill up and block the child.
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
  std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&out, &err};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, std::string("poll failed: ") + std::strerror(errno));
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
}

}  // namespace

ProcessResult run_process(const std::string& exe, const std::vector<std::string>& args) {
  int out_pipe[2], err_pipe[2];
  require(pipe(out_pipe) == 0 && pipe(err_pipe) == 0, ErrorKind::Io, "pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  std::vector<std::string> argv_store{exe};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw Error(ErrorKind::Io, "cannot run " + exe + ": " + std::strerror(rc));
  }
  ProcessResult r;
  drain(out_pipe[0], err_pipe[0], r.out, r.err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string run_oracle(const std::vector<std::string>& args) {
  ProcessResult r = run_process(oracle_exe(), args);
  std::string cmd = "rotary-oracle";
  for (const std::string& a : args) cmd += " " + a;
  require(r.exit_code == 0, ErrorKind::Internal,
          cmd + " exited with " + std::to_string(r.exit_code) + ":\n" + r.err);
  return r.out;
}

TempDir::TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const auto base = std::filesystem::path(ROTARY_ORACLE_TMP);
  path_ = (base / (tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++))).string();
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace rotary::test

namespace rotary::test {

std::set<std::string> tensor_type_names(const std::string& path) {
  const GgufFile f = GgufFile::open(path);
  std::set<std::string> names;
  for (const GgufTensorInfo& t : f.tensors()) names.emplace(ggml_type_name(t.type));
  return names;
}

std::string tensor_type_name(const std::string& path, const std::string& name) {
  const GgufFile f = GgufFile::open(path);
  const GgufTensorInfo* t = f.find_tensor(name);
  return t ? std::string(ggml_type_name(t->type)) : std::string();
}

std::vector<int32_t> parse_ids(const std::string& text) {
  std::vector<int32_t> ids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (item.find_first_not_of(" \n") != std::string::npos) ids.push_back(std::stoi(item));
  return ids;
}

std::string join_ids(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

double max_abs_diff(const NpyArray& a, const NpyArray& b) {
  REQUIRE(a.rows == b.rows);
  REQUIRE(a.cols == b.cols);
  double m = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    m = std::max(m, std::fabs(static_cast<double>(a.data[i]) - b.data[i]));
  return m;
}

double min_top2_gap(const NpyArray& a, uint64_t first_row) {
  double gap = 1e30;
  for (uint64_t r = first_row; r < a.rows; ++r) {
    std::vector<float> row(a.data.begin() + static_cast<std::ptrdiff_t>(r * a.cols),
                           a.data.begin() + static_cast<std::ptrdiff_t>((r + 1) * a.cols));
    std::partial_sort(row.begin(), row.begin() + 2, row.end(), std::greater<>());
    gap = std::min(gap, static_cast<double>(row[0] - row[1]));
  }
  return gap;
}

}  // namespace rotary::test
