#pragma once
// Notices a client that hung up while its request waits or generates. cpp-httplib (0.11) gives a
// handler no socket and no "closed" flag, so the connection's socket is found by its two
// addresses among the process's descriptors (it stays open, and stays this connection's, until
// the handler returns), and polled: a peer that shut down its side is gone.
#include <string>

namespace rotary::serve {

class ConnectionWatch {
 public:
  // The addresses httplib reports for the request (local_addr/port, remote_addr/port).
  ConnectionWatch(const std::string& local_addr, int local_port, const std::string& remote_addr,
                  int remote_port);

  // True once the peer has closed or reset the connection. False when the socket was not found
  // (then only a failed write tells).
  bool closed() const;

 private:
  int fd_ = -1;
};

}  // namespace rotary::serve
