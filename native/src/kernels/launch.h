// launch.h: grid sizing for the grid-stride elementwise kernels. The grid is capped (every block loops
// over the remaining elements), so no launch ever exceeds a grid limit, whatever the tensor size.
#pragma once

#include <algorithm>
#include <cstdint>

#include "../platform/hv_platform.h"

namespace hv {

constexpr int kElementwiseThreads = 256;

inline dim3 grid_stride_blocks(int64_t n) {
    const int64_t blocks = (n + kElementwiseThreads - 1) / kElementwiseThreads;
    return dim3(unsigned(std::clamp<int64_t>(blocks, 1, 4096)));
}

}  // namespace hv
