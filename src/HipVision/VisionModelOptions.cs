namespace HipVision;

/// <summary>How <see cref="VisionModel"/> runs a model.</summary>
public sealed record VisionModelOptions
{
    /// <summary>Compute backend (default <see cref="BackendKind.Auto"/>).</summary>
    public BackendKind Backend { get; init; } = BackendKind.Auto;

    /// <summary>
    /// How the GPU stores weights and activations (default <see cref="Precision.Fp32"/>). fp16 and bf16 need the HIP backend
    /// (<see cref="BackendKind.Hip"/>, or <see cref="BackendKind.Auto"/> on a GPU); the CPU backend computes in fp32 only, so they fail to load there.
    /// </summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>CPU threads per operation; 0 (default) uses one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Most images per forward pass when classifying many images (default 8).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>How <see cref="VisionModel.Load"/> reaches the hub for an <c>owner/name</c> id (default: <see cref="Hub.HubOptions.FromEnvironment()"/>).</summary>
    public Hub.HubOptions? Hub { get; init; }
}
