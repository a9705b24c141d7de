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
    // One job at a time: kernels are called from the single JavaScript thread.
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      tasks_ = tasks;
      next_.store(0);
      busy_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    wake_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return busy_ == 0; });
    job_ = nullptr;
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

  void work(int worker) {
    for (;;) {
      const int64_t t = next_.fetch_add(1);
      if (t >= tasks_) return;
      (*job_)(t, worker);
    }
  }

  void loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (quit_) return;
      }
      work(worker);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int)>* job_ = nullptr;
  int64_t tasks_ = 0;
  std::atomic<int64_t> next_{0};
  int busy_ = 0;
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
