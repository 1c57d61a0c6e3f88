using System.Runtime.CompilerServices;
using System.Text;

namespace HipVision.Weights;

/// <summary>
/// The <c>hv-synth-v2</c> formula (tests/fixtures/models/README.md): every floating-point tensor of a
/// Hugging Face state_dict, and the test input <c>pixel_values</c>, as a pure function of its name, shape
/// and a 64-bit seed. The reference fixtures were generated with it, so it must stay bit-exact:
///   h = FNV-1a-64(UTF-8 name);  s = h XOR seed;
///   element i: z = splitmix64 output number i+1 from state s;  v = 2·((z &gt;&gt; 11)·2^-53) − 1;
///   value = (float)(offset + scale·v), every step rounded in IEEE double, no fused multiply-add.
/// (offset, scale) come from <see cref="Rule"/>, chosen by the last dot-separated part of the name.
/// </summary>
public static class HvSynth
{
    /// <summary>The formula's name as the fixtures record it (<c>fixture.json</c> "formula").</summary>
    public const string FormulaName = "hv-synth-v2";

    /// <summary>Name of the input tensor; it always uses offset 0 and scale 1, whatever its shape.</summary>
    public const string PixelValuesName = "pixel_values";

    const ulong FnvOffsetBasis = 0xcbf29ce484222325UL;
    const ulong FnvPrime = 0x100000001b3UL;
    const ulong Golden = 0x9E3779B97F4A7C15UL;

    // Elements per parallel work item: large enough that scheduling cost vanishes, small enough that
    // an 86M-parameter model spreads over every core. Chunking cannot change values: each element
    // depends only on its own index.
    const int ChunkSize = 1 << 16;

    /// <summary>FNV-1a 64-bit hash of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ulong h = FnvOffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            h = (h ^ b) * FnvPrime;
        return h;
    }

    /// <summary>
    /// The (offset, scale) the formula uses for a state_dict tensor, first matching rule wins:
    /// running_var (1, 0.5); running_mean (0, 0.003); 1-D weight or lambda* (1, 0.1); bias (0, 0.003);
    /// otherwise (0, sqrt(5.5 / fan_in)) with fan_in = product of shape[1:].
    /// </summary>
    public static (double Offset, double Scale) Rule(string name, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        var leaf = name[(name.LastIndexOf('.') + 1)..];
        if (leaf == "running_var") return (1.0, 0.5);
        if (leaf == "running_mean") return (0.0, 0.003);
        if (shape.Length == 1 && (leaf == "weight" || leaf.StartsWith("lambda", StringComparison.Ordinal))) return (1.0, 0.1);
        if (leaf == "bias") return (0.0, 0.003);
        long fanIn = 1;
        for (int d = 1; d < shape.Length; d++) fanIn *= shape[d];
        return (0.0, Math.Sqrt(5.5 / fanIn));
    }

    /// <summary>A state_dict tensor: the formula over <paramref name="shape"/> with the offset and scale of <see cref="Rule"/>.</summary>
    public static float[] Generate(string name, int[] shape, ulong seed)
    {
        var (offset, scale) = Rule(name, shape);
        return Generate(name, ElementCount(shape), seed, offset, scale);
    }

    /// <summary>The model input <c>pixel_values</c> [N,3,H,W]: offset 0, scale 1, values in [-1, 1).</summary>
    public static float[] PixelValues(int[] shape, ulong seed) =>
        Generate(PixelValuesName, ElementCount(shape), seed, 0.0, 1.0);

    /// <summary>The first <paramref name="count"/> values of the formula for a name, with an explicit offset and scale.</summary>
    public static float[] Generate(string name, long count, ulong seed, double offset, double scale)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (count < 0 || count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"tensor '{name}' cannot hold {count} elements in one array");
        var result = new float[count];
        ulong state = Fnv1a64(name) ^ seed;
        int chunks = (int)((count + ChunkSize - 1) / ChunkSize);
        if (chunks <= 1)
            Fill(result, 0, (int)count, state, offset, scale);
        else
            Parallel.For(0, chunks, c =>
            {
                int start = c * ChunkSize;
                Fill(result, start, Math.Min(ChunkSize, (int)count - start), state, offset, scale);
            });
        return result;
    }

    /// <summary>Step 3: splitmix64 output number <paramref name="index"/>+1 from <paramref name="state"/> (the z of element index).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SplitMix64(ulong state, long index)
    {
        ulong x = state + (ulong)(index + 1) * Golden;
        ulong z = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Step 4: the top 53 bits of <paramref name="z"/> as v = 2u − 1 in [-1, 1); both steps exact in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Signed(ulong z) => 2.0 * ((z >> 11) * (1.0 / (1UL << 53))) - 1.0;

    /// <summary>Step 5: offset + scale·v, rounded to double after each operation, then once to float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Value(double offset, double scale, double v)
    {
        // Two separate roundings, as the formula says; RyuJIT never contracts a*b+c into an FMA on its own.
        double product = scale * v;
        return (float)(offset + product);
    }

    static void Fill(float[] dest, int start, int length, ulong state, double offset, double scale)
    {
        var span = dest.AsSpan(start, length);
        for (int k = 0; k < span.Length; k++)
            span[k] = Value(offset, scale, Signed(SplitMix64(state, start + k)));
    }

    static long ElementCount(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"negative dimension in [{string.Join(", ", shape)}]");
            n = checked(n * d);
        }
        return n;
    }
}
