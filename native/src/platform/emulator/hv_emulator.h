// hv_emulator.h: the HIP subset HipVision's kernels use, executed on the CPU, so the same .hip sources
// build with g++ and are tested everywhere, at warp size 32 (NVIDIA, RDNA) and 64 (AMD CDNA).
//
// Design
//   Grid:    the blocks of a launch are handed out through one atomic counter to the launching thread
//            plus the workers of the stream's pool; a block never migrates between host threads.
//   Block:   its threads are fibers (own stacks; fiber.h: a hand-written x86-64 switch, ucontext
//            elsewhere) run cooperatively on one host thread by a small scheduler. A fiber runs until
//            it reaches a synchronisation point (__syncthreads, a warp shuffle or ballot) and then
//            yields; nothing is preempted, and between two sync points one GPU thread's code runs
//            uninterrupted, which is all a GPU promises too. The scheduler runs one warp at a time
//            until all its lanes wait at a block barrier (a legal schedule with maximal skew between
//            warps), flipping the order of warps and lanes every sweep, so a missing __syncthreads
//            shows up as a wrong answer instead of hiding behind program order.
//   Barrier: arrive/generation counters: the last live thread to arrive releases the others. Threads
//            that have returned no longer count (what current GPUs do). If every live fiber waits and
//            none can be released (a barrier in divergent code) the launch fails with a message
//            instead of hanging.
//   Warps:   warpSize is a run-time value taken from the stream (32 or 64). A shuffle or ballot writes
//            the lane's value to a per-warp slot, waits on the warp barrier, then reads its source
//            lane's slot. Slots are double-buffered, so one barrier per shuffle suffices: a lane can
//            only overwrite a buffer after the next barrier, which every lane reaches after reading.
//            Lanes beyond the block's last thread hold a NaN-like poison pattern.
//   Shared:  __shared__ expands to `static thread_local`: one copy per host thread, i.e. per running
//            block, visible to all of that block's fibers. It is not re-poisoned between blocks: reading
//            before writing sees an earlier block's values (as a GPU may). Dynamic shared memory (HV_DYNAMIC_SHARED)
//            is a per-block buffer filled with a poison pattern before each block.
//   Atomics: std::atomic_ref, because blocks do run concurrently on different host threads.
//   Streams: launches and copies run synchronously in the caller; stream order follows trivially.
//   Graphs:  hipStreamBeginCapture puts the stream in recording mode: each hipLaunchKernelGGL then
//            checks its launch configuration and records a closure holding the kernel arguments by
//            value (the tuple launch_kernel already builds) instead of running it. Copies, memsets and
//            synchronize on a capturing stream fail with hipErrorStreamCaptureUnsupported, as HIP's
//            do. hipStreamEndCapture hands the recording over as a hipGraph_t; hipGraphInstantiate-
//            WithFlags copies it and hipGraphLaunch runs the closures in order, synchronously, on the given
//            stream. Capture is per stream (the thread-local mode is accepted and not otherwise used).
//   Errors:  nothing here exits or aborts: a bad launch or an exception escaping a kernel becomes a
//            hipError_t returned by hipGetLastError(), with a message in hv::emu::last_error_detail().
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>

#define HV_PLATFORM_EMULATOR 1

// ---- qualifiers -------------------------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __shared__ static thread_local
#define __restrict__ __restrict

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
};

// ---- runtime API ------------------------------------------------------------------------------
enum hipError_t {
    hipSuccess = 0,
    hipErrorInvalidValue = 1,
    hipErrorOutOfMemory = 2,
    hipErrorInvalidConfiguration = 9,
    hipErrorInvalidDevice = 101,
    hipErrorLaunchFailure = 719,
    hipErrorStreamCaptureUnsupported = 900,
    hipErrorIllegalState = 401,
};
enum hipMemcpyKind {
    hipMemcpyHostToHost = 0,
    hipMemcpyHostToDevice = 1,
    hipMemcpyDeviceToHost = 2,
    hipMemcpyDeviceToDevice = 3,
    hipMemcpyDefault = 4,
};
enum hipDeviceAttribute_t { hipDeviceAttributeWarpSize = 1 };

