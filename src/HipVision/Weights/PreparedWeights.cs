namespace HipVision.Weights;

/// <summary>
/// The tensors of a file written by <c>hipvision convert</c>: already in the engine's layouts and under its names
/// (<see cref="IWeightSource.Prepared"/>), so a model reads them as they are. F16 and BF16 tensors are widened to
/// float32 (exactly) as they are read; nothing else is computed.
/// </summary>
internal sealed class PreparedWeights(SafeTensorsFile file) : IWeightSource
{
    public string SourceName => file.Path;

    public IEnumerable<string> Names => file.Tensors.Select(t => t.Name);

    public bool Prepared => true;

    public bool Contains(string name) => file.Contains(name);

    public float[] Get(string name, int[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(expectedShape);
        if (!file.Contains(name)) throw WeightShapes.Missing(SourceName, name);
        WeightShapes.Check(SourceName, name, file.Info(name).Shape, expectedShape);
        return file.ReadFloat32(name);
    }

    public void Dispose() => file.Dispose();
}
