namespace HipVision.Weights;

/// <summary>Shape helpers shared by the weight sources, so every message writes a shape the same way.</summary>
internal static class WeightShapes
{
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static bool Equal(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>The check every <see cref="IWeightSource.Get"/> makes before handing data out.</summary>
    public static void Check(string source, string name, int[] actual, int[] expected)
    {
        if (!Equal(actual, expected))
            throw new HipVisionException(
                $"{source}: tensor '{name}' has shape {Format(actual)}, the config expects {Format(expected)}");
    }

    public static HipVisionException Missing(string source, string name) =>
        new($"{source}: tensor '{name}' missing");
}