namespace hv::emu { struct Stream; struct Graph; }
typedef hv::emu::Stream* hipStream_t;
typedef hv::emu::Graph* hipGraph_t;
typedef hv::emu::Graph* hipGraphExec_t;  // an instantiated graph is a copy of the recording
enum hipStreamCaptureMode { hipStreamCaptureModeGlobal = 0, hipStreamCaptureModeThreadLocal = 1, hipStreamCaptureModeRelaxed = 2 };

hipError_t hipMalloc(void** ptr, size_t bytes);
hipError_t hipFree(void* ptr);
hipError_t hipMemcpy(void* dst, const void* src, size_t bytes, hipMemcpyKind kind);
hipError_t hipMemcpyAsync(void* dst, const void* src, size_t bytes, hipMemcpyKind kind, hipStream_t stream);
hipError_t hipMemset(void* dst, int value, size_t bytes);
hipError_t hipMemsetAsync(void* dst, int value, size_t bytes, hipStream_t stream);
hipError_t hipStreamCreate(hipStream_t* stream);
hipError_t hipStreamDestroy(hipStream_t stream);
hipError_t hipStreamSynchronize(hipStream_t stream);
hipError_t hipDeviceSynchronize();
hipError_t hipGetDeviceCount(int* count);
hipError_t hipSetDevice(int device);
hipError_t hipDeviceGetAttribute(int* value, hipDeviceAttribute_t attr, int device);
hipError_t hipGetLastError();
hipError_t hipPeekAtLastError();
const char* hipGetErrorString(hipError_t error);
hipError_t hipStreamBeginCapture(hipStream_t stream, hipStreamCaptureMode mode);
hipError_t hipStreamEndCapture(hipStream_t stream, hipGraph_t* graph);
hipError_t hipGraphInstantiateWithFlags(hipGraphExec_t* exec, hipGraph_t graph, unsigned long long flags);
hipError_t hipGraphLaunch(hipGraphExec_t exec, hipStream_t stream);
hipError_t hipGraphExecDestroy(hipGraphExec_t exec);
hipError_t hipGraphDestroy(hipGraph_t graph);

namespace hv::emu {

// Streams carry the emulated device's shape: warp size (32 or 64) and host threads (0: all cores).
hipError_t stream_create(hipStream_t* stream, int warp_size, int host_threads);
int stream_warp_size(hipStream_t stream);
// Detail of the last failure on this host thread ("" when none), e.g. which block deadlocked.
const char* last_error_detail();

struct ThreadState {
    dim3 thread_idx;
    unsigned linear = 0;   // x + y·Bx + z·Bx·By, the order lanes are packed into warps
};
struct BlockState {
    dim3 block_idx, block_dim, grid_dim;
    int warp_size = 64;
    unsigned char* dynamic_shared = nullptr;
};
extern thread_local ThreadState* t_thread;
extern thread_local BlockState* t_block;

void syncthreads();
// The warp primitives exchange 64-bit patterns; the typed wrappers below convert.
uint64_t warp_exchange(uint64_t bits, int (*source)(int lane, int arg, int width), int arg, int width);
uint64_t warp_ballot(bool predicate);

using Launchable = std::function<void()>;
hipError_t launch(const Launchable& body, dim3 grid, dim3 block, size_t dynamic_shared_bytes, hipStream_t stream);
// Graph capture: whether `stream` is recording, and how a launch is recorded (its configuration checked now).
bool stream_capturing(hipStream_t stream);
hipError_t record(Launchable body, dim3 grid, dim3 block, size_t dynamic_shared_bytes, hipStream_t stream);
// Kernel launches recorded in a graph (what hipGraphGetNodes would count: all of them are kernels).
size_t graph_launch_count(hipGraph_t graph);

template <class T>
inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a type wider than 64 bits");
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T>
inline T from_bits(uint64_t b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}

// Source-lane rules as HIP defines them: lanes are grouped in segments of `width`; a source
// outside the caller's segment yields the caller's own value (xor, down, up), __shfl wraps.
inline int src_xor(int lane, int mask, int width) {
    const int s = lane ^ mask;
    return s >= ((lane + width) & ~(width - 1)) ? lane : s;
}
inline int src_down(int lane, int delta, int width) {
    return (lane & (width - 1)) + delta >= width ? lane : lane + delta;
}
inline int src_up(int lane, int delta, int width) {
    return (lane & (width - 1)) < delta ? lane : lane - delta;
}
inline int src_idx(int lane, int src, int width) {
    return (lane & ~(width - 1)) + (src & (width - 1));
}

}  // namespace hv::emu

