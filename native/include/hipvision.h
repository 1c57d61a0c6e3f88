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
 *   - Tensors are dense row-major in their buffer's element type (float32, float16 or bfloat16: see Element
 *     types); shapes count elements, are int64_t and must be >= 0 (sizes in bytes size_t).
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
typedef struct hv_graph hv_graph;

/* Options for hv_context_create; zero-initialise and set what you need. Pass NULL for defaults. */
typedef struct hv_context_options {
    int32_t device;             /* GPU ordinal; 0 by default */
    int32_t emulator_warp_size; /* emulator build only: 32 or 64; 0 = 64 (AMD CDNA). Ignored on GPUs. */
    int32_t emulator_threads;   /* emulator build only: host threads running blocks; 0 = all cores */
    const char* tuning_cache_dir; /* where hv_conv2d_prepare keeps vendor find results (copied); NULL: no on-disk cache */
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
/* A buffer aliasing bytes [offset, offset + bytes) of `parent` (which may itself be a view): ops and copies see
 * that range. The view keeps the allocation alive, so parent and view may be freed in any order. offset must be
 * a multiple of 256 (the alignment every kernel assumes). One arena carved into views is how a plan places
 * every activation at its planned offset. */
HV_API hv_status hv_buffer_view(hv_buffer* parent, size_t offset, size_t bytes, hv_buffer** view);

/* ---- Element types ---------------------------------------------------------------------------
 * Every buffer has an element type: float32 unless set with hv_buffer_set_dtype; a view starts with its
 * parent's type. Every tensor argument of one op (activations, weights, biases, gamma/beta, bias tables)
 * must have the same type, else HV_ERROR_INVALID_ARGUMENT naming both (exceptions: hv_cast; hv_preprocess's
 * y may have any type; hv_squeeze_excite's workspace is untyped scratch). Arithmetic is float32 whatever the
 * storage: elements are widened on load, products accumulate in float32 (GEMM, convolution, attention,
 * pooling, LayerNorm and softmax statistics), and each result is rounded once to the storage type on store
 * (round to nearest even; fp16 overflow gives +-inf). Shapes count elements; size checks use the element size.
 * Scalars (eps, alpha, beta, scale) stay float.
 * The conversions are explicit bit arithmetic, the same on every build and the same as .NET's System.Half:
 * float16 NaN from float is sign | 0x7E00 | fraction >> 13, float from float16 NaN sign | 0x7FC00000 |
 * fraction << 13; bfloat16 NaN from float keeps the top 16 bits and sets the quiet bit 0x0040
 * (native/src/kernels/storage.h). */
typedef enum hv_dtype {
    HV_DTYPE_FLOAT32 = 0,
    HV_DTYPE_FLOAT16 = 1,  /* IEEE binary16 */
    HV_DTYPE_BFLOAT16 = 2  /* bfloat16: float32's top 16 bits */
} hv_dtype;
/* Sets the element type ops read the buffer's bytes as (the bytes themselves are not touched). Only this
 * handle changes: views made before keep theirs. */
HV_API hv_status hv_buffer_set_dtype(hv_buffer* buffer, hv_dtype dtype);
HV_API hv_status hv_buffer_get_dtype(const hv_buffer* buffer, hv_dtype* dtype);

/* ---- Graph capture ----------------------------------------------------------------------------
 * A fixed sequence of ops recorded once and replayed with one call (hipGraph on AMD, CUDA graph on NVIDIA,
 * a recorded list of launches on the emulator). Between hv_graph_begin and hv_graph_end the context's
 * stream records instead of running: only op entries (hv_cast, hv_activate, hv_batch_norm, hv_layer_norm ..
 * hv_squeeze_excite; hv_buffer_set_dtype too, which queues nothing) may be called on it. hv_buffer_upload,
 * hv_buffer_download, hv_context_synchronize, hv_preprocess and hv_graph_launch on a capturing context fail
 * with HV_ERROR_INVALID_ARGUMENT (nothing is queued, the capture goes on). A replay reads and writes the same
 * buffers the ops named when captured, with their contents at replay time: upload new input before
 * hv_graph_launch, download after. Those buffers must outlive the graph. Ops called with a
 * vendor BLAS are captured as the library issues them (rocBLAS/cuBLAS support stream capture). */

/* Start capturing the context's stream. Fails if the context is already capturing. */
HV_API hv_status hv_graph_begin(hv_context* context);
/* Stop capturing and instantiate what was recorded as *graph (ends the capture even on failure). Fails if
 * the context is not capturing. The graph keeps the context's device alive. */
HV_API hv_status hv_graph_end(hv_context* context, hv_graph** graph);
/* Replay the graph on its context's stream (asynchronous like any op). */
HV_API hv_status hv_graph_launch(hv_graph* graph);
/* Kernel launches the graph holds (for reports). */
HV_API hv_status hv_graph_launch_count(const hv_graph* graph, int64_t* launches);
HV_API hv_status hv_graph_destroy(hv_graph* graph);

/* LayerNorm over the last dimension of x[rows, cols] (torch.nn.LayerNorm: biased variance):
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta
 * gamma and beta hold cols elements; either may be NULL (1 and 0). y may alias x. eps >= 0, finite. */
HV_API hv_status hv_layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* gamma,
                               const hv_buffer* beta, hv_buffer* y, int64_t rows, int64_t cols, float eps);

