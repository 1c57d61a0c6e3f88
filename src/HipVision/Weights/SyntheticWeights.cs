namespace HipVision.Weights;

/// <summary>
/// Weights generated on demand by the <see cref="HvSynth"/> formula: any name, any shape, the same
/// values the reference fixtures were built from. Lets full-size models run without weight files.
/// </summary>
public sealed class SyntheticWeights : IWeightSource
{
    /// <summary>Creates the source for one seed (the fixtures use seed 1).</summary>
    public SyntheticWeights(ulong seed) => Seed = seed;

    /// <summary>The formula's 64-bit seed.</summary>
    public ulong Seed { get; }

    /// <summary>"hv-synth-v2 seed N".</summary>
    public string SourceName => $"{HvSynth.FormulaName} seed {Seed}";

    /// <summary>Empty: every name exists, so there is nothing finite to list.</summary>
    public IEnumerable<string> Names => [];

    /// <summary>Always true: the formula defines every name.</summary>
    public bool Contains(string name) => true;

    /// <summary>The formula's tensor for this name and shape; the shape is taken as given, never checked.</summary>
    public float[] Get(string name, int[] expectedShape) => HvSynth.Generate(name, expectedShape, Seed);

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }
}
