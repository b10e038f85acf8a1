#pragma once
// Standard output, where rotary's results go: a write that fails (a full disk, a closed
// descriptor) fails the command with a message and exit code 2 instead of vanishing.
namespace rotary::cli {

// Called first in main: when descriptor 1 is closed (`rotary ... >&-`), occupies it with /dev/null
// opened read-only, so that no file rotary opens becomes its stdout and every write to stdout
// fails (EBADF) where check_stdout() sees it.
void guard_stdout();
// A write to stdout has failed (after which streaming output should stop).
bool stdout_failed();
// Flushes stdout; throws Error(Io) naming the cause when a write to it failed.
void check_stdout();

}  // namespace rotary::cli
