// patch_embed.hip: the gather (im2col) half of HF's patch embedding, Conv2d(C, D, kernel=p, stride=p).
// Math, pixels [B, C, H, W] (NCHW), grid GH = H/p, GW = W/p, K = C·p·p:
//   patches[b, gy·GW + gx, (c·p + ky)·p + kx] = pixels[b, c, gy·p + ky, gx·p + kx]
// Token order is row-major over the patch grid (HF's flatten(2).transpose(1, 2)); the column order
//   (c, ky, kx) is the conv weight [D, C, p, p] flattened, so patches·Wᵀ + bias is the convolution.
// Geometry: grid-stride over the B·GH·GW·K outputs, 256 threads; writes are consecutive, reads come
//   in runs of p consecutive pixels.
// Elements of any storage type are moved as they are (bit-exact).
// Reference: native/tests/test_token_ops.cpp (exact), test_precision.cpp.
#include "kernels.h"
#include "launch.h"
#include "storage.h"

namespace {

template <class T>
__global__ void __launch_bounds__(hv::kElementwiseThreads)
patch_embed_kernel(const T* pixels, T* patches, int64_t total, int channels, int height, int width,
                   int patch) {
    const int grid_w = width / patch;
    const int tokens = (height / patch) * grid_w;
    const int k = channels * patch * patch;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int col = int(i % k);
        const int64_t row = i / k;
        const int token = int(row % tokens);
        const int64_t b = row / tokens;
        const int c = col / (patch * patch), ky = col / patch % patch, kx = col % patch;
        const int y = token / grid_w * patch + ky, x = token % grid_w * patch + kx;
        patches[i] = pixels[((b * channels + c) * height + y) * width + x];
    }
}

}  // namespace

namespace hv {

hipError_t launch_patch_embed(hv_dtype dtype, const void* pixels, void* patches, int64_t batch, int64_t channels,
                              int64_t height, int64_t width, int64_t patch, hipStream_t stream) {
    const int64_t total = batch * channels * height * width;  // every pixel lands in exactly one patch
    if (total == 0) return hipSuccess;
    return with_storage(dtype, [&](auto storage) {
        using T = typename decltype(storage)::type;
        hipLaunchKernelGGL(patch_embed_kernel<T>, grid_stride_blocks(total), dim3(kElementwiseThreads), 0, stream,
                           static_cast<const T*>(pixels), static_cast<T*>(patches), total, int(channels), int(height),
                           int(width), int(patch));
        return hipGetLastError();
    });
}

}  // namespace hv
