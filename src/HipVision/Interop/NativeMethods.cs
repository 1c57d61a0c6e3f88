using System.Runtime.InteropServices;

namespace HipVision.Interop;

/// <summary>
/// The C ABI of native/include/hipvision.h, one entry per function, C names verbatim so one grep finds both
/// sides. Source-generated ([LibraryImport]): no runtime marshalling stubs, Native-AOT friendly. Call through
/// <see cref="Native.Check"/>; owned objects travel as <see cref="ContextHandle"/> / <see cref="BufferHandle"/> / <see cref="GraphHandle"/>.
/// </summary>
internal static partial class NativeMethods
{
    /// <summary>The name every import uses; <see cref="NativeLibraryResolver"/> maps it to a file.</summary>
    public const string LibraryName = "hipvision";

    // Registers the resolver before the first import binds (an explicit static constructor runs before any
    // static member is touched).
    static NativeMethods() => NativeLibraryResolver.Register();

    /// <summary>hv_context_options: zero-initialise and set what you need.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct hv_context_options
    {
        public int device;
        public int emulator_warp_size;
        public int emulator_threads;
        /// <summary>UTF-8 path (copied by hv_context_create), or 0 for no on-disk tuning cache.</summary>
        public nint tuning_cache_dir;
    }

    [LibraryImport(LibraryName)]
    public static partial nint hv_last_error();

    [LibraryImport(LibraryName)]
    public static partial nint hv_status_string(NativeStatus status);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_get_backend(out nint name);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_context_create(in hv_context_options options, out ContextHandle context);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_context_destroy(nint context);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_context_warp_size(ContextHandle context, out int warpSize);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_context_synchronize(ContextHandle context);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_buffer_alloc(ContextHandle context, nuint bytes, out BufferHandle buffer);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_buffer_view(BufferHandle parent, nuint offset, nuint bytes, out BufferHandle view);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_buffer_free(nint buffer);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_buffer_size(BufferHandle buffer, out nuint bytes);

    /// <summary>The element type ops read and write the buffer as (float32 unless set); a view starts with its parent's. hv_dtype is <see cref="Precision"/>, value for value.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_buffer_set_dtype(BufferHandle buffer, Precision dtype);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_buffer_get_dtype(BufferHandle buffer, out Precision dtype);

    /// <summary>count elements of x converted into y's type (any to any, round to nearest even).</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_cast(ContextHandle context, BufferHandle x, BufferHandle y, long count);

    [LibraryImport(LibraryName)]
    public static unsafe partial NativeStatus hv_buffer_upload(BufferHandle buffer, nuint offset, void* src, nuint bytes);

    [LibraryImport(LibraryName)]
    public static unsafe partial NativeStatus hv_buffer_download(BufferHandle buffer, nuint offset, void* dst, nuint bytes);

    /// <summary>Starts capturing the context's stream: op entries are recorded, not run, until hv_graph_end.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_graph_begin(ContextHandle context);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_graph_end(ContextHandle context, out GraphHandle graph);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_graph_launch(GraphHandle graph);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_graph_launch_count(GraphHandle graph, out long launches);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_graph_destroy(nint graph);

