// Names the calling thread as top -H, perf and gdb show it. Linux keeps 15 bytes of it. The
// gateway runs on the main thread and keeps the process's name, so that `pgrep chatctl` still
// finds the node.
#pragma once

#include <pthread.h>

namespace chatctl {

inline void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace chatctl
