using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// A weight source for listing and inspecting a model without its weights: zeros of any requested shape, one shared array per length (the values never
/// matter, and EfficientNet-B7 would otherwise allocate 266 MB), and the requests recorded in order.
/// With <paramref name="present"/> (the tensor names of a real checkpoint) optional tensors are answered as
/// the checkpoint would answer them; without, every tensor is present, as in <see cref="ModelConfig.Parameters"/>.
/// </summary>
internal sealed class RecordingWeights(IReadOnlySet<string>? present = null) : IWeightSource
{
    readonly Dictionary<long, float[]> _zeros = [];

    public List<(string Name, int[] Shape)> Requested { get; } = [];

    public string SourceName => "inspection (no weights)";

    public IEnumerable<string> Names => present ?? (IEnumerable<string>)[];

    public bool Contains(string name) => present?.Contains(name) ?? true;

    public float[] Get(string name, int[] expectedShape)
    {
        Requested.Add((name, (int[])expectedShape.Clone()));
        long n = ShapeMath.Count(expectedShape);
        if (!_zeros.TryGetValue(n, out var zeros)) _zeros[n] = zeros = new float[n];
        return zeros;
    }

    public void Dispose() { }
}