#define threadIdx (::hv::emu::t_thread->thread_idx)
#define blockIdx (::hv::emu::t_block->block_idx)
#define blockDim (::hv::emu::t_block->block_dim)
#define gridDim (::hv::emu::t_block->grid_dim)
#define warpSize (::hv::emu::t_block->warp_size)

#define HV_DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(::hv::emu::t_block->dynamic_shared)

inline void __syncthreads() { ::hv::emu::syncthreads(); }
inline unsigned __lane_id() { return ::hv::emu::t_thread->linear % unsigned(warpSize); }

template <class T>
inline T __shfl_xor(T var, int lane_mask, int width = warpSize) {
    return ::hv::emu::from_bits<T>(::hv::emu::warp_exchange(::hv::emu::to_bits(var), ::hv::emu::src_xor, lane_mask, width));
}
template <class T>
inline T __shfl_down(T var, unsigned delta, int width = warpSize) {
    return ::hv::emu::from_bits<T>(::hv::emu::warp_exchange(::hv::emu::to_bits(var), ::hv::emu::src_down, int(delta), width));
}
template <class T>
inline T __shfl_up(T var, unsigned delta, int width = warpSize) {
    return ::hv::emu::from_bits<T>(::hv::emu::warp_exchange(::hv::emu::to_bits(var), ::hv::emu::src_up, int(delta), width));
}
template <class T>
inline T __shfl(T var, int src_lane, int width = warpSize) {
    return ::hv::emu::from_bits<T>(::hv::emu::warp_exchange(::hv::emu::to_bits(var), ::hv::emu::src_idx, src_lane, width));
}
inline unsigned long long __ballot(int predicate) { return ::hv::emu::warp_ballot(predicate != 0); }
inline int __any(int predicate) { return __ballot(predicate) != 0; }
inline int __all(int predicate) {
    // Live lanes only: a partial last warp must not read as "not all".
    const unsigned long long live = ::hv::emu::warp_ballot(true);
    return __ballot(predicate) == live;
}

template <class T>
inline T atomicAdd(T* address, T value) { return std::atomic_ref<T>(*address).fetch_add(value); }
template <class T>
inline T atomicSub(T* address, T value) { return std::atomic_ref<T>(*address).fetch_sub(value); }
template <class T>
inline T atomicExch(T* address, T value) { return std::atomic_ref<T>(*address).exchange(value); }
template <class T>
inline T atomicCAS(T* address, T compare, T value) {
    std::atomic_ref<T>(*address).compare_exchange_strong(compare, value);
    return compare;
}
template <class T>
inline T atomicMax(T* address, T value) {
    std::atomic_ref<T> a(*address);
    T old = a.load();
    while (old < value && !a.compare_exchange_weak(old, value)) {}
    return old;
}
template <class T>
inline T atomicMin(T* address, T value) {
    std::atomic_ref<T> a(*address);
    T old = a.load();
    while (value < old && !a.compare_exchange_weak(old, value)) {}
    return old;
}

inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __fdividef(float a, float b) { return a / b; }

namespace hv::emu {
// Arguments are converted to the kernel's parameter types once, at the launch, as a GPU launch does;
// every GPU thread then receives its own by-value copy of them (kernels may modify parameters).
template <class... Params, class... Args>
hipError_t launch_kernel(void (*kernel)(Params...), dim3 grid, dim3 block, size_t dynamic_shared_bytes,
                         hipStream_t stream, Args&&... args) {
    static_assert(sizeof...(Params) == sizeof...(Args), "kernel launched with the wrong number of arguments");
    const std::tuple<std::decay_t<Params>...> params(std::forward<Args>(args)...);
    if (stream_capturing(stream))
        return record([kernel, params] { std::apply(kernel, params); }, grid, block, dynamic_shared_bytes, stream);
    return launch([&] { std::apply(kernel, params); }, grid, block, dynamic_shared_bytes, stream);
}
}  // namespace hv::emu

#define hipLaunchKernelGGL(kernel, ...) ::hv::emu::launch_kernel(kernel, __VA_ARGS__)
#define HIP_KERNEL_NAME(...) __VA_ARGS__
