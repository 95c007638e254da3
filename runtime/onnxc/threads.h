// parallel_for over the ONNXC_THREADS threads a model was built for
// (--threads). With one thread it is a plain call and no threading code is
// included; otherwise a tiny pool of ONNXC_THREADS-1 workers, started on
// first use, runs static chunks while the calling thread runs chunk 0.
//
// Workers spin briefly between jobs (model layers follow each other within
// microseconds) and then sleep on a condition variable.
#ifndef ONNXC_RUNTIME_THREADS_H
#define ONNXC_RUNTIME_THREADS_H

#include "onnxc/runtime.h"

#if ONNXC_THREADS > 1
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

ONNXC_NAMESPACE_BEGIN

#if ONNXC_THREADS > 1
namespace detail {

class thread_pool {
public:
  static constexpr int threads = ONNXC_THREADS;

  /// Runs job(ctx, t) for t in [0, threads) and returns when all are done.
  void run(void (*job)(void *, int), void *ctx) {
    // Models sharing the pool from different threads take turns.
    std::lock_guard<std::mutex> busy(busy_);
    start_once();
    job_ = job;
    ctx_ = ctx;
    pending_.store(threads - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    job(ctx, 0);
    while (pending_.load(std::memory_order_acquire) != 0)
      pause();
  }

private:
  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  void start_once() {
    if (started_)
      return;
    started_ = true;
    for (int t = 1; t < threads; ++t)
      std::thread([this, t] { worker(t); }).detach();
  }

  void worker(int t) {
    unsigned seen = 0;
    for (;;) {
      unsigned gen = generation_.load(std::memory_order_acquire);
      for (int spin = 0; gen == seen && spin < (1 << 18); ++spin) {
        pause();
        gen = generation_.load(std::memory_order_acquire);
      }
      if (gen == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] {
          return generation_.load(std::memory_order_acquire) != seen;
        });
        gen = generation_.load(std::memory_order_acquire);
      }
      seen = gen;
      job_(ctx_, t);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  bool started_ = false;
  void (*job_)(void *, int) = nullptr;
  void *ctx_ = nullptr;
  std::atomic<unsigned> generation_{0};
  std::atomic<int> pending_{0};
  std::mutex mutex_, busy_;
  std::condition_variable wake_;
};

inline thread_pool &pool() {
  static thread_pool p;
  return p;
}

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
    detail::pool().run(
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
