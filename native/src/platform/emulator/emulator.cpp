// emulator.cpp: the CPU runtime behind hv_emulator.h (design notes at the top of that header):
// the block scheduler (fibers, barriers, warp exchange), the per-stream host thread pool, memory.
#include "hv_emulator.h"

#include "fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hv::emu {

thread_local ThreadState* t_thread = nullptr;
thread_local BlockState* t_block = nullptr;

namespace {

constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr size_t kStackBytes = 128 * 1024;
constexpr uint64_t kPoison = ~uint64_t{0};   // a NaN as float or double, -1 as an integer
constexpr unsigned char kSharedPoison = 0xFF;

thread_local hipError_t t_last_error = hipSuccess;
thread_local std::string t_last_detail;

hipError_t fail(hipError_t e, std::string detail) {
    t_last_error = e;
    t_last_detail = std::move(detail);
    return e;
}

// A launch in flight: what to run and the first failure, if any.
struct Job {
    const Launchable* body = nullptr;
    dim3 grid, block;
    size_t dynamic_shared = 0;
    int warp_size = 64;
    uint64_t total_blocks = 0;
    std::atomic<uint64_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::string error;

    void set_error(std::string message) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!failed.exchange(true)) error = std::move(message);
    }
};

struct Warp {
    unsigned arrived = 0, live = 0, generation = 0;
    uint64_t slots[2][64];
};

struct Fiber {
    FiberContext context;
    ThreadState state;
    unsigned warp = 0;
    unsigned parity = 0;
    const unsigned* wait_generation = nullptr;   // blocked while *wait_generation == wait_value
    unsigned wait_value = 0;
    bool done = false;
};

// One per host thread: runs the blocks that thread takes, one at a time, reusing fiber stacks.
class BlockRunner {
public:
    ~BlockRunner() {
        if (stacks_) munmap(stacks_, stack_count_ * kStackBytes);
    }

    void run(Job& job, uint64_t linear_block) {
        prepare(job, linear_block);
        BlockState* saved_block = t_block;
        t_block = &block_;
        schedule(job);
        t_block = saved_block;
        t_thread = nullptr;
    }

    // ---- called from fibers ----
    void syncthreads() {
        const unsigned generation = block_generation_;
        if (++block_arrived_ == block_live_) {
            release_block();
            return;
        }
        wait(&block_generation_, generation);
    }

    uint64_t exchange(uint64_t bits, int (*source)(int, int, int), int arg, int width) {
        const int ws = block_.warp_size;
        if (width <= 0 || width > ws || (width & (width - 1)) != 0)
            throw std::invalid_argument("warp shuffle width " + std::to_string(width) +
                                        " is not a power of two in 1.." + std::to_string(ws));
        Fiber& f = *current_;
        Warp& w = warps_[f.warp];
        const int lane = int(f.state.linear % unsigned(ws));
        const unsigned p = f.parity;
        f.parity ^= 1;
        w.slots[p][lane] = bits;
        warp_barrier(w);
        int src = source(lane, arg, width);
        if (src < 0 || src >= ws) src = lane;
        return w.slots[p][src];
    }

    uint64_t ballot(bool predicate) {
        Fiber& f = *current_;
        Warp& w = warps_[f.warp];
        const int ws = block_.warp_size;
        const int lane = int(f.state.linear % unsigned(ws));
        const unsigned p = f.parity;
        f.parity ^= 1;
        w.slots[p][lane] = predicate ? 1 : 0;
        warp_barrier(w);
        uint64_t mask = 0;
        for (int l = 0; l < ws; ++l)
            if (w.slots[p][l] == 1) mask |= uint64_t{1} << l;   // poisoned (absent) lanes read as 0
        return mask;
    }

