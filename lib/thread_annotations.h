// Clang's thread-safety annotations (clang.llvm.org/docs/ThreadSafetyAnalysis.html), so that which
// mutex guards which member is written where the member is declared. Clang checks them with
// -Wthread-safety where the mutex type is annotated (libc++); on GCC they expand to nothing and
// are documentation only.
#pragma once

#if defined(__clang__)
#define CHATCTL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CHATCTL_THREAD_ANNOTATION(x)
#endif

// The member is read and written only with `mu` held.
#define GUARDED_BY(mu) CHATCTL_THREAD_ANNOTATION(guarded_by(mu))
// The pointee is read and written only with `mu` held.
#define PT_GUARDED_BY(mu) CHATCTL_THREAD_ANNOTATION(pt_guarded_by(mu))
// The function must be called with `...` held.
#define REQUIRES(...) CHATCTL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The function must be called without `...` held (it takes it itself).
#define EXCLUDES(...) CHATCTL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
