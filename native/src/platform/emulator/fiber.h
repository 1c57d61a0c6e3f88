// fiber.h: the one thing the emulator needs from a coroutine library: start a function on a stack
// of our own and switch between such stacks. On x86-64 a dozen instructions of assembly (fiber.cpp)
// save the callee-saved registers and the FP control words and swap stack pointers; elsewhere (or
// with -DHV_EMU_UCONTEXT) it is ucontext, which is correct but makes a signal-mask system call per
// switch, slow enough to dominate a 197x768 LayerNorm.
#pragma once

#include <cstddef>

#if !defined(__x86_64__) && !defined(HV_EMU_UCONTEXT)
#define HV_EMU_UCONTEXT 1
#endif

#if defined(HV_EMU_UCONTEXT)
#include <ucontext.h>
#endif

namespace hv::emu {

struct FiberContext {
#if defined(HV_EMU_UCONTEXT)
    ucontext_t uc;
#else
    void* sp = nullptr;
#endif
};

// Prepares `fiber` to run entry() on [stack, stack + bytes) at its first switch_fiber into it.
// entry() must never return: it ends by switching away for good.
void make_fiber(FiberContext& fiber, void* stack, size_t bytes, void (*entry)());

// Saves the running context in `from` and resumes `to`.
void switch_fiber(FiberContext& from, FiberContext& to);

}  // namespace hv::emu