/* The pre-norm residual step fused: s = x + residual, sum = s (if sum is not NULL), y = LayerNorm(s).
 * sum may alias x or residual; y may alias x or residual but not sum. */
HV_API hv_status hv_add_layer_norm(hv_context* context, const hv_buffer* x, const hv_buffer* residual,
                                   const hv_buffer* gamma, const hv_buffer* beta, hv_buffer* sum, hv_buffer* y,
                                   int64_t rows, int64_t cols, float eps);

/* ---- Transformer ops (HF ViT and BEiT) ---------------------------------------------------------
 * Same conventions as above: dense row-major buffers of one element type, int64_t shapes (each must fit in int32
 * and be >= 0; a 0 extent makes the call a no-op), arguments validated before anything is queued.
 * Outputs must not overlap inputs unless an entry says they may alias. */

/* The activation of a fused epilogue (hv_linear, the convolutions, hv_batch_norm) or of hv_activate. */
typedef enum hv_activation {
    HV_ACTIVATION_NONE = 0,
    HV_ACTIVATION_GELU = 1,   /* exact: x/2 * (1 + erf(x/sqrt(2))), torch.nn.GELU(), HF "gelu" */
    HV_ACTIVATION_RELU = 2,   /* max(x, 0) */
    HV_ACTIVATION_RELU6 = 3,  /* min(max(x, 0), 6) */
    HV_ACTIVATION_SILU = 4,   /* x * sigmoid(x), HF "silu"/"swish" */
    HV_ACTIVATION_SIGMOID = 5 /* 1 / (1 + exp(-x)) */
} hv_activation;

/* Memory layout of an image tensor: NCHW [batch, channels, height, width] or NHWC [batch, height, width, channels]. */
typedef enum hv_layout {
    HV_LAYOUT_NCHW = 0,
    HV_LAYOUT_NHWC = 1
} hv_layout;

/* y = x converted element by element (count elements); x and y may have any types (same type: a bit copy,
 * NaN payloads included). y must not overlap x unless it is the same buffer with the same type (the same first
 * byte and type: the cast is then in place). */
HV_API hv_status hv_cast(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t count);

/* Elementwise activation: y = act(x) over count elements, any hv_activation (NONE copies). y may alias x.
 * hv_activate(..., HV_ACTIVATION_GELU) is HF ViT/BEiT's intermediate act "gelu". */
HV_API hv_status hv_activate(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t count,
                             hv_activation activation);

/* Inference BatchNorm (torch.nn.BatchNorm2d in eval mode) with an optional activation after it, per channel c:
 *   y = act((x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c])
 * x and y are [batch, channels, spatial] (layout NCHW, spatial = H*W) or [batch, spatial, channels] (NHWC);
 * mean, var (channels elements) required; gamma, beta may be NULL (1 and 0). eps >= 0, finite. y may alias x. */
HV_API hv_status hv_batch_norm(hv_context* context, const hv_buffer* x, const hv_buffer* mean, const hv_buffer* var,
                               const hv_buffer* gamma, const hv_buffer* beta, hv_buffer* y, int64_t batch,
                               int64_t channels, int64_t spatial, hv_layout layout, float eps, hv_activation activation);

