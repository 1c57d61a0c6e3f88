/* hipvision.h: the whole C ABI of HipVision's native GPU library.
 *
 * Rules (the C# interop in src/HipVision/Interop/ relies on every one of them):
 *   - Every function returns hv_status (except hv_last_error and hv_status_string, which only read).
 *     Results go out through pointers, which are written only on success.
 *   - On failure, hv_last_error() returns a message naming the function and what was wrong. It is
 *     thread-local and reset at the start of every hv_ call on that thread; it is never NULL.
 *   - Nothing native exits, aborts or prints: every C++ exception is caught at this boundary.
 *   - Handles are opaque. Destroying NULL is a no-op returning HV_OK. A buffer keeps its context's
 *     device alive, so contexts and buffers may be destroyed in any order.
 *   - Tensors are dense row-major float32; shapes are int64_t and must be >= 0 (sizes in bytes size_t).
 *   - Operations are enqueued on the context's stream and may run asynchronously; hv_buffer_download
 *     and hv_context_synchronize wait for them. Asynchronous kernel faults surface there.
 *   - Output buffers may alias inputs where an entry says so; otherwise they must not overlap.
 */
#ifndef HIPVISION_H
#define HIPVISION_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define HV_API __declspec(dllexport)
#else
#define HV_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hv_status {
    HV_OK = 0,
    HV_ERROR_INVALID_ARGUMENT = 1, /* a null, out-of-range or mismatched argument: a caller bug */
    HV_ERROR_OUT_OF_MEMORY = 2,    /* device or host allocation failed */
    HV_ERROR_DEVICE = 3,           /* the GPU runtime or a kernel failed (message has the runtime's words) */
    HV_ERROR_UNSUPPORTED = 4,      /* valid request this build or device cannot do */
    HV_ERROR_INTERNAL = 5          /* a bug in HipVision's native code */
} hv_status;

typedef struct hv_context hv_context;
typedef struct hv_buffer hv_buffer;

/* Options for hv_context_create; zero-initialise and set what you need. Pass NULL for defaults. */
typedef struct hv_context_options {
    int32_t device;             /* GPU ordinal; 0 by default */
    int32_t emulator_warp_size; /* emulator build only: 32 or 64; 0 = 64 (AMD CDNA). Ignored on GPUs. */
    int32_t emulator_threads;   /* emulator build only: host threads running blocks; 0 = all cores */
} hv_context_options;

/* The message of the last failed hv_ call on this thread, "" if it succeeded. */
HV_API const char* hv_last_error(void);
/* "HV_OK", "HV_ERROR_INVALID_ARGUMENT", ...; "HV_STATUS_UNKNOWN" for other values. */
HV_API const char* hv_status_string(hv_status status);
/* The build variant: "amd", "nvidia" or "emulator" (static storage). */
HV_API hv_status hv_get_backend(const char** name);

HV_API hv_status hv_context_create(const hv_context_options* options, hv_context** context);
HV_API hv_status hv_context_destroy(hv_context* context);
/* The warp (wavefront) width kernels run with on this context: 32 or 64. */
HV_API hv_status hv_context_warp_size(const hv_context* context, int32_t* warp_size);
HV_API hv_status hv_context_synchronize(hv_context* context);

/* Device memory of `bytes` bytes (0 allowed), contents undefined. */
HV_API hv_status hv_buffer_alloc(hv_context* context, size_t bytes, hv_buffer** buffer);
HV_API hv_status hv_buffer_free(hv_buffer* buffer);
HV_API hv_status hv_buffer_size(const hv_buffer* buffer, size_t* bytes);
/* Copy host -> device at byte `offset`; returns once `src` may be reused. */
HV_API hv_status hv_buffer_upload(hv_buffer* buffer, size_t offset, const void* src, size_t bytes);
/* Copy device -> host from byte `offset`, after all work queued on the buffer's context. */
HV_API hv_status hv_buffer_download(const hv_buffer* buffer, size_t offset, void* dst, size_t bytes);

/* LayerNorm over the last dimension of x[rows, cols] (torch.nn.LayerNorm: biased variance):
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta
 * gamma and beta hold cols floats; either may be NULL (1 and 0). y may alias x. eps >= 0, finite. */
HV_API hv_status hv_layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* gamma,
                               const hv_buffer* beta, hv_buffer* y, int64_t rows, int64_t cols, float eps);

/* The pre-norm residual step fused: s = x + residual, sum = s (if sum is not NULL), y = LayerNorm(s).
 * sum may alias x or residual; y may alias x or residual but not sum. */
HV_API hv_status hv_add_layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* residual,
                                   const hv_buffer* gamma, const hv_buffer* beta, hv_buffer* sum, hv_buffer* y,
                                   int64_t rows, int64_t cols, float eps);

#ifdef __cplusplus
}
#endif

#endif /* HIPVISION_H */