    void fiber_main() {
        Fiber& f = *current_;
        try {
            (*job_->body)();
        } catch (const std::exception& e) {
            job_->set_error(describe("kernel threw: ") + e.what());
        } catch (...) {
            job_->set_error(describe("kernel threw a non-standard exception"));
        }
        f.done = true;
        --fibers_live_;
        // An absent lane must not feed the next exchange of the lanes still running.
        warps_[f.warp].slots[f.parity][f.state.linear % unsigned(block_.warp_size)] = kPoison;
        Warp& w = warps_[f.warp];
        if (--w.live > 0 && w.arrived == w.live) release_warp(w);
        if (--block_live_ > 0 && block_arrived_ == block_live_) release_block();
        switch_fiber(f.context, scheduler_);
    }

private:
    void prepare(Job& job, uint64_t linear_block) {
        job_ = &job;
        const unsigned n = job.block.x * job.block.y * job.block.z;
        const int ws = job.warp_size;
        ensure_stacks(n);
        block_.block_dim = job.block;
        block_.grid_dim = job.grid;
        block_.warp_size = ws;
        block_.block_idx = dim3(unsigned(linear_block % job.grid.x),
                                unsigned(linear_block / job.grid.x % job.grid.y),
                                unsigned(linear_block / (uint64_t(job.grid.x) * job.grid.y)));
        if (job.dynamic_shared) {
            dynamic_shared_.assign(job.dynamic_shared, kSharedPoison);
            block_.dynamic_shared = dynamic_shared_.data();
        } else {
            block_.dynamic_shared = nullptr;
        }
        const unsigned nwarps = (n + ws - 1) / ws;
        warps_.assign(nwarps, Warp{});
        for (unsigned i = 0; i < nwarps; ++i) {
            warps_[i].live = std::min<unsigned>(ws, n - i * ws);
            std::fill(&warps_[i].slots[0][0], &warps_[i].slots[0][0] + 2 * 64, kPoison);
        }
        block_arrived_ = 0;
        block_live_ = n;
        block_generation_ = 0;
        fibers_live_ = n;
        fibers_.resize(n);
        for (unsigned t = 0; t < n; ++t) {
            Fiber& f = fibers_[t];
            f.state.thread_idx = dim3(t % job.block.x, t / job.block.x % job.block.y, t / (job.block.x * job.block.y));
            f.state.linear = t;
            f.warp = t / ws;
            f.parity = 0;
            f.wait_generation = nullptr;
            f.done = false;
            make_fiber(f.context, stacks_ + t * kStackBytes + page_size(), kStackBytes - page_size(), &BlockRunner::entry);
        }
    }

    // Warp by warp: each warp runs until all its lanes wait at a block barrier (or finish) before the
    // next warp starts, which is a legal GPU schedule with the most skew between warps; the order of
    // warps and of lanes flips every sweep. Races between warps then produce wrong answers.
    void schedule(Job& job) {
        const size_t n = fibers_.size();
        const size_t ws = size_t(block_.warp_size);
        const size_t nwarps = warps_.size();
        bool forward = true;
        while (fibers_live_ > 0) {
            bool ran = false;
            for (size_t k = 0; k < nwarps; ++k) {
                const size_t w = forward ? k : nwarps - 1 - k;
                const size_t first = w * ws, count = std::min(ws, n - first);
                for (bool progressed = true; progressed;) {
                    progressed = false;
                    for (size_t j = 0; j < count; ++j) {
                        Fiber& f = fibers_[first + (forward ? j : count - 1 - j)];
                        if (f.done || (f.wait_generation && *f.wait_generation == f.wait_value)) continue;
                        current_ = &f;
                        t_thread = &f.state;
                        progressed = ran = true;
                        switch_fiber(scheduler_, f.context);
                    }
                }
            }
            if (!ran) {
                // Every live fiber waits at a barrier nobody else can reach: divergent barrier.
                // The fibers are abandoned; their stacks are reused by the next block.
                job.set_error(describe("deadlock: threads wait at barriers that the others never reach "
                                       "(__syncthreads or a warp operation in divergent code)"));
                return;
            }
            forward = !forward;
        }
    }

    void wait(const unsigned* generation, unsigned value) {
        Fiber& f = *current_;
        f.wait_generation = generation;
        f.wait_value = value;
        while (*generation == value) switch_fiber(f.context, scheduler_);
        f.wait_generation = nullptr;
    }

    void warp_barrier(Warp& w) {
        const unsigned generation = w.generation;
        if (++w.arrived == w.live) {
            release_warp(w);
            return;
        }
        wait(&w.generation, generation);
    }

    static void release_warp(Warp& w) {
        w.arrived = 0;
        ++w.generation;
    }

    void release_block() {
        block_arrived_ = 0;
        ++block_generation_;
    }

    std::string describe(const std::string& what) const {
        char where[96];
        std::snprintf(where, sizeof where, " (block %u,%u,%u)", block_.block_idx.x, block_.block_idx.y, block_.block_idx.z);
        return what + where;
    }

    static size_t page_size() {
        static const size_t p = size_t(sysconf(_SC_PAGESIZE));
        return p;
    }