/* Batched GEMM, row-major: for every i in [0, batch),
 *   C_i[m, n] = alpha * op(A_i) * op(B_i) + beta * C_i + bias[n]
 * op(A_i) is m x k: A_i stored [m, k], or [k, m] when trans_a != 0; op(B_i) is k x n: B_i stored
 * [k, n], or [n, k] when trans_b != 0 (torch.nn.Linear weights). X_i starts at X + i * stride_x elements;
 * stride_a or stride_b 0 shares one matrix over the batch; stride_c must be >= m*n when batch > 1.
 * bias (n elements, shared over rows and batch) may be NULL. When beta == 0, C is not read (may hold NaN).
 * trans_a, trans_b: 0 or 1. c must not alias a, b or bias. Vendor BLAS when built with it, else
 * HipVision's tiled kernel (native/src/kernels/gemm.hip). Serves torch.matmul / torch.bmm / addmm. */
HV_API hv_status hv_gemm(hv_context* context, const hv_buffer* a, const hv_buffer* b, const hv_buffer* bias,
                         hv_buffer* c, int64_t batch, int64_t m, int64_t n, int64_t k, int64_t stride_a,
                         int64_t stride_b, int64_t stride_c, int32_t trans_a, int32_t trans_b, float alpha,
                         float beta);

/* torch.nn.Linear with an optional activation after it (HF ViT/BEiT query/key/value, dense layers):
 *   y[rows, out_features] = act(x[rows, in_features] * weight^T + bias)
 * weight is [out_features, in_features] as PyTorch stores it; bias (out_features elements) may be NULL.
 * y must not alias x, weight or bias. Bias and activation are fused into the GEMM's epilogue on the
 * built-in kernel; after a vendor GEMM they run as one extra elementwise pass (bias_act.hip). */
HV_API hv_status hv_linear(hv_context* context, const hv_buffer* x, const hv_buffer* weight, const hv_buffer* bias,
                           hv_buffer* y, int64_t rows, int64_t in_features, int64_t out_features,
                           hv_activation activation);

/* Multi-head self-attention on a fused QKV tensor, softmax and the product with V in one kernel (no
 * tokens x tokens matrix in memory). With D = heads * head_dim, qkv is [batch, tokens, 3*D]: query in
 * columns [0, D), key in [D, 2D), value in [2D, 3D); head h uses columns h*head_dim .. +head_dim of each.
 *   out[b, i, h*head_dim + d] = sum_j softmax_j(scale * q_i . k_j + bias[h, i, j]) * v_j[d]
 * out is [batch, tokens, D] (HF's context_layer after the head merge). bias, [heads, tokens, tokens]
 * shared over the batch (BEiT's relative position bias), may be NULL (ViT). scale: finite and > 0,
 * 1/sqrt(head_dim) for HF. heads >= 1 and 1 <= head_dim <= 128 (HV_ERROR_UNSUPPORTED beyond); batch and
 * heads <= 65535. out must not alias qkv or bias. */
HV_API hv_status hv_attention(hv_context* context, const hv_buffer* qkv, const hv_buffer* bias, hv_buffer* out,
                              int64_t batch, int64_t tokens, int64_t heads, int64_t head_dim, float scale);

/* The gather half of HF's patch embedding (Conv2d(C, D, kernel=patch, stride=patch)): pixels
 * [batch, channels, height, width] (NCHW) -> patches [batch, (height/patch)*(width/patch), channels*patch*patch].
 * Patch tokens are row-major over the patch grid; each patch's columns are ordered (c, ky, kx), which is
 * how the conv weight [D, C, p, p] flattens to [D, C*p*p], so hv_linear(patches, weight, bias) finishes
 * the embedding. height and width must be multiples of patch. patches must not alias pixels. */
HV_API hv_status hv_patch_embed(hv_context* context, const hv_buffer* pixels, hv_buffer* patches, int64_t batch,
                                int64_t channels, int64_t height, int64_t width, int64_t patch);

