// parallel_for over the ONNXC_THREADS threads a model was built for
// (--threads). With one thread it is a plain call and no threading code is
// included; otherwise a tiny pool of ONNXC_THREADS-1 workers, started on
// first use, runs shares of each range beside the calling thread, and
// threads done early take what remains of the others'.
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

/// One thread's share [front, back) of a parallel_for's range, taken in
/// pieces: by its owner from the front, then by threads that finished
/// their own from the back. Both bounds in one word, so one compare-and-
/// swap claims a piece (indices below 2^32); a line of its own, so owners
/// do not contend.
struct alignas(64) share {
  unsigned long long bounds; // front | back << 32, atomic
  index_t piece;

  void init(index_t front, index_t back, index_t pieces) {
    bounds = (unsigned long long)front | (unsigned long long)back << 32;
    piece = (back - front + pieces - 1) / pieces;
  }
  /// Claims up to `piece` indices from the front (owner) or back (thief);
  /// false once the share is empty.
  bool claim(bool fromFront, index_t &b, index_t &e) {
    unsigned long long cur = __atomic_load_n(&bounds, __ATOMIC_RELAXED);
    for (;;) {
      const index_t front = index_t(cur & 0xffffffffu), back = index_t(cur >> 32);
      if (front >= back)
        return false;
      const index_t take = piece < back - front ? piece : back - front;
      b = fromFront ? front : back - take;
      e = b + take;
      const unsigned long long next = fromFront
                                          ? (unsigned long long)e | (cur & 0xffffffff00000000ull)
                                          : (cur & 0xffffffffu) | (unsigned long long)b << 32;
      if (__atomic_compare_exchange_n(&bounds, &cur, next, true, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED))
        return true;
    }
  }
};

} // namespace detail
#endif

/// Calls body(t, begin, end) on disjoint ranges covering [0, n), t being
/// the thread that runs the range (0 to ONNXC_THREADS-1): bodies that need
/// scratch of their own take thread t's part. Thread t owns
/// [n*t/T, n*(t+1)/T) and runs it front to back in a few pieces; a
/// thread done with its own share takes the remaining pieces of the others'
/// from their ends. The host's cores run at uneven speeds from moment to
/// moment (other tenants): with fixed shares the caller waited for the
/// other thread 5-18% of the time it spent in parallel regions
/// (mobilenet_v2, two threads); rebalanced, the model ran 3.5% faster,
/// tiny_transformer 2%. When the cores keep pace each still writes exactly
/// its own share, which the next layer's split expects in its cache.
/// Bodies may be called several times per thread, with any subranges:
/// Pieces per share, 1 where a share's parts would break a memory stream
/// (columns of a row-major matrix: mobilenet_v2's classifier ran 11%
/// slower in 4).
template <index_t Pieces = 4, class Body>
ONNXC_INLINE void parallel_for_indexed(index_t n, const Body &body) {
#if ONNXC_THREADS > 1
  if (n > 1) {
    constexpr int T = ONNXC_THREADS;
    struct ctx_t {
      detail::share shares[T];
      const Body *body;
    } ctx;
    ctx.body = &body;
    for (int t = 0; t < T; ++t)
      ctx.shares[t].init(n * t / T, n * (t + 1) / T, Pieces);
    detail::pool.run(
        [](void *p, int t) {
          auto *c = static_cast<ctx_t *>(p);
          index_t b, e;
          while (c->shares[t].claim(true, b, e))
            (*c->body)(index_t(t), b, e);
          for (int k = 1; k < T; ++k)
            while (c->shares[(t + k) % T].claim(false, b, e))
              (*c->body)(index_t(t), b, e);
        },
        &ctx);
    return;
  }
#endif
  body(index_t(0), index_t(0), n);
}

/// parallel_for_indexed for bodies that need not know their thread:
/// body(begin, end).
template <index_t Pieces = 4, class Body>
ONNXC_INLINE void parallel_for(index_t n, const Body &body) {
  parallel_for_indexed<Pieces>(n, [&](index_t, index_t b, index_t e) { body(b, e); });
}

ONNXC_NAMESPACE_END

#endif
