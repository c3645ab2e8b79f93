// The edge of every thread a node starts. A thread's run loop runs inside RunAtThreadEdge: an
// exception that escapes it is logged with the thread's name and handed to `failed`, which stops
// the node (serve exits with kExitInternal, docs/cli.md). Without this an escaped exception ends
// the process in std::terminate with no word of why, and half-written state behind it.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "lib/log.h"
#include "lib/result.h"

namespace chatctl {

// Called at most once per thread, on the failing thread; it must only post or flag, not join.
using ThreadFailed = std::function<void(Error)>;

template <class Body>
void RunAtThreadEdge(const char* thread, Body&& body, const ThreadFailed& failed) {
  std::string what;
  try {
    std::forward<Body>(body)();
    return;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  log::Error("thread failed; stopping the node", {{"thread", thread}, {"error", what}});
  if (failed) failed(Error{"internal", std::string("thread ") + thread + " failed: " + what});
}

}  // namespace chatctl