/* y = a + b with b broadcast over leading rows: a and y are [rows, cols], b is [b_rows, cols] with
 * rows a multiple of b_rows, and y[r] = a[r] + b[r % b_rows]. b_rows == rows: same-shape residual add;
 * b_rows == tokens: ViT position embeddings [T, D] over [B*T, D]. y may alias a, or b when b_rows == rows. */
HV_API hv_status hv_add(hv_context* context, const hv_buffer* a, const hv_buffer* b, hv_buffer* y, int64_t rows,
                        int64_t cols, int64_t b_rows);

/* BEiT's layer scale (lambda_1, lambda_2) with the residual add after it optionally fused:
 *   y[r, c] = x[r, c] * gamma[c] (+ residual[r, c] when residual is not NULL)
 * y may alias x or residual. */
HV_API hv_status hv_layer_scale(hv_context* context, const hv_buffer* x, const hv_buffer* gamma,
                                const hv_buffer* residual, hv_buffer* y, int64_t rows, int64_t cols);

/* torch.softmax over the last dimension of x[rows, cols], max-subtracted, computed in float32. y may alias x. */
HV_API hv_status hv_softmax(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t rows, int64_t cols);

/* ViT's torch.cat((cls_token, embeddings), dim=1): y[b, 0, :] = token[:], y[b, 1 + t, :] = x[b, t, :].
 * token is [dim], x is [batch, tokens, dim], y is [batch, tokens + 1, dim]; y must not alias x. */
HV_API hv_status hv_prepend_token(hv_context* context, const hv_buffer* token, const hv_buffer* x, hv_buffer* y,
                                  int64_t batch, int64_t tokens, int64_t dim);

/* One token per image: y[b, :] = x[b, index, :], x [batch, tokens, dim], y [batch, dim]; 0 <= index <
 * tokens. ViT's pooler/classifier input (sequence_output[:, 0, :]). y must not alias x. */
HV_API hv_status hv_slice_token(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t batch,
                                int64_t tokens, int64_t dim, int64_t index);

/* Mean over tokens first .. tokens-1: y[b, :] = mean_t x[b, t, :], x [batch, tokens, dim], y [batch, dim];
 * 0 <= first < tokens. BEiT's mean pooling uses first = 1 (skips CLS). y must not alias x. */
HV_API hv_status hv_mean_tokens(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t batch,
                                int64_t tokens, int64_t dim, int64_t first);

/* ---- Convolutional-network ops (MobileNetV1, EfficientNet) ----------------------------------------
 * Activations are channels-last (NHWC) [batch, height, width, channels], dense; shapes int64_t,
 * each >= 0 and fitting in int32 (a 0 batch or channel count makes the call a no-op); batch <= 65535.
 * Weights keep PyTorch's layouts; BatchNorm is folded into weight and bias by the caller.
 * Pointwise (1x1) convolutions are GEMMs: hv_linear on the NHWC activation viewed as [B*H*W, C_in]. */

/* Explicit zero padding of a convolution, in input pixels on each side. TF "SAME" padding (EfficientNet's
 * checkpoints) is asymmetric; the caller computes it: total = max((ceil(in/stride) - 1)*stride + k - in, 0),
 * top/left = total/2, bottom/right = total - total/2. */
typedef struct hv_padding {
    int64_t top, bottom, left, right;
} hv_padding;

/* Depthwise convolution (torch.nn.Conv2d with groups = channels), bias and activation fused:
 *   y[b,oy,ox,c] = act(bias[c] + sum_{ky,kx} x[b, oy*stride - top + ky, ox*stride - left + kx, c] * w[c,0,ky,kx])
 * x [batch, height, width, channels] NHWC; weight [channels, 1, kernel_h, kernel_w] as PyTorch stores it;
 * bias (channels elements) may be NULL. Out-of-image taps read 0. y [batch, out_h, out_w, channels] with
 *   out_h = (height + top + bottom - kernel_h) / stride_h + 1 (floor), out_w likewise; both must be >= 1.
 * kernel_h, kernel_w in 1..13, strides >= 1, paddings >= 0. activation: any hv_activation. y must not alias x. */
HV_API hv_status hv_depthwise_conv2d(hv_context* context, const hv_buffer* x, const hv_buffer* weight,
                                     const hv_buffer* bias, hv_buffer* y, int64_t batch, int64_t height, int64_t width,
                                     int64_t channels, int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                                     int64_t stride_w, hv_padding padding, hv_activation activation);