    void ensure_stacks(unsigned n) {
        if (n <= stack_count_) return;
        if (stacks_) munmap(stacks_, stack_count_ * kStackBytes);
        stacks_ = nullptr;
        stack_count_ = 0;
        void* p = mmap(nullptr, size_t(n) * kStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        stacks_ = static_cast<unsigned char*>(p);
        stack_count_ = n;
        // A guard page under each stack turns an overflow into a crash at the culprit, not corruption.
        for (unsigned i = 0; i < n; ++i) mprotect(stacks_ + i * kStackBytes, page_size(), PROT_NONE);
    }

    static void entry();

    Job* job_ = nullptr;
    BlockState block_;
    std::vector<Fiber> fibers_;
    std::vector<Warp> warps_;
    std::vector<unsigned char> dynamic_shared_;
    Fiber* current_ = nullptr;
    FiberContext scheduler_;
    unsigned block_arrived_ = 0, block_live_ = 0, block_generation_ = 0;
    size_t fibers_live_ = 0;
    unsigned char* stacks_ = nullptr;
    unsigned stack_count_ = 0;
};

thread_local BlockRunner* t_runner = nullptr;

void BlockRunner::entry() { t_runner->fiber_main(); }

void run_blocks(Job& job) {
    thread_local BlockRunner runner;
    BlockRunner* saved = t_runner;
    t_runner = &runner;
    try {
        for (uint64_t b; !job.failed.load(std::memory_order_relaxed) && (b = job.next.fetch_add(1)) < job.total_blocks;)
            runner.run(job, b);
    } catch (const std::bad_alloc&) {
        job.set_error("out of host memory for fiber stacks");
    } catch (const std::exception& e) {
        job.set_error(e.what());
    }
    t_runner = saved;
}

// Workers sleep until a launch arrives, take blocks until none are left, then report back.
class Pool {
public:
    explicit Pool(int threads) {
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
    }
    ~Pool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
    }
    void run(Job& job) {
        if (workers_.empty() || job.total_blocks == 1) {
            run_blocks(job);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = &job;
            ++epoch_;
            busy_ = workers_.size();
        }
        wake_.notify_all();
        run_blocks(job);
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [this] { return busy_ == 0; });
        job_ = nullptr;
    }

private:
    void work() {
        uint64_t seen = 0;
        for (;;) {
            Job* job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return stop_ || epoch_ != seen; });
                if (stop_) return;
                seen = epoch_;
                job = job_;
            }
            run_blocks(*job);
            std::lock_guard<std::mutex> lock(mutex_);
            if (--busy_ == 0) done_.notify_one();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    Job* job_ = nullptr;
    uint64_t epoch_ = 0;
    size_t busy_ = 0;
    bool stop_ = false;
};

}  // namespace

// A recorded launch sequence (graph capture): closures owning their kernel arguments, run in order.
struct Graph {
    struct Node {
        Launchable body;
        dim3 grid, block;
        size_t dynamic_shared = 0;
    };
    std::vector<Node> nodes;
};

struct Stream {
    int warp_size;
    Pool pool;
    std::mutex launch_mutex;   // one launch at a time per stream, as a GPU stream orders them
    std::unique_ptr<Graph> capture;  // non-null while capturing: launches are recorded, not run
    Stream(int ws, int threads) : warp_size(ws), pool(threads) {}
};

namespace {

int default_threads(int requested) {
    if (requested > 0) return std::min(requested, 256);
    const unsigned hc = std::thread::hardware_concurrency();
    return hc ? int(std::min(hc, 256u)) : 1;
}

Stream& default_stream() {
    static Stream s([] {
        const char* env = std::getenv("HV_EMU_WARP_SIZE");
        return env && std::atoi(env) == 32 ? 32 : 64;
    }(), default_threads(0));
    return s;
}

}  // namespace

hipError_t stream_create(hipStream_t* stream, int warp_size, int host_threads) {
    if (!stream) return fail(hipErrorInvalidValue, "stream is null");
    if (warp_size != 32 && warp_size != 64)
        return fail(hipErrorInvalidValue, "emulated warp size must be 32 or 64, got " + std::to_string(warp_size));
    try {
        *stream = new Stream(warp_size, default_threads(host_threads));
    } catch (const std::exception& e) {
        return fail(hipErrorOutOfMemory, std::string("cannot create stream: ") + e.what());
    }
    return hipSuccess;
}

int stream_warp_size(hipStream_t stream) { return (stream ? *stream : default_stream()).warp_size; }

const char* last_error_detail() { return t_last_detail.c_str(); }

void syncthreads() { t_runner->syncthreads(); }

uint64_t warp_exchange(uint64_t bits, int (*source)(int, int, int), int arg, int width) {
    return t_runner->exchange(bits, source, arg, width);
}

