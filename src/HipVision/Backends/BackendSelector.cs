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
                HipBackend hip;
                try
                {
                    hip = HipBackend.Open();
                }
                catch (HipVisionException e)
                {
                    string message = $"the HIP backend is not available: {e.Message}";
                    throw e.Status is { } status ? new HipVisionException(status, message) : new HipVisionException(message, e);
                }
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
        string library;
        try
        {
            library = HipBackend.LibraryBackend;
        }
        catch (HipVisionException)
        {
            return (new CpuBackend(threads), "auto: the native GPU library is not installed (--backend hip shows where it was looked for)");
        }
        if (library == "emulator")
            return (new CpuBackend(threads), "auto: the native library is the CPU emulator build (run it with --backend hip)");
        HipBackend hip;
        try
        {
            hip = HipBackend.Open();
        }
        catch (HipVisionException e)
        {
            return (new CpuBackend(threads), $"auto: no usable GPU ({e.Message})");
        }
        if (HipBackend.Unsupported(sampleGraph()) is { } why)
        {
            hip.Dispose();
            return (new CpuBackend(threads), $"auto: the model's ops are not all on the GPU backend yet ({why})");
        }
        return (hip, $"auto: {hip.DeviceName}");
    }
}