/* Dense convolution (groups = 1; stems and k x k convs), bias and activation fused, output NHWC:
 *   y[b,oy,ox,co] = act(bias[co] + sum_{ci,ky,kx} x[b, ci, oy*stride_h - top + ky, ox*stride_w - left + kx] * w[co,ci,ky,kx])
 * x is NCHW [batch, in_channels, height, width] (pixel_values) or NHWC [batch, height, width, in_channels]
 * per x_layout; weight [out_channels, in_channels, kernel_h, kernel_w] (PyTorch); bias (out_channels elements)
 * may be NULL. y [batch, out_h, out_w, out_channels], out_h/out_w as for hv_depthwise_conv2d. kernel sizes
 * >= 1 with kernel_h * kernel_w <= 256, strides >= 1, paddings >= 0, activation any hv_activation.
 * y must not alias x. Runs the vendor convolution chosen for this shape by hv_conv2d_prepare (MIOpen or cuDNN,
 * when built with them, for kernels larger than 1x1; bias and activation then run as one elementwise pass after it),
 * else HipVision's direct kernel (conv2d_direct.hip). For 1x1 convolutions on NHWC input hv_linear is the fast path. */
HV_API hv_status hv_conv2d(hv_context* context, const hv_buffer* x, const hv_buffer* weight, const hv_buffer* bias,
                           hv_buffer* y, int64_t batch, int64_t in_channels, int64_t height, int64_t width,
                           int64_t out_channels, int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                           hv_padding padding, hv_layout x_layout, hv_activation activation);

/* What hv_conv2d_prepare did for a shape. */
typedef enum hv_tuning {
    HV_TUNING_NONE = 0, /* nothing to tune: no vendor convolution in this build, hv_conv2d runs the direct kernel */
    HV_TUNING_COLD = 1, /* the vendor's find step ran now (its result is written to the tuning cache) */
    HV_TUNING_WARM = 2  /* the choice came from the tuning cache or an earlier prepare on this context */
} hv_tuning;

/* Chooses once, at plan build, what hv_conv2d runs for this shape, so no find step happens at the first run: with
 * MIOpen or cuDNN built in, the library's find step (miopenFindConvolutionForwardAlgorithm /
 * cudnnFindConvolutionForwardAlgorithm) on scratch buffers, or its result read back from the tuning cache
 * (hv_context_options.tuning_cache_dir: one file per device and library version, keyed by op, shape, dtype and
 * layout); when the vendor declines the shape, the direct kernel, with the reason in hv_context_tuning_report. Also
 * allocates the shape's scratch (workspace; the padded input of an asymmetric padding, which vendors lack), kept
 * for the context's lifetime. Arguments as hv_conv2d without the buffers. Not while capturing. An unprepared shape
 * is prepared by its first hv_conv2d (or runs the direct kernel, if that call is being captured). */
HV_API hv_status hv_conv2d_prepare(hv_context* context, int64_t batch, int64_t in_channels, int64_t height,
                                   int64_t width, int64_t out_channels, int64_t kernel_h, int64_t kernel_w,
                                   int64_t stride_h, int64_t stride_w, hv_padding padding, hv_layout x_layout,
                                   hv_tuning* tuning);

/* One line per prepared convolution shape (the algorithm, its measured time and workspace, whether it came from
 * the cache, or why the direct kernel runs), then the tuning cache's warnings (a corrupt or foreign file ignored, an
 * unwritable directory). *text stays valid until the next call on this context. */
HV_API hv_status hv_context_tuning_report(hv_context* context, const char** text);

/* torch's x.mean((1, 2)) on NHWC (torch.nn.AdaptiveAvgPool2d(1) + flatten on NCHW): y[b,c] = mean_{h,w} x[b,h,w,c].
 * x [batch, height, width, channels], y [batch, channels]; height * width >= 1 when batch * channels > 0.
 * y must not alias x. */
HV_API hv_status hv_global_avg_pool(hv_context* context, const hv_buffer* x, hv_buffer* y, int64_t batch,
                                    int64_t height, int64_t width, int64_t channels);

