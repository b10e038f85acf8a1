#pragma once
// Opening a file the user named for reading, refusing anything that is not a regular file before
// it is opened: opening a FIFO blocks until a writer appears (forever, for a path that names one
// by mistake), a directory or /dev/zero cannot be a model or a trace. The path is checked with
// stat, opened O_NONBLOCK (a FIFO swapped in after the stat does not block the open) and checked
// again with fstat on the descriptor.
#include <filesystem>

namespace rotary {

// A descriptor open for reading (O_RDONLY | O_CLOEXEC | O_NONBLOCK; the caller closes it).
// Throws Error(Io) naming the path and, for anything but a regular file, what it is ("is a FIFO
// (named pipe), not a regular file; give the path of <expected>").
int open_regular_file(const std::filesystem::path& path, const char* expected);

}  // namespace rotary
