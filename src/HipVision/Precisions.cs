namespace HipVision;

/// <summary>
/// Names, element sizes, host conversions and stated tolerances of <see cref="Precision"/>. The conversions are bit-identical to
/// the native library's <c>hv_cast</c> (round to nearest even; tests compare them on special values and random floats), so a
/// tensor narrowed on the host is the tensor the device would have made.
/// </summary>
public static class Precisions
{
    /// <summary>The spelling of the command line and of a converted file's metadata: fp32, fp16, bf16.</summary>
    public static string Name(this Precision precision) => precision switch
    {
        Precision.Fp32 => "fp32",
        Precision.Fp16 => "fp16",
        Precision.Bf16 => "bf16",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>Parses fp32, fp16 or bf16 (any case); false for anything else.</summary>
    public static bool TryParse(string text, out Precision precision)
    {
        foreach (var p in Enum.GetValues<Precision>())
            if (string.Equals(text, p.Name(), StringComparison.OrdinalIgnoreCase))
            {
                precision = p;
                return true;
            }
        precision = default;
        return false;
    }

    /// <summary>Bytes per element: 4 or 2.</summary>
    public static int ElementSize(this Precision precision) => precision == Precision.Fp32 ? sizeof(float) : sizeof(ushort);

    /// <summary>
    /// The stated tolerance of a whole model run at this precision, per image, against the fp32 reference (transformers' logits,
    /// or the float64 evaluation of one op): ‖Δ‖/‖ref‖ and max|Δ|/max|ref| at most this, and the same top-1 class unless the
    /// reference's best two logits lie within this·max|ref| of each other (a tie at that resolution; see <see cref="TopClassTie"/>).
    /// fp32 is the fixtures' 1e-4. fp16 and bf16 are about twice the worst measured on the four tiny fixtures (batch 2, CPU emulator,
    /// identical at warp 32 and 64; docs/precision.md): fp16 ‖Δ‖/‖ref‖ 4.2e-3 and max|Δ|/max|ref| 5.2e-3, bf16 2.4e-2 and 2.6e-2,
    /// both worst on tiny-vit's second image. No real GPU has measured them yet.
    /// </summary>
    public static double Tolerance(this Precision precision) => precision switch
    {
        Precision.Fp32 => 1e-4,
        Precision.Fp16 => 1e-2,
        Precision.Bf16 => 5e-2,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>
    /// How close (as a fraction of max|ref|) the reference's best two logits may be and still count as a tie, where either class is
    /// an acceptable top-1: 0 at fp32 (the top-1 must be identical), the stated <see cref="Tolerance"/> at fp16/bf16, whose rounding
    /// alone moves logits that far (tiny-mobilenet_v1's second image: 0.023375 vs 0.023231, one bf16 step apart, flips at bf16).
    /// </summary>
    public static double TopClassTie(this Precision precision) => precision == Precision.Fp32 ? 0 : precision.Tolerance();

    /// <summary>IEEE half bits of <paramref name="value"/>, rounded to nearest even (the conversion .NET's Half defines).</summary>
    public static ushort ToFp16Bits(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>The upper 16 bits of the float32, rounded to nearest even; a NaN stays a NaN (quieted, its sign and top payload kept).</summary>
    public static ushort ToBf16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    /// <summary>The 16-bit pattern of <paramref name="value"/> in a 2-byte <paramref name="precision"/>.</summary>
    public static ushort ToBits(this Precision precision, float value) => precision switch
    {
        Precision.Fp16 => ToFp16Bits(value),
        Precision.Bf16 => ToBf16Bits(value),
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "only fp16 and bf16 are 16-bit"),
    };

    /// <summary>The float32 a 16-bit pattern of <paramref name="precision"/> stands for (exact: both widen without rounding).</summary>
    public static float FromBits(this Precision precision, ushort bits) => precision switch
    {
        Precision.Fp16 => (float)BitConverter.UInt16BitsToHalf(bits),
        Precision.Bf16 => BitConverter.UInt32BitsToSingle((uint)bits << 16),
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "only fp16 and bf16 are 16-bit"),
    };

    /// <summary>Narrows <paramref name="source"/> into 16-bit patterns of <paramref name="precision"/> (same length).</summary>
    public static void Narrow(this Precision precision, ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length != source.Length) throw new ArgumentException($"destination holds {destination.Length} values, source {source.Length}", nameof(destination));
        for (int i = 0; i < source.Length; i++) destination[i] = precision.ToBits(source[i]);
    }

    /// <summary>Widens 16-bit patterns of <paramref name="precision"/> into float32 (same length).</summary>
    public static void Widen(this Precision precision, ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (destination.Length != source.Length) throw new ArgumentException($"destination holds {destination.Length} values, source {source.Length}", nameof(destination));
        for (int i = 0; i < source.Length; i++) destination[i] = precision.FromBits(source[i]);
    }
}
