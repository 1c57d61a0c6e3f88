namespace HipVision.Tests.Conversion;

/// <summary><see cref="Precisions"/> on the host: names, sizes, tolerances, and the round-to-nearest-even conversions at their edges.</summary>
public class PrecisionsTests
{
    [Test]
    public void Names_parseBackAnyCase_andUnknownIsRefused()
    {
        foreach (var p in Enum.GetValues<Precision>())
        {
            Assert.That(Precisions.TryParse(p.Name().ToUpperInvariant(), out var parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(p));
        }
        Assert.That(Precisions.TryParse("fp8", out _), Is.False);
        Assert.That(new[] { Precision.Fp32, Precision.Fp16, Precision.Bf16 }.Select(p => p.ElementSize()), Is.EqualTo(new[] { 4, 2, 2 }));
        Assert.That(new[] { Precision.Fp32, Precision.Fp16, Precision.Bf16 }.Select(p => (int)p), Is.EqualTo(new[] { 0, 1, 2 }), "hv_dtype's values");
    }

    [Test]
    public void Tolerances_growAsTheSignificandShrinks()
    {
        Assert.That(Precision.Fp32.Tolerance(), Is.EqualTo(1e-4), "the fixtures' criterion");
        Assert.That(Precision.Fp16.Tolerance(), Is.GreaterThan(Precision.Fp32.Tolerance()));
        Assert.That(Precision.Bf16.Tolerance(), Is.GreaterThan(Precision.Fp16.Tolerance()));
    }

    // float bits -> fp16 bits: exact values, the overflow edge (65520 rounds up to ∞), subnormals and ties to even.
    [TestCase(0x3F800000u, (ushort)0x3C00)]
    [TestCase(0x477FE000u, (ushort)0x7BFF)]
    [TestCase(0x477FF000u, (ushort)0x7C00)]
    [TestCase(0x33800000u, (ushort)0x0001)]
    [TestCase(0x33000000u, (ushort)0x0000)]
    [TestCase(0x33C00000u, (ushort)0x0002)]
    [TestCase(0x3F801000u, (ushort)0x3C00)]
    [TestCase(0x3F803000u, (ushort)0x3C02)]
    [TestCase(0xFF800000u, (ushort)0xFC00)]
    [TestCase(0x80000000u, (ushort)0x8000)]
    public void ToFp16Bits_roundsToNearestEven(uint floatBits, ushort want) =>
        Assert.That(Precisions.ToFp16Bits(BitConverter.UInt32BitsToSingle(floatBits)), Is.EqualTo(want), $"0x{floatBits:X8}");

    // float bits -> bf16 bits: ties to even both ways, above the tie, overflow of the largest float, NaN quieted.
    [TestCase(0x3F800000u, (ushort)0x3F80)]
    [TestCase(0x3F808000u, (ushort)0x3F80)]
    [TestCase(0x3F818000u, (ushort)0x3F82)]
    [TestCase(0x3F808001u, (ushort)0x3F81)]
    [TestCase(0x7F7FFFFFu, (ushort)0x7F80)]
    [TestCase(0x7F800000u, (ushort)0x7F80)]
    [TestCase(0x7FA00000u, (ushort)0x7FE0)]
    [TestCase(0xFF800001u, (ushort)0xFFC0)]
    [TestCase(0x00000001u, (ushort)0x0000)]
    public void ToBf16Bits_roundsToNearestEven_andKeepsNaN(uint floatBits, ushort want) =>
        Assert.That(Precisions.ToBf16Bits(BitConverter.UInt32BitsToSingle(floatBits)), Is.EqualTo(want), $"0x{floatBits:X8}");

    [TestCase(Precision.Fp16)]
    [TestCase(Precision.Bf16)]
    public void EveryPattern_widensExactly_andNarrowsBackToItself(Precision precision)
    {
        for (int b = 0; b <= ushort.MaxValue; b++)
        {
            float wide = precision.FromBits((ushort)b);
            if (float.IsNaN(wide)) continue;   // NaNs come back quieted, still NaN
            Assert.That(precision.ToBits(wide), Is.EqualTo((ushort)b), $"{precision.Name()} 0x{b:X4}");
        }
        Assert.That(float.IsNaN(precision.FromBits(precision.ToBits(float.NaN))), Is.True);
        Assert.Throws<ArgumentOutOfRangeException>(() => Precision.Fp32.ToBits(1f));
    }

    [TestCase(Precision.Fp16)]
    [TestCase(Precision.Bf16)]
    public void NarrowThenWiden_isWithinHalfAnUlp(Precision precision)
    {
        var rng = Reference.TestRandom.Create(precision.Name());
        var x = rng.Uniform(4096, -100, 100);
        var bits = new ushort[x.Length];
        var back = new float[x.Length];
        precision.Narrow(x, bits);
        precision.Widen(bits, back);
        double halfUlp = precision == Precision.Fp16 ? Math.Pow(2, -11) : Math.Pow(2, -8);
        for (int i = 0; i < x.Length; i++)
            Assert.That(Math.Abs(back[i] - x[i]), Is.LessThanOrEqualTo(halfUlp * Math.Abs(x[i])), $"{x[i]:G9}");
        Assert.Throws<ArgumentException>(() => precision.Narrow(x, new ushort[1]));
    }
}
