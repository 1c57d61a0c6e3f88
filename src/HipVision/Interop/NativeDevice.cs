namespace HipVision.Interop;

/// <summary>
/// A context of the native library (one device and its stream) and the ops it runs. Arguments are validated
/// here first, so a native <see cref="NativeStatus.InvalidArgument"/> means a HipVision bug, not bad input.
/// Tensors are dense row-major in <see cref="NativeBuffer"/>s of this device, float32 or 16-bit (fp16, bf16); every tensor of
/// one op has one type (the ABI's rule, checked here: <see cref="OneType"/>), shapes count elements, and ops compute in fp32. The transformer ops
/// (GEMM, linear, attention, ...) are in NativeDevice.Transformer.cs.
/// </summary>
internal sealed partial class NativeDevice : IDisposable
{
    readonly ContextHandle _handle;

    NativeDevice(ContextHandle handle, int ordinal, string backend)
    {
        _handle = handle;
        Ordinal = ordinal;
        BuildBackend = backend;
        Native.Check(NativeMethods.hv_context_warp_size(handle, out int warpSize));
        WarpSize = warpSize;
    }

    /// <summary>
    /// Opens GPU <paramref name="device"/> (or the CPU emulator in an emulator build). <paramref name="warpSize"/>
    /// and <paramref name="hostThreads"/> shape the emulator only (0: warp 64, all cores) and are ignored on GPUs.
    /// <paramref name="tuningCacheDirectory"/> is where vendor convolution choices are kept between processes (null: none).
    /// Throws <see cref="HipVisionException"/> listing the paths tried when the library cannot be found.
    /// </summary>
    public static NativeDevice Create(int warpSize = 0, int hostThreads = 0, int device = 0, string? tuningCacheDirectory = null)
    {
        if (warpSize is not (0 or 32 or 64)) throw new ArgumentOutOfRangeException(nameof(warpSize), warpSize, "must be 0 (default), 32 or 64");
        ArgumentOutOfRangeException.ThrowIfNegative(hostThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(device);
        NativeLibraryResolver.EnsureLoaded();
        nint dir = tuningCacheDirectory is null ? 0 : System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(tuningCacheDirectory);
        var options = new NativeMethods.hv_context_options
        {
            device = device, emulator_warp_size = warpSize, emulator_threads = hostThreads, tuning_cache_dir = dir,
        };
        NativeStatus status;
        ContextHandle handle;
        try
        {
            status = NativeMethods.hv_context_create(options, out handle);
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem(dir);   // the native side copied it
        }
        if (status != NativeStatus.Ok)
        {
            handle.Dispose();
            Native.Check(status);
        }
        try
        {
            return new NativeDevice(handle, device, Native.Backend());
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The build variant of the loaded library: "amd", "nvidia" or "emulator".</summary>
    public static string Backend
    {
        get
        {
            NativeLibraryResolver.EnsureLoaded();
            return Native.Backend();
        }
    }

    /// <summary>The warp (wavefront) width kernels run with on this context: 32 or 64.</summary>
    public int WarpSize { get; }

    /// <summary>The GPU ordinal this context was opened on.</summary>
    public int Ordinal { get; }

    /// <summary>The build variant that runs this context: "amd", "nvidia" or "emulator".</summary>
    public string BuildBackend { get; }

    /// <summary>True when kernels run on the CPU emulator rather than a GPU.</summary>
    public bool IsEmulator => BuildBackend == "emulator";

    /// <summary>
    /// A readable name for reports: "emulator (CPU, warp 64)" or "amd GPU 0 (warp 64)". The ABI has no device-name query
    /// yet, so a GPU is named by vendor build and ordinal.
    /// </summary>
    public string Description => IsEmulator ? $"emulator (CPU, warp {WarpSize})" : $"{BuildBackend} GPU {Ordinal} (warp {WarpSize})";

    internal ContextHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>A buffer of <paramref name="count"/> elements of <paramref name="type"/>, contents undefined.</summary>
    public NativeBuffer Allocate(long count, Precision type = Precision.Fp32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!Enum.IsDefined(type)) throw new ArgumentOutOfRangeException(nameof(type), type, "unknown precision");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, long.MaxValue / type.ElementSize());
        Native.Check(NativeMethods.hv_buffer_alloc(Handle, (nuint)(count * type.ElementSize()), out var handle));
        var buffer = new NativeBuffer(this, handle, count, type);
        try
        {
            if (type != Precision.Fp32) Native.Check(NativeMethods.hv_buffer_set_dtype(handle, type));
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>A buffer holding a copy of <paramref name="values"/>, narrowed on the host to <paramref name="type"/>.</summary>
    public NativeBuffer Upload(ReadOnlySpan<float> values, Precision type = Precision.Fp32)
    {
        var buffer = Allocate(values.Length, type);
        try
        {
            buffer.Upload(values);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// y[i] = x[i] converted from x's type to y's for i &lt; <paramref name="count"/>, rounded to nearest even (<c>hv_cast</c>;
    /// the host's <see cref="Precisions"/> conversions give the same bits).
    /// </summary>
    public void Cast(NativeBuffer x, NativeBuffer y, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        RequireBuffer(x, count, nameof(x));
        RequireBuffer(y, count, nameof(y));
        if (ReferenceEquals(x, y)) throw new ArgumentException("y must not be x", nameof(y));
        Native.Check(NativeMethods.hv_cast(Handle, x.Handle, y.Handle, count));
    }

    /// <summary>Waits for all work queued on this context; asynchronous kernel faults surface here.</summary>
    public void Synchronize() => Native.Check(NativeMethods.hv_context_synchronize(Handle));

    /// <summary>
    /// Records what <paramref name="ops"/> queues on this context into a graph instead of running it (hv_graph_begin ..
    /// hv_graph_end). Only ops may be called inside: uploads, downloads and <see cref="Synchronize"/> throw. The capture is
    /// ended even when <paramref name="ops"/> throws (what was recorded is then dropped).
    /// </summary>
    public NativeGraph Capture(Action ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var handle = Handle;
        Native.Check(NativeMethods.hv_graph_begin(handle));
        GraphHandle? graph = null;
        try
        {
            ops();
        }
        catch
        {
            _ = NativeMethods.hv_graph_end(handle, out graph);   // ends the capture; what was recorded is dropped
            graph.Dispose();
            throw;
        }
        var status = NativeMethods.hv_graph_end(handle, out graph);
        if (status != NativeStatus.Ok)
        {
            graph.Dispose();
            Native.Check(status);
        }
        try
        {
            return new NativeGraph(graph);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>
    /// torch.nn.LayerNorm over the last dimension of x[rows, cols]: y = (x − mean)/√(var + eps)·γ + β with the
    /// biased variance. <paramref name="gamma"/> / <paramref name="beta"/> hold cols values or are null (1 and 0);
    /// <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    public void LayerNorm(NativeBuffer x, NativeBuffer? gamma, NativeBuffer? beta, NativeBuffer y, long rows, long cols, float eps)
    {
        long n = CheckShape(rows, cols, eps);
        Require(x, n, nameof(x));
        Require(gamma, cols, nameof(gamma));
        Require(beta, cols, nameof(beta));
        Require(y, n, nameof(y));
        OneType("hv_layer_norm", "x, gamma, beta, y", x, gamma, beta, y);
        Native.Check(NativeMethods.hv_layer_norm(Handle, x.Handle, gamma?.Handle ?? BufferHandle.Null,
            beta?.Handle ?? BufferHandle.Null, y.Handle, rows, cols, eps));
    }

    /// <summary>
    /// The pre-norm residual step fused: s = x + residual; <paramref name="sum"/> = s when not null; y = LayerNorm(s).
    /// sum may be x or residual; y may be x or residual but not sum.
    /// </summary>
    public void AddLayerNorm(NativeBuffer x, NativeBuffer residual, NativeBuffer? gamma, NativeBuffer? beta,
        NativeBuffer? sum, NativeBuffer y, long rows, long cols, float eps)
    {
        long n = CheckShape(rows, cols, eps);
        Require(x, n, nameof(x));
        Require(residual, n, nameof(residual));
        Require(gamma, cols, nameof(gamma));
        Require(beta, cols, nameof(beta));
        Require(sum, n, nameof(sum));
        Require(y, n, nameof(y));
        if (ReferenceEquals(sum, y)) throw new ArgumentException("sum and y must be different buffers", nameof(y));
        OneType("hv_add_layer_norm", "x, residual, gamma, beta, sum, y", x, residual, gamma, beta, sum, y);
        Native.Check(NativeMethods.hv_add_layer_norm(Handle, x.Handle, residual.Handle, gamma?.Handle ?? BufferHandle.Null,
            beta?.Handle ?? BufferHandle.Null, sum?.Handle ?? BufferHandle.Null, y.Handle, rows, cols, eps));
    }

    static long CheckShape(long rows, long cols, float eps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, int.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cols, int.MaxValue);
        if (!float.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "must be finite and >= 0");
        return rows * cols;
    }

    void Require(NativeBuffer? buffer, long count, string name)
    {
        if (buffer is null)
        {
            if (name is "x" or "y" or "residual") throw new ArgumentNullException(name);
            return;
        }
        RequireOptional(buffer, count, name);
    }

    /// <summary>
    /// The ABI's rule that every tensor of one op has one type: a mismatch (an fp16 activation meeting an fp32 weight) is an
    /// <see cref="ArgumentException"/> naming the op and each tensor's type. Null (optional) tensors are skipped.
    /// </summary>
    static void OneType(string op, string names, params NativeBuffer?[] tensors)
    {
        var present = tensors.OfType<NativeBuffer>().ToArray();
        if (present.All(t => t.Type == present[0].Type)) return;
        var labels = names.Split(", ");
        var types = tensors.Select((t, i) => $"{labels[i]} {(t is null ? "absent" : t.Type.Name())}");
        throw new ArgumentException($"{op} takes tensors of one type, got {string.Join(", ", types)}");
    }

    /// <summary>A buffer argument that must be present, of this device, alive and holding at least <paramref name="count"/> elements.</summary>
    void RequireBuffer(NativeBuffer buffer, long count, string name)
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        RequireOptional(buffer, count, name);
    }

    /// <summary>As <see cref="RequireBuffer"/> for an optional (nullable) argument.</summary>
    void RequireOptional(NativeBuffer? buffer, long count, string name)
    {
        if (buffer is null) return;
        ObjectDisposedException.ThrowIf(buffer.IsDisposed, buffer);
        if (!ReferenceEquals(buffer.Device, this)) throw new ArgumentException($"{name} belongs to another NativeDevice", name);
        if (buffer.Length < count) throw new ArgumentException($"{name} holds {buffer.Length} elements, needs {count}", name);
    }

    /// <summary>Destroys the context; buffers still alive keep the device alive natively. Idempotent.</summary>
    public void Dispose() => _handle.Dispose();
}
