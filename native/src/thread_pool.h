// A small fixed pool: parallel_for hands out task indices; the calling thread works too.
// Blocking waits (no spinning): the machine running the app may be shared with other busy processes.
#pragma once
#include <cstdint>
#include <functional>

namespace ftn {

// Runs fn(task, worker) for task in [0, tasks); worker is in [0, threads()). Returns when all are done.
void parallel_for(int64_t tasks, const std::function<void(int64_t task, int worker)>& fn);
void set_threads(int count);
int threads();

}  // namespace ftn
