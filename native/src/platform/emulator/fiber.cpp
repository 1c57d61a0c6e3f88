// fiber.cpp: see fiber.h.
#include "fiber.h"

#include <cstdint>

namespace hv::emu {

#if defined(HV_EMU_UCONTEXT)

void make_fiber(FiberContext& fiber, void* stack, size_t bytes, void (*entry)()) {
    getcontext(&fiber.uc);
    fiber.uc.uc_stack.ss_sp = stack;
    fiber.uc.uc_stack.ss_size = bytes;
    fiber.uc.uc_link = nullptr;
    makecontext(&fiber.uc, entry, 0);
}

void switch_fiber(FiberContext& from, FiberContext& to) { swapcontext(&from.uc, &to.uc); }

#else

extern "C" void hv_emu_switch_stack(void** save_sp, void* load_sp);

// System V x86-64: rbx, rbp, r12-r15, MXCSR and the x87 control word belong to the callee; the
// return address already sits on the stack. Push them, swap rsp, pop the other fiber's, return into it.
asm(R"(
    .text
    .globl hv_emu_switch_stack
    .hidden hv_emu_switch_stack
    .type hv_emu_switch_stack,@function
hv_emu_switch_stack:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size hv_emu_switch_stack,.-hv_emu_switch_stack
)");

void make_fiber(FiberContext& fiber, void* stack, size_t bytes, void (*entry)()) {
    // Top of stack, 16-aligned. `ret` pops entry, leaving rsp ≡ 8 (mod 16) as after a call.
    auto top = (reinterpret_cast<uintptr_t>(stack) + bytes) & ~uintptr_t{15};
    auto* slot = reinterpret_cast<uint64_t*>(top);
    *--slot = 0;                                     // entry's (never used) return address
    *--slot = reinterpret_cast<uint64_t>(entry);
    for (int r = 0; r < 6; ++r) *--slot = 0;         // rbp rbx r12 r13 r14 r15
    uint32_t mxcsr;
    uint16_t fpucw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpucw));
    *--slot = uint64_t(mxcsr) | uint64_t(fpucw) << 32;
    fiber.sp = slot;
}

void switch_fiber(FiberContext& from, FiberContext& to) { hv_emu_switch_stack(&from.sp, to.sp); }

#endif

}  // namespace hv::emu
