using HipVision.Backends.Hip;

namespace HipVision.Tests.Hip;

/// <summary>
/// The HIP backend the tests run on: the emulator library built by the test project (warp 32 or 64 per context), or a real
/// GPU when the library found is a GPU build. GPU-only tests call <see cref="RequireGpu"/>.
/// </summary>
static class HipDevices
{
    /// <summary>Warp widths every HIP op test runs at: 32 (NVIDIA, RDNA) and 64 (AMD CDNA).</summary>
    public static readonly int[] WarpSizes = [32, 64];

    /// <summary>A backend on the library's device; the warp width applies to the emulator (two host threads: the CI machine's cores).</summary>
    public static HipBackend Open(int warpSize) => HipBackend.Open(warpSize: warpSize, hostThreads: 2);

    /// <summary>Ignores the test unless the native library drives a real GPU (hv_get_backend is "amd" or "nvidia").</summary>
    public static void RequireGpu(string what)
    {
        string backend = HipBackend.LibraryBackend;
        if (backend == "emulator")
            Assert.Ignore($"no GPU: the native library is the CPU emulator build (hv_get_backend = emulator); {what} needs an AMD or NVIDIA device");
    }
}
