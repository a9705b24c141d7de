#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace ftn {
namespace {

class Pool {
 public:
  explicit Pool(int count) { start(count); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int count) {
    if (count == size()) return;
    stop();
    start(count);
  }

  void run(int64_t tasks, const std::function<void(int64_t, int)>& fn) {
    if (tasks <= 0) return;
    if (tasks == 1 || workers_.empty()) {
      for (int64_t t = 0; t < tasks; ++t) fn(t, 0);
      return;
    }
    // One job at a time (two JavaScript threads using the addon take turns); tasks never nest.
    std::lock_guard<std::mutex> one_job(run_mutex_);
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      tasks_ = tasks;
      finished_ = 0;
      generation = ++generation_;
      cursor_.store((generation & 0xffffffffu) << 32);
    }
    wake_.notify_all();
    work(generation, &fn, tasks, 0);
    // Wait for the tasks, not for the workers: on a busy machine a worker that wakes late finds nothing left
    // to claim, and the caller does not stall until it is scheduled.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return finished_ == tasks; });
  }

 private:
  void start(int count) {
    if (count < 1) count = 1;
    quit_ = false;
    for (int w = 1; w < count; ++w) workers_.emplace_back([this, w] { loop(w); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  // Claims tasks of one job: the cursor holds the job's generation (high half) and the next task (low half),
  // so a worker holding a stale job can never claim a task of a newer one.
  void work(uint64_t generation, const std::function<void(int64_t, int)>* job, int64_t tasks, int worker) {
    const uint64_t tag = generation & 0xffffffffu;
    for (;;) {
      uint64_t v = cursor_.load();
      do {
        if ((v >> 32) != tag || static_cast<int64_t>(v & 0xffffffffu) >= tasks) return;
      } while (!cursor_.compare_exchange_weak(v, v + 1));
      (*job)(static_cast<int64_t>(v & 0xffffffffu), worker);
      std::lock_guard<std::mutex> lock(mutex_);
      if (++finished_ == tasks) done_.notify_one();
    }
  }

  void loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int64_t, int)>* job;
      int64_t tasks;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (quit_) return;
        job = job_;
        tasks = tasks_;
      }
      work(seen, job, tasks, worker);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_, run_mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int)>* job_ = nullptr;
  int64_t tasks_ = 0;
  int64_t finished_ = 0;
  std::atomic<uint64_t> cursor_{0};
  uint64_t generation_ = 0;
  bool quit_ = false;
};

int default_threads() {
  if (const char* env = std::getenv("FINETUNE_STUDIO_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

Pool& pool() {
  static Pool instance(default_threads());
  return instance;
}

}  // namespace

void parallel_for(int64_t tasks, const std::function<void(int64_t, int)>& fn) { pool().run(tasks, fn); }
void set_threads(int count) { pool().resize(count < 1 ? 1 : count); }
int threads() { return pool().size(); }

}  // namespace ftn