/* Bytes of the workspace hv_squeeze_excite needs for these shapes (written to *bytes). */
HV_API hv_status hv_squeeze_excite_workspace_size(int64_t batch, int64_t height, int64_t width, int64_t channels,
                                                  int64_t reduced, size_t* bytes);

/* Squeeze-and-excitation on NHWC (HF EfficientNetSqueezeExciteLayer with its 1x1 convs as matrices):
 *   s[b,c] = mean_{h,w} x[b,h,w,c]
 *   r[b,j] = act(sum_c w_reduce[j,c] * s[b,c] + b_reduce[j])          act: HV_ACTIVATION_SILU or _RELU
 *   e[b,c] = sigmoid(sum_j w_expand[c,j] * r[b,j] + b_expand[c])
 *   y[b,h,w,c] = x[b,h,w,c] * e[b,c]
 * w_reduce [reduced, channels] and w_expand [channels, reduced] are the conv weights [out, in, 1, 1];
 * biases may be NULL. workspace holds at least hv_squeeze_excite_workspace_size bytes (float32 scratch whatever
 * the op's element type, its own dtype ignored; contents undefined after). y may alias x; workspace must not overlap anything. reduced in 1..4096, channels
 * <= 12288. Three kernels: chunked pool, the two small matrix-vector products, the scale (squeeze_excite.hip). */
HV_API hv_status hv_squeeze_excite(hv_context* context, const hv_buffer* x, const hv_buffer* w_reduce,
                                   const hv_buffer* b_reduce, const hv_buffer* w_expand, const hv_buffer* b_expand,
                                   hv_buffer* workspace, hv_buffer* y, int64_t batch, int64_t height, int64_t width,
                                   int64_t channels, int64_t reduced, hv_activation activation);

/* Pillow's resampling filters, numbered as PIL.Image.Resampling numbers them (preprocessor_config "resample"). */
typedef enum hv_resample {
    HV_RESAMPLE_NEAREST = 0,
    HV_RESAMPLE_LANCZOS = 1,
    HV_RESAMPLE_BILINEAR = 2,
    HV_RESAMPLE_BICUBIC = 3,
    HV_RESAMPLE_BOX = 4,
    HV_RESAMPLE_HAMMING = 5
} hv_resample;

/* One image's HF preprocessing on the device: PIL resize -> center crop -> rescale/normalize -> layout.
 *   1. resize the uint8 RGB image [height, width, 3] (HWC) to resize_h x resize_w exactly as Pillow 9.4's
 *      Image.resize(resample) does (src/HipVision/Imaging/PilResize.cs): NEAREST samples pixel centres;
 *      the other filters run separably in 8-bit fixed point, horizontal pass then vertical, the support
 *      widened by the downscale factor (antialiasing), the intermediate rounded and clipped to uint8.
 *      Coefficients are computed on the host and uploaded, as Pillow computes them per call.
 *   2. crop the window of out_h x out_w pixels whose top-left is (crop_top, crop_left) in the resized image;
 *      pixels outside it are uint8 0 (HF pads before cropping when the crop is larger).
 *   3. value = table[c * 256 + byte]: table (768 floats, host memory) holds what each byte of channel c
 *      becomes after rescale and normalize (HipVision.Imaging.ImageProcessor's lookup, so results are bit-equal).
 *   4. write the value, rounded to y's element type (any hv_dtype), to y at image slot `index` of
 *      [N, 3, out_h, out_w] (NCHW) or [N, out_h, out_w, 3] (NHWC), i.e. at element offset index * 3 * out_h * out_w.
 * image holds height*width*3 bytes; resize and out sizes >= 1; index >= 0. Allocates a scratch area for the
 * coefficients and the uint8 intermediate and waits for the context's stream before freeing it. */
HV_API hv_status hv_preprocess(hv_context* context, const hv_buffer* image, const float* table, hv_buffer* y,
                               int64_t height, int64_t width, int64_t resize_h, int64_t resize_w, int64_t crop_top,
                               int64_t crop_left, int64_t out_h, int64_t out_w, int64_t index, hv_resample resample,
                               hv_layout layout);

#ifdef __cplusplus
}
#endif

#endif /* HIPVISION_H */