    /// <summary>gamma / beta may be <see cref="BufferHandle.Null"/> (1 and 0).</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_layer_norm(ContextHandle context, BufferHandle x, BufferHandle gamma,
        BufferHandle beta, BufferHandle y, long rows, long cols, float eps);

    /// <summary>gamma / beta / sum may be <see cref="BufferHandle.Null"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_add_layer_norm(ContextHandle context, BufferHandle x, BufferHandle residual,
        BufferHandle gamma, BufferHandle beta, BufferHandle sum, BufferHandle y, long rows, long cols, float eps);

    /// <summary>Batched row-major GEMM; bias may be <see cref="BufferHandle.Null"/>. trans_a / trans_b are 0 or 1.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_gemm(ContextHandle context, BufferHandle a, BufferHandle b, BufferHandle bias,
        BufferHandle c, long batch, long m, long n, long k, long stride_a, long stride_b, long stride_c,
        int trans_a, int trans_b, float alpha, float beta);

    /// <summary>torch.nn.Linear with a fused activation; bias may be <see cref="BufferHandle.Null"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_linear(ContextHandle context, BufferHandle x, BufferHandle weight, BufferHandle bias,
        BufferHandle y, long rows, long in_features, long out_features, NativeActivation activation);

    /// <summary>Fused multi-head self-attention on [B, T, 3·D]; bias ([H, T, T]) may be <see cref="BufferHandle.Null"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_attention(ContextHandle context, BufferHandle qkv, BufferHandle bias, BufferHandle @out,
        long batch, long tokens, long heads, long head_dim, float scale);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_patch_embed(ContextHandle context, BufferHandle pixels, BufferHandle patches, long batch,
        long channels, long height, long width, long patch);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_activate(ContextHandle context, BufferHandle x, BufferHandle y, long count, NativeActivation activation);

    /// <summary>Inference BatchNorm with a fused activation over NCHW or NHWC; gamma / beta may be <see cref="BufferHandle.Null"/>; y may be x.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_batch_norm(ContextHandle context, BufferHandle x, BufferHandle mean, BufferHandle var,
        BufferHandle gamma, BufferHandle beta, BufferHandle y, long batch, long channels, long spatial, NativeLayout layout, float eps,
        NativeActivation activation);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_add(ContextHandle context, BufferHandle a, BufferHandle b, BufferHandle y, long rows,
        long cols, long b_rows);

    /// <summary>residual may be <see cref="BufferHandle.Null"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_layer_scale(ContextHandle context, BufferHandle x, BufferHandle gamma,
        BufferHandle residual, BufferHandle y, long rows, long cols);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_softmax(ContextHandle context, BufferHandle x, BufferHandle y, long rows, long cols);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_prepend_token(ContextHandle context, BufferHandle token, BufferHandle x, BufferHandle y,
        long batch, long tokens, long dim);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_slice_token(ContextHandle context, BufferHandle x, BufferHandle y, long batch,
        long tokens, long dim, long index);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_mean_tokens(ContextHandle context, BufferHandle x, BufferHandle y, long batch,
        long tokens, long dim, long first);

    /// <summary>hv_padding: explicit zero padding of a convolution, input pixels per side (TF "SAME" resolved by the caller).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct hv_padding
    {
        public long top, bottom, left, right;
    }

    /// <summary>Depthwise conv on NHWC, weight [C, 1, kh, kw]; bias may be <see cref="BufferHandle.Null"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_depthwise_conv2d(ContextHandle context, BufferHandle x, BufferHandle weight, BufferHandle bias,
        BufferHandle y, long batch, long height, long width, long channels, long kernel_h, long kernel_w, long stride_h, long stride_w,
        hv_padding padding, NativeActivation activation);

    /// <summary>Dense direct conv, NCHW or NHWC input, NHWC output; bias may be <see cref="BufferHandle.Null"/>.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_conv2d(ContextHandle context, BufferHandle x, BufferHandle weight, BufferHandle bias,
        BufferHandle y, long batch, long in_channels, long height, long width, long out_channels, long kernel_h, long kernel_w,
        long stride_h, long stride_w, hv_padding padding, NativeLayout x_layout, NativeActivation activation);

    /// <summary>Chooses once (vendor find step or the tuning cache) what hv_conv2d runs for this shape.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_conv2d_prepare(ContextHandle context, long batch, long in_channels, long height, long width,
        long out_channels, long kernel_h, long kernel_w, long stride_h, long stride_w, hv_padding padding, NativeLayout x_layout,
        out NativeTuning tuning);

    /// <summary>One line per prepared conv shape, then the tuning cache's warnings; valid until the next call on the context.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_context_tuning_report(ContextHandle context, out nint text);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_global_avg_pool(ContextHandle context, BufferHandle x, BufferHandle y, long batch,
        long height, long width, long channels);

    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_squeeze_excite_workspace_size(long batch, long height, long width, long channels,
        long reduced, out nuint bytes);

    /// <summary>Squeeze-excite on NHWC; biases may be <see cref="BufferHandle.Null"/>; y may be x.</summary>
    [LibraryImport(LibraryName)]
    public static partial NativeStatus hv_squeeze_excite(ContextHandle context, BufferHandle x, BufferHandle w_reduce,
        BufferHandle b_reduce, BufferHandle w_expand, BufferHandle b_expand, BufferHandle workspace, BufferHandle y, long batch,
        long height, long width, long channels, long reduced, NativeActivation activation);

    /// <summary>One image's HF preprocessing on the device; table is 768 host floats; image is uint8 HWC RGB in a device buffer.</summary>
    [LibraryImport(LibraryName)]
    public static unsafe partial NativeStatus hv_preprocess(ContextHandle context, BufferHandle image, float* table, BufferHandle y,
        long height, long width, long resize_h, long resize_w, long crop_top, long crop_left, long out_h, long out_w, long index,
        Imaging.PilResample resample, NativeLayout layout);
}
