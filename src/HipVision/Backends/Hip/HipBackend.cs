using System.Runtime.CompilerServices;
using HipVision.Graph;
using HipVision.Interop;

namespace HipVision.Backends.Hip;

/// <summary>
/// The GPU backend: HipVision's native HIP library (native/, libhipvision) on one device and its stream. Compiles the same
/// graphs as the CPU backend into device plans (weights uploaded once, activations in planned device buffers, the launch
/// sequence bound once). Runs every op of the ViT, BEiT, MobileNetV1 and EfficientNet graphs; other graphs fail to compile with a
/// <see cref="HipVisionException"/> naming the op. With the emulator build of the library the "device" is the CPU
/// (correct but slow: for tests), which <see cref="IsEmulator"/> tells.
/// </summary>
/// <remarks>
/// A backend stores every tensor at one <see cref="Precision"/>: fp32, or fp16/bf16 with the weights narrowed on the host and
/// uploaded in that type (half the upload and the device memory), activations in that type, and fp32 arithmetic inside every
/// op; results stay within <see cref="Precisions.Tolerance"/> of the fp32 reference.
/// Weights are uploaded once per array and shared by every plan of the backend (plans for several batch sizes read the same
/// device copies), like the CPU backend's packed GEMM weights; they are freed with the backend, or when their array is
/// collected. Dispose the plans before the backend: they queue work on its context and read its weights.
/// </remarks>
public sealed class HipBackend : IBackend, IDisposable
{
    readonly NativeDevice _device;
    readonly ConditionalWeakTable<float[], NativeBuffer> _weights = new();
    readonly Lock _gate = new();

    HipBackend(NativeDevice device, Precision precision, string? tuningCacheDirectory)
    {
        _device = device;
        Precision = precision;
        TuningCacheDirectory = tuningCacheDirectory;
    }

    /// <summary>
    /// Opens GPU <paramref name="device"/> through the native library. <paramref name="warpSize"/> (32 or 64; 0 = 64) and
    /// <paramref name="hostThreads"/> shape the emulator build only. Throws <see cref="HipVisionException"/> when the library
    /// cannot be loaded (the message lists every path tried) or no device is usable (the native message). Plans store
    /// weights and activations at <paramref name="precision"/>. <paramref name="tuningCacheDirectory"/>: where vendor
    /// convolution choices persist (<see cref="Hip.TuningCacheDirectory"/>; null: the default from the environment, "off": none).
    /// </summary>
    public static HipBackend Open(int device = 0, int warpSize = 0, int hostThreads = 0, Precision precision = Precision.Fp32,
        string? tuningCacheDirectory = null)
    {
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision");
        RequireEntryPoints(NativeLibraryResolver.EnsureLoaded());
        string? dir = Hip.TuningCacheDirectory.For(tuningCacheDirectory);
        return new(NativeDevice.Create(warpSize, hostThreads, device, dir), precision, dir);
    }

    /// <summary>The directory of the on-disk tuning cache this backend's context uses, or null when it has none.</summary>
    public string? TuningCacheDirectory { get; }

    /// <summary>
    /// One line per dense convolution shape prepared on this backend: the vendor algorithm chosen, its measured time and workspace,
    /// whether it came from the tuning cache, or why the direct kernel runs; then the cache's warnings (a corrupt file ignored).
    /// </summary>
    public string TuningReport => _device.TuningReport;

    /// <summary>The ABI entries the plans call: an older libhipvision without them is refused here, by name, not mid-run.</summary>
    internal static readonly string[] EntryPoints =
    [
        "hv_layer_norm", "hv_add_layer_norm", "hv_linear", "hv_attention", "hv_patch_embed", "hv_activate", "hv_add",
        "hv_layer_scale", "hv_softmax", "hv_prepend_token", "hv_slice_token", "hv_mean_tokens",
        "hv_depthwise_conv2d", "hv_conv2d", "hv_conv2d_prepare", "hv_context_tuning_report", "hv_global_avg_pool",
        "hv_squeeze_excite_workspace_size", "hv_squeeze_excite", "hv_batch_norm", "hv_buffer_set_dtype",
        "hv_graph_begin", "hv_graph_end", "hv_graph_launch", "hv_graph_launch_count", "hv_graph_destroy",
    ];

    static void RequireEntryPoints(nint library)
    {
        var missing = EntryPoints.Where(name => !System.Runtime.InteropServices.NativeLibrary.TryGetExport(library, name, out _)).ToArray();
        if (missing.Length > 0)
            throw new HipVisionException($"the native library {NativeLibraryResolver.FileName} lacks {string.Join(", ", missing)} (an older build?); rebuild native/ for this version of HipVision");
    }

    /// <summary>The build variant of the native library without opening a device ("amd", "nvidia", "emulator"); throws when it cannot be loaded.</summary>
    public static string LibraryBackend => NativeDevice.Backend;

    /// <inheritdoc/>
    public string Name => "hip";

    /// <summary>The type plans store weights and activations in on the device.</summary>
    public Precision Precision { get; }

    /// <summary>A readable name of the device for reports (vendor build, ordinal, warp width; "emulator (CPU, warp 64)").</summary>
    public string DeviceName => _device.Description;

    /// <summary>True when the library is the CPU emulator build.</summary>
    public bool IsEmulator => _device.IsEmulator;

    /// <summary>The warp (wavefront) width the kernels run with: 32 or 64.</summary>
    public int WarpSize => _device.WarpSize;

    internal NativeDevice Device => _device;

    /// <summary>Null when every op of <paramref name="graph"/> runs on this backend, else why not (the first unsupported op).</summary>
    public static string? Unsupported(ModelGraph graph)
    {
        try
        {
            HipLowering.Lower(graph);
            return null;
        }
        catch (HipVisionException e)
        {
            return e.Message;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="HipVisionException">The graph holds an op this backend does not run yet (named), or a native call failed.</exception>
    public IExecutionPlan Compile(ModelGraph graph) => new HipExecutionPlan(_device, graph, Weight, Precision);

    /// <summary>Preprocessing with <paramref name="processor"/>'s pipeline on this backend's device (<c>hv_preprocess</c>).</summary>
    internal HipPreprocessor Preprocessor(Imaging.ImageProcessor processor) => new(_device, processor);

    /// <summary>Bytes of weights on the device now (every array uploaded by this backend's plans and still alive).</summary>
    public long WeightBytes
    {
        get
        {
            lock (_gate) return _weights.Sum(w => w.Value.Bytes);
        }
    }

    NativeBuffer Weight(float[] data)
    {
        lock (_gate)
        {
            if (!_weights.TryGetValue(data, out var buffer))
            {
                buffer = _device.Upload(data, Precision);
                _weights.Add(data, buffer);
            }
            return buffer;
        }
    }

    /// <summary>Frees the weights and destroys the context. Idempotent; plans compiled by it must not run afterwards.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (_, buffer) in _weights) buffer.Dispose();
            _weights.Clear();
        }
        _device.Dispose();
    }
}