uint64_t warp_ballot(bool predicate) { return t_runner->ballot(predicate); }

namespace {

hipError_t check_config(dim3 grid, dim3 block, size_t dynamic_shared_bytes) {
    const uint64_t threads = uint64_t(block.x) * block.y * block.z;
    if (threads == 0 || threads > kMaxThreadsPerBlock || block.z > 64)
        return fail(hipErrorInvalidConfiguration, "block of " + std::to_string(block.x) + "x" + std::to_string(block.y) +
                                                     "x" + std::to_string(block.z) + " threads (1..1024 allowed)");
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535)
        return fail(hipErrorInvalidConfiguration, "grid of " + std::to_string(grid.x) + "x" + std::to_string(grid.y) +
                                                     "x" + std::to_string(grid.z) + " blocks");
    if (dynamic_shared_bytes > 64 * 1024)
        return fail(hipErrorInvalidConfiguration, "dynamic shared memory of " + std::to_string(dynamic_shared_bytes) +
                                                     " bytes (64 KiB allowed)");
    return hipSuccess;
}

}  // namespace

bool stream_capturing(hipStream_t stream) { return (stream ? *stream : default_stream()).capture != nullptr; }

hipError_t record(Launchable body, dim3 grid, dim3 block, size_t dynamic_shared_bytes, hipStream_t stream) {
    Stream& s = stream ? *stream : default_stream();
    if (!s.capture) return fail(hipErrorIllegalState, "record: the stream is not capturing");
    if (const hipError_t e = check_config(grid, block, dynamic_shared_bytes); e != hipSuccess) return e;
    s.capture->nodes.push_back({std::move(body), grid, block, dynamic_shared_bytes});
    return hipSuccess;
}

size_t graph_launch_count(hipGraph_t graph) { return graph ? graph->nodes.size() : 0; }

hipError_t launch(const Launchable& body, dim3 grid, dim3 block, size_t dynamic_shared_bytes, hipStream_t stream) {
    Stream& s = stream ? *stream : default_stream();
    if (const hipError_t e = check_config(grid, block, dynamic_shared_bytes); e != hipSuccess) return e;
    Job job;
    job.body = &body;
    job.grid = grid;
    job.block = block;
    job.dynamic_shared = dynamic_shared_bytes;
    job.warp_size = s.warp_size;
    job.total_blocks = uint64_t(grid.x) * grid.y * grid.z;
    {
        std::lock_guard<std::mutex> lock(s.launch_mutex);
        s.pool.run(job);
    }
    if (job.failed) return fail(hipErrorLaunchFailure, job.error);
    return hipSuccess;
}

}  // namespace hv::emu

using hv::emu::fail;

hipError_t hipMalloc(void** ptr, size_t bytes) {
    if (!ptr) return fail(hipErrorInvalidValue, "hipMalloc: ptr is null");
    void* p = nullptr;
    if (posix_memalign(&p, 256, bytes ? bytes : 1) != 0)
        return *ptr = nullptr, fail(hipErrorOutOfMemory, "hipMalloc: out of memory for " + std::to_string(bytes) + " bytes");
    *ptr = p;
    return hipSuccess;
}

hipError_t hipFree(void* ptr) {
    std::free(ptr);
    return hipSuccess;
}

hipError_t hipMemcpy(void* dst, const void* src, size_t bytes, hipMemcpyKind) {
    if (bytes && (!dst || !src)) return fail(hipErrorInvalidValue, "hipMemcpy: null pointer");
    if (bytes) std::memmove(dst, src, bytes);
    return hipSuccess;
}

namespace {

hipError_t refuse_while_capturing(hipStream_t stream, const char* what) {
    if (!hv::emu::stream_capturing(stream)) return hipSuccess;
    return fail(hipErrorStreamCaptureUnsupported, std::string(what) + " on a capturing stream (graphs record kernel launches only)");
}

}  // namespace

hipError_t hipMemcpyAsync(void* dst, const void* src, size_t bytes, hipMemcpyKind kind, hipStream_t stream) {
    if (const hipError_t e = refuse_while_capturing(stream, "hipMemcpyAsync"); e != hipSuccess) return e;
    return hipMemcpy(dst, src, bytes, kind);
}

hipError_t hipMemset(void* dst, int value, size_t bytes) {
    if (bytes && !dst) return fail(hipErrorInvalidValue, "hipMemset: null pointer");
    if (bytes) std::memset(dst, value, bytes);
    return hipSuccess;
}

