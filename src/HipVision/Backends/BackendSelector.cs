using HipVision.Backends.Cpu;
using HipVision.Backends.Hip;
using HipVision.Graph;

namespace HipVision.Backends;

/// <summary>
/// Turns a <see cref="BackendKind"/> into a backend and a one-line reason. <see cref="BackendKind.Auto"/> takes the GPU
/// only when the native library loads, is not the emulator build (slow; it runs only when asked for by name), a device
/// opens, and every op of the model runs there; otherwise the CPU, saying which condition failed. fp16 and bf16
/// (<see cref="Precision"/>) run on the HIP backend only: with <see cref="BackendKind.Cpu"/>, or <see cref="BackendKind.Auto"/>
/// where it would take the CPU, they are an error saying why.
/// </summary>
public static class BackendSelector
{
    /// <summary>
    /// Creates the backend. <paramref name="sampleGraph"/> builds a graph of the model (any batch, weights need not be real)
    /// for the op-support check of <see cref="BackendKind.Auto"/>; it is called only when a GPU is otherwise usable.
    /// </summary>
    /// <exception cref="HipVisionException"><see cref="BackendKind.Hip"/> without a loadable library or a usable device; fp16 or bf16 where
    /// the CPU backend would run (<see cref="GpuOnly"/>).</exception>
    public static (IBackend Backend, string Reason) Create(BackendKind kind, int threads, Func<ModelGraph> sampleGraph, Precision precision = Precision.Fp32)
    {
        switch (kind)
        {
            case BackendKind.Cpu:
                if (precision != Precision.Fp32) throw new HipVisionException(GpuOnly(precision, "the CPU backend computes in fp32 only"));
                return (new CpuBackend(threads), "requested");
            case BackendKind.Hip:
            {
                var hip = OpenHip(precision);
                return (hip, $"requested, {hip.DeviceName}");
            }
            case BackendKind.Auto:
                return Auto(threads, sampleGraph, precision);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown backend");
        }
    }

    /// <summary>The one line saying that <paramref name="precision"/> needs the GPU, and <paramref name="why"/> it cannot have it.</summary>
    public static string GpuOnly(Precision precision, string why) =>
        $"--precision {precision.Name()} needs a GPU (the HIP backend: --backend hip, or auto on a GPU); {why}";

    static (IBackend, string) Auto(int threads, Func<ModelGraph> sampleGraph, Precision precision)
    {
        var hip = TryOpenGpu(out string why, precision);
        string? cpuBecause = hip is null ? why : null;
        if (hip != null && HipBackend.Unsupported(sampleGraph()) is { } unsupported)
        {
            hip.Dispose();
            cpuBecause = $"the model's ops are not all on the GPU backend yet ({unsupported})";
        }
        if (cpuBecause is null) return (hip!, $"auto: {hip!.DeviceName}");
        if (precision != Precision.Fp32) throw new HipVisionException(GpuOnly(precision, cpuBecause));
        return (new CpuBackend(threads), $"auto: {cpuBecause}");
    }

    /// <summary>
    /// The HIP backend on a real GPU, or null with why not: the native library is not installed, is the CPU emulator build
    /// (which runs only when asked for by name), or opens no device.
    /// </summary>
    public static HipBackend? TryOpenGpu(out string whyNot, Precision precision = Precision.Fp32)
    {
        if (NoGpuLibrary() is { } why)
        {
            whyNot = why;
            return null;
        }
        try
        {
            var hip = HipBackend.Open(precision: precision);
            whyNot = "";
            return hip;
        }
        catch (HipVisionException e)
        {
            whyNot = $"no usable GPU ({e.Message})";
            return null;
        }
    }

    /// <summary>
    /// Null when the native library is a GPU build, else why not: it is not installed, or it is the CPU emulator build (which runs
    /// only when asked for by name). Opens no device.
    /// </summary>
    public static string? NoGpuLibrary()
    {
        try
        {
            return HipBackend.LibraryBackend == "emulator" ? "the native library is the CPU emulator build (run it with --backend hip)" : null;
        }
        catch (HipVisionException)
        {
            return "the native GPU library is not installed (--backend hip shows where it was looked for)";
        }
    }

    /// <summary>The HIP backend as <see cref="BackendKind.Hip"/> asks for it (the emulator build included); throws with the reason when unavailable.</summary>
    public static HipBackend OpenHip(Precision precision = Precision.Fp32)
    {
        try
        {
            return HipBackend.Open(precision: precision);
        }
        catch (HipVisionException e)
        {
            string message = $"the HIP backend is not available: {e.Message}";
            throw e.Status is { } status ? new HipVisionException(status, message) : new HipVisionException(message, e);
        }
    }
}
