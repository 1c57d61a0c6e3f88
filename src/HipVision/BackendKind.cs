namespace HipVision;

/// <summary>Which compute backend a model runs on.</summary>
public enum BackendKind
{
    /// <summary>
    /// The GPU when the native HIP library loads, is a GPU build (not the CPU emulator), a device opens and the model's
    /// ops all run there; else the CPU. <see cref="VisionModel.BackendReason"/> says why.
    /// </summary>
    Auto,
    /// <summary>The pure C# CPU backend.</summary>
    Cpu,
    /// <summary>The native HIP backend (a GPU, or the CPU emulator build of the library when that is what is installed); an error when unavailable.</summary>
    Hip,
}
