using HipVision.Interop;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Hip;

/// <summary>
/// Element types through the C ABI: the host's <see cref="Precisions"/> conversions against <c>hv_cast</c> bit for bit (special
/// values, every 16-bit pattern, fresh random float bits with the seed printed), typed buffers and views, and a type mismatch
/// surfacing as one clear exception, in C# first and natively when C# is bypassed.
/// </summary>
[TestFixtureSource(typeof(HipDevices), nameof(HipDevices.WarpSizes))]
public class NativeCastTests(int warpSize) : NativeDeviceFixture(warpSize)
{
    static readonly float[] Specials =
    [
        0f, -0f, 1f, -1f, 65504f, 65519.996f, 65520f, -65520f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN, BitConverter.UInt32BitsToSingle(0x7FA00001),
        BitConverter.UInt32BitsToSingle(0xFF812345), 5.9604645e-8f, 2.9802322e-8f, 8.940697e-8f, 6.1035156e-5f, 6.097555e-5f,
        BitConverter.UInt32BitsToSingle(0x3F808000), BitConverter.UInt32BitsToSingle(0x3F818000), BitConverter.UInt32BitsToSingle(0x3F801000),
        BitConverter.UInt32BitsToSingle(0x3F803000), BitConverter.UInt32BitsToSingle(0x00800000), BitConverter.UInt32BitsToSingle(0x007FFFFF),
    ];

    /// <summary>The specials, then random float bit patterns (every exponent, NaNs included) from a fresh seed.</summary>
    static float[] Inputs(string what)
    {
        var rng = TestRandom.Create(what);
        var bits = new byte[4 * 20000];
        new Random(rng.Seed).NextBytes(bits);
        var random = new float[bits.Length / 4];
        Buffer.BlockCopy(bits, 0, random, 0, bits.Length);
        return [.. Specials, .. random];
    }

    [TestCase(Precision.Fp16)]
    [TestCase(Precision.Bf16)]
    public void HostNarrowing_isBitIdenticalToHvCast(Precision precision)
    {
        var x = Inputs($"hv_cast fp32 -> {precision.Name()} {On}");
        using var wide = Device.Upload(x);
        using var narrow = Device.Allocate(x.Length, precision);
        Device.Cast(wide, narrow, x.Length);
        var got = new ushort[x.Length];
        narrow.DownloadBits(got);
        var want = new ushort[x.Length];
        precision.Narrow(x, want);
        for (int i = 0; i < x.Length; i++)
            Assert.That(got[i], Is.EqualTo(want[i]), $"{precision.Name()} of 0x{BitConverter.SingleToUInt32Bits(x[i]):X8} ({x[i]:G9}): hv_cast 0x{got[i]:X4}, host 0x{want[i]:X4}");
    }

    [TestCase(Precision.Fp16, Precision.Fp32)]
    [TestCase(Precision.Bf16, Precision.Fp32)]
    [TestCase(Precision.Fp16, Precision.Bf16)]
    [TestCase(Precision.Bf16, Precision.Fp16)]
    public void EveryPattern_castOnTheDevice_likeTheHost(Precision from, Precision to)
    {
        // Every 16-bit pattern in a `from` buffer (uploaded as the floats they widen to: narrowing gives the pattern back, NaNs quieted).
        var values = Enumerable.Range(0, 65536).Select(b => from.FromBits((ushort)b)).ToArray();
        using var source = Device.Upload(values, from);
        var stored = new ushort[values.Length];
        source.DownloadBits(stored);
        using var target = Device.Allocate(values.Length, to);
        Device.Cast(source, target, values.Length);
        var want = stored.Select(b => from.FromBits(b)).ToArray();
        if (to == Precision.Fp32)
        {
            var got = target.Download();
            for (int i = 0; i < got.Length; i++)
                Assert.That(BitConverter.SingleToUInt32Bits(got[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(want[i])), $"{from.Name()} 0x{stored[i]:X4} -> fp32");
        }
        else
        {
            var got = new ushort[values.Length];
            target.DownloadBits(got);
            for (int i = 0; i < got.Length; i++)
                Assert.That(got[i], Is.EqualTo(to.ToBits(want[i])), $"{from.Name()} 0x{stored[i]:X4} -> {to.Name()}");
        }
    }

    [TestCase(Precision.Fp16)]
    [TestCase(Precision.Bf16)]
    public void TypedBuffer_viewsKeepTheType_andTransfersConvertOnTheHost(Precision precision)
    {
        using var buffer = Device.Allocate(256, precision);
        using var view = buffer.View(128, 64);
        Assert.That(buffer.Bytes, Is.EqualTo(512));
        Assert.That(view.Type, Is.EqualTo(precision));
        Native.Check(NativeMethods.hv_buffer_get_dtype(view.Handle, out var native));
        Assert.That(native, Is.EqualTo(precision), "hv_buffer_get_dtype of the view");
        var x = Enumerable.Range(0, 64).Select(i => i / 3f).ToArray();
        view.Upload(x);
        var back = buffer.Download().Skip(128).Take(64).ToArray();
        Assert.That(back, Is.EqualTo(x.Select(v => precision.FromBits(precision.ToBits(v))).ToArray()), "the view wrote elements 128.. of its parent");
    }

    [Test]
    public void TypeMismatch_isOneClearException_inCSharpAndNatively()
    {
        using var a = Device.Allocate(64, Precision.Fp16);
        using var b = Device.Allocate(64);
        using var y = Device.Allocate(64, Precision.Fp16);
        var e = Assert.Throws<ArgumentException>(() => Device.Add(a, b, y, 8, 8, 8));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("hv_add takes tensors of one type").And.Contain("a fp16").And.Contain("b fp32"));

        // Past the C# check (a HipVision bug would get here): the native boundary refuses it with a message, not a crash.
        var native = Assert.Throws<HipVisionException>(() => Native.Check(NativeMethods.hv_add(Device.Handle, a.Handle, b.Handle, y.Handle, 8, 8, 8)));
        TestContext.Out.WriteLine(native!.Message);
        Assert.That(native.Status, Is.EqualTo(NativeStatus.InvalidArgument));
        Assert.That(native.Message, Does.Contain("type").IgnoreCase);
    }
}
