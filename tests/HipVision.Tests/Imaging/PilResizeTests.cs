using HipVision.Imaging;

namespace HipVision.Tests.Imaging;

/// <summary>
/// PilResize against the float64 oracle on random images (seed printed) and against small hand-checked cases.
/// Bit-exactness against Pillow itself is covered by the processor fixtures (bilinear down, nearest up).
/// </summary>
public class PilResizeTests
{
    [TestCase(PilResample.Bicubic, 37, 23, 64, 50)]   // upscale both axes
    [TestCase(PilResample.Bicubic, 97, 61, 31, 17)]   // reduce: antialiased, wide support
    [TestCase(PilResample.Bicubic, 40, 40, 83, 19)]   // up in x, down in y
    [TestCase(PilResample.Bicubic, 33, 20, 33, 47)]   // width unchanged: vertical pass only
    [TestCase(PilResample.Bicubic, 25, 31, 70, 31)]   // height unchanged: horizontal pass only
    [TestCase(PilResample.Bilinear, 29, 17, 101, 55)]
    [TestCase(PilResample.Bilinear, 451, 300, 224, 224)]
    [TestCase(PilResample.Lanczos, 50, 30, 77, 13)]
    [TestCase(PilResample.Box, 64, 48, 21, 100)]
    [TestCase(PilResample.Hamming, 45, 45, 30, 90)]
    [TestCase(PilResample.Bicubic, 1, 9, 5, 1)]       // one-pixel axes
    public void Resize_randomImage_matchesFloat64PillowFilterWithin1Lsb(PilResample mode, int inW, int inH, int outW, int outH)
    {
        int seed = Environment.TickCount ^ (inW * 7919 + outW);
        TestContext.Out.WriteLine($"seed {seed}");
        var pixels = new byte[inW * inH * 3];
        new Random(seed).NextBytes(pixels);

        var got = PilResize.Resize(new RgbImage(inW, inH, pixels), outW, outH, mode);
        var want = PilResizeReference.Resize(pixels, inW, inH, outW, outH, mode);

        Assert.That((got.Width, got.Height), Is.EqualTo((outW, outH)));
        int exact = 0, maxDiff = 0, first = -1;
        for (int i = 0; i < want.Length; i++)
        {
            int d = Math.Abs(got.Pixels[i] - want[i]);
            if (d == 0) exact++;
            else if (first < 0) first = i;
            maxDiff = Math.Max(maxDiff, d);
        }
        TestContext.Out.WriteLine($"{mode} {inW}x{inH} -> {outW}x{outH}: {exact}/{want.Length} equal to the float64 oracle, max |Δ| {maxDiff}");
        // Pillow rounds weights to 22-bit fixed point, so a value within ~1e-5 of .5 can round the other way.
        Assert.That(maxDiff, Is.LessThanOrEqualTo(1), $"first difference at {first}");
        Assert.That(exact, Is.GreaterThanOrEqualTo(want.Length * 99 / 100));
    }

    [Test]
    public void Resize_nearestHalving_picksPixelCentres()
    {
        // 4 → 2 samples source x = 1.0 and 3.0; 2 → 4 samples 0.25, 0.75, 1.25, 1.75.
        byte[] row = [0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30];
        Assert.That(PilResize.Resize(new RgbImage(4, 1, row), 2, 1, PilResample.Nearest).Pixels,
            Is.EqualTo(new byte[] { 10, 10, 10, 30, 30, 30 }));
        Assert.That(PilResize.Resize(new RgbImage(2, 1, row[..6]), 4, 1, PilResample.Nearest).Pixels,
            Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 10 }));
    }

    [Test]
    public void Resize_sameSize_returnsEqualCopy()
    {
        var image = new RgbImage(2, 1, [1, 2, 3, 4, 5, 6]);
        var copy = PilResize.Resize(image, 2, 1, PilResample.Bicubic);
        Assert.That(copy.Pixels, Is.EqualTo(image.Pixels));
        Assert.That(copy.Pixels, Is.Not.SameAs(image.Pixels));
    }

    [Test]
    public void Resize_constantImage_staysConstant()
    {
        var image = new RgbImage(13, 7, Enumerable.Repeat((byte)77, 13 * 7 * 3).ToArray());
        foreach (var mode in Enum.GetValues<PilResample>())
            Assert.That(PilResize.Resize(image, 29, 4, mode).Pixels, Is.All.EqualTo(77), mode.ToString());
    }
}
