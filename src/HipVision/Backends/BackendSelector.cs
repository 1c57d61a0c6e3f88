using HipVision.Backends.Cpu;
using HipVision.Backends.Hip;
using HipVision.Graph;

namespace HipVision.Backends;

/// <summary>
/// Turns a <see cref="BackendKind"/> into a backend and a one-line reason. <see cref="BackendKind.Auto"/> takes the GPU
/// only when the native library loads, is not the emulator build (slow; it runs only when asked for by name), a device
/// opens, and every op of the model runs there; otherwise the CPU, saying which condition failed.
/// </summary>
public static class BackendSelector
{
    /// <summary>
    /// Creates the backend. <paramref name="sampleGraph"/> builds a graph of the model (any batch, weights need not be real)
    /// for the op-support check of <see cref="BackendKind.Auto"/>; it is called only when a GPU is otherwise usable.
    /// </summary>
    /// <exception cref="HipVisionException"><see cref="BackendKind.Hip"/> without a loadable library or a usable device.</exception>
    public static (IBackend Backend, string Reason) Create(BackendKind kind, int threads, Func<ModelGraph> sampleGraph)
    {
        switch (kind)
        {
            case BackendKind.Cpu:
                return (new CpuBackend(threads), "requested");
            case BackendKind.Hip:
            {
                var hip = OpenHip();
                return (hip, $"requested, {hip.DeviceName}");
            }
            case BackendKind.Auto:
                return Auto(threads, sampleGraph);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown backend");
        }
    }

    static (IBackend, string) Auto(int threads, Func<ModelGraph> sampleGraph)
    {
        var hip = TryOpenGpu(out string why);
        if (hip is null) return (new CpuBackend(threads), $"auto: {why}");
        if (HipBackend.Unsupported(sampleGraph()) is { } unsupported)
        {
            hip.Dispose();
            return (new CpuBackend(threads), $"auto: the model's ops are not all on the GPU backend yet ({unsupported})");
        }
        return (hip, $"auto: {hip.DeviceName}");
    }

    /// <summary>
    /// The HIP backend on a real GPU, or null with why not: the native library is not installed, is the CPU emulator build
    /// (which runs only when asked for by name), or opens no device.
    /// </summary>
    public static HipBackend? TryOpenGpu(out string whyNot)
    {
        string library;
        try
        {
            library = HipBackend.LibraryBackend;
        }
        catch (HipVisionException)
        {
            whyNot = "the native GPU library is not installed (--backend hip shows where it was looked for)";
            return null;
        }
        if (library == "emulator")
        {
            whyNot = "the native library is the CPU emulator build (run it with --backend hip)";
            return null;
        }
        try
        {
            var hip = HipBackend.Open();
            whyNot = "";
            return hip;
        }
        catch (HipVisionException e)
        {
            whyNot = $"no usable GPU ({e.Message})";
            return null;
        }
    }

    /// <summary>The HIP backend as <see cref="BackendKind.Hip"/> asks for it (the emulator build included); throws with the reason when unavailable.</summary>
    public static HipBackend OpenHip()
    {
        try
        {
            return HipBackend.Open();
        }
        catch (HipVisionException e)
        {
            string message = $"the HIP backend is not available: {e.Message}";
            throw e.Status is { } status ? new HipVisionException(status, message) : new HipVisionException(message, e);
        }
    }
}
