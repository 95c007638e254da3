// parallel_for over the ONNXC_THREADS threads a model was built for
// (--threads). With one thread it is a plain call and no threading code is
// included; otherwise a tiny pool of ONNXC_THREADS-1 workers, started on
// first use, runs static chunks while the calling thread runs chunk 0.
// Models built for the same thread count share the one pool and take turns.
//
// Workers spin briefly between jobs (model layers follow each other within
// microseconds) and then sleep on a condition variable.
#ifndef ONNXC_RUNTIME_THREADS_H
#define ONNXC_RUNTIME_THREADS_H

#include "onnxc/runtime.h"

#if ONNXC_THREADS > 1
#include <pthread.h>
#endif

ONNXC_NAMESPACE_BEGIN

#if ONNXC_THREADS > 1
namespace detail {

/// POSIX threads and the compiler's atomics only, so a C program links a
/// threaded model with -pthread alone; constant-initialized, so no static
/// constructor runs.
struct thread_pool {
  static constexpr int threads = ONNXC_THREADS;

  pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;  // one job at a time
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER; // guards sleeping
  pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
  bool started = false;
  void (*job)(void *, int) = nullptr;
  void *ctx = nullptr;
  unsigned generation = 0; // atomic: bumped per job
  int pending = 0;         // atomic: workers still on the job

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  /// Runs job(ctx, t) for t in [0, threads) and returns when all are done.
  void run(void (*fn)(void *, int), void *arg) {
    pthread_mutex_lock(&busy);
    if (!started) {
      started = true;
      for (int t = 1; t < threads; ++t) {
        pthread_t id;
        struct start_t {
          thread_pool *pool;
          int t;
        };
        static start_t starts[threads];
        starts[t] = {this, t};
        pthread_create(&id, nullptr, [](void *p) -> void * {
          auto *s = static_cast<start_t *>(p);
          s->pool->worker(s->t);
          return nullptr;
        }, &starts[t]);
        pthread_detach(id);
      }
    }
    job = fn;
    ctx = arg;
    __atomic_store_n(&pending, threads - 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&mutex);
    __atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mutex);
    fn(arg, 0);
    while (__atomic_load_n(&pending, __ATOMIC_ACQUIRE) != 0)
      pause();
    pthread_mutex_unlock(&busy);
  }

  void worker(int t) {
    unsigned seen = 0;
    for (;;) {
      unsigned gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
      // Layers follow each other within microseconds: spin a little first
      // (briefly: a spinning worker can slow the caller's serial work when
      // the two share a core).
      for (int spin = 0; gen == seen && spin < (1 << 14); ++spin) {
        pause();
        gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
      }
      if (gen == seen) {
        pthread_mutex_lock(&mutex);
        while ((gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE)) == seen)
          pthread_cond_wait(&wake, &mutex);
        pthread_mutex_unlock(&mutex);
      }
      seen = gen;
      job(ctx, t);
      __atomic_sub_fetch(&pending, 1, __ATOMIC_ACQ_REL);
    }
  }
};

inline thread_pool pool;

} // namespace detail
#endif

/// Calls body(begin, end) on disjoint chunks covering [0, n), one per
/// thread; chunk t is [n*t/T, n*(t+1)/T). Chunks may be empty.
template <class Body>
ONNXC_INLINE void parallel_for(index_t n, const Body &body) {
#if ONNXC_THREADS > 1
  if (n > 1) {
    struct ctx_t {
      const Body *body;
      index_t n;
    } ctx{&body, n};
    detail::pool.run(
        [](void *p, int t) {
          auto *c = static_cast<ctx_t *>(p);
          constexpr index_t T = ONNXC_THREADS;
          index_t b = c->n * t / T, e = c->n * (t + 1) / T;
          if (b < e)
            (*c->body)(b, e);
        },
        &ctx);
    return;
  }
#endif
  body(index_t(0), n);
}

ONNXC_NAMESPACE_END

#endif
