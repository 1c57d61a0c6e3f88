namespace HipVision;

/// <summary>Which compute backend a model runs on.</summary>
public enum BackendKind
{
    /// <summary>The GPU when the native HIP library and a device are present, else the CPU.</summary>
    Auto,
    /// <summary>The pure C# CPU backend.</summary>
    Cpu,
}