hipError_t hipMemsetAsync(void* dst, int value, size_t bytes, hipStream_t stream) {
    if (const hipError_t e = refuse_while_capturing(stream, "hipMemsetAsync"); e != hipSuccess) return e;
    return hipMemset(dst, value, bytes);
}

hipError_t hipStreamCreate(hipStream_t* stream) {
    return hv::emu::stream_create(stream, hv::emu::stream_warp_size(nullptr), 0);
}

hipError_t hipStreamDestroy(hipStream_t stream) {
    delete stream;
    return hipSuccess;
}

hipError_t hipStreamSynchronize(hipStream_t stream) { return refuse_while_capturing(stream, "hipStreamSynchronize"); }

hipError_t hipStreamBeginCapture(hipStream_t stream, hipStreamCaptureMode) {
    hv::emu::Stream& s = stream ? *stream : hv::emu::default_stream();
    if (s.capture) return fail(hipErrorIllegalState, "hipStreamBeginCapture: the stream is already capturing");
    s.capture = std::make_unique<hv::emu::Graph>();
    return hipSuccess;
}

hipError_t hipStreamEndCapture(hipStream_t stream, hipGraph_t* graph) {
    hv::emu::Stream& s = stream ? *stream : hv::emu::default_stream();
    if (!graph) return fail(hipErrorInvalidValue, "hipStreamEndCapture: graph is null");
    if (!s.capture) return fail(hipErrorIllegalState, "hipStreamEndCapture: the stream is not capturing");
    *graph = s.capture.release();
    return hipSuccess;
}

hipError_t hipGraphInstantiateWithFlags(hipGraphExec_t* exec, hipGraph_t graph, unsigned long long) {
    if (!exec || !graph) return fail(hipErrorInvalidValue, "hipGraphInstantiateWithFlags: null argument");
    try {
        *exec = new hv::emu::Graph(*graph);
    } catch (const std::exception& e) {
        return fail(hipErrorOutOfMemory, std::string("hipGraphInstantiateWithFlags: ") + e.what());
    }
    return hipSuccess;
}

hipError_t hipGraphLaunch(hipGraphExec_t exec, hipStream_t stream) {
    if (!exec) return fail(hipErrorInvalidValue, "hipGraphLaunch: exec is null");
    if (const hipError_t e = refuse_while_capturing(stream, "hipGraphLaunch"); e != hipSuccess) return e;
    for (const auto& n : exec->nodes)
        if (const hipError_t e = hv::emu::launch(n.body, n.grid, n.block, n.dynamic_shared, stream); e != hipSuccess)
            return e;
    return hipSuccess;
}

hipError_t hipGraphExecDestroy(hipGraphExec_t exec) {
    delete exec;
    return hipSuccess;
}

hipError_t hipGraphDestroy(hipGraph_t graph) {
    delete graph;
    return hipSuccess;
}
hipError_t hipDeviceSynchronize() { return hipSuccess; }

hipError_t hipGetDeviceCount(int* count) {
    if (!count) return fail(hipErrorInvalidValue, "hipGetDeviceCount: count is null");
    *count = 1;
    return hipSuccess;
}

hipError_t hipSetDevice(int device) {
    return device == 0 ? hipSuccess : fail(hipErrorInvalidDevice, "the emulator has device 0 only");
}

hipError_t hipDeviceGetAttribute(int* value, hipDeviceAttribute_t attr, int device) {
    if (!value || device != 0 || attr != hipDeviceAttributeWarpSize)
        return fail(hipErrorInvalidValue, "hipDeviceGetAttribute: unsupported query");
    *value = hv::emu::stream_warp_size(nullptr);
    return hipSuccess;
}

hipError_t hipGetLastError() {
    const hipError_t e = hv::emu::t_last_error;
    hv::emu::t_last_error = hipSuccess;
    return e;
}

hipError_t hipPeekAtLastError() { return hv::emu::t_last_error; }

const char* hipGetErrorString(hipError_t error) {
    switch (error) {
        case hipSuccess: return "hipSuccess";
        case hipErrorInvalidValue: return "hipErrorInvalidValue";
        case hipErrorOutOfMemory: return "hipErrorOutOfMemory";
        case hipErrorInvalidConfiguration: return "hipErrorInvalidConfiguration";
        case hipErrorInvalidDevice: return "hipErrorInvalidDevice";
        case hipErrorLaunchFailure: return "hipErrorLaunchFailure";
        case hipErrorStreamCaptureUnsupported: return "hipErrorStreamCaptureUnsupported";
        case hipErrorIllegalState: return "hipErrorIllegalState";
    }
    return "unknown hipError_t";
}
