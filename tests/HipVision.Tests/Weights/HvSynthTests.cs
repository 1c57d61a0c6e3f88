using HipVision.IO;
using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>The hv-synth-v2 generator against the fixture README's worked example and every fixture manifest.</summary>
public class HvSynthTests
{
    const ulong Seed1 = 1;
    const ulong Golden = 0x9E3779B97F4A7C15UL;

    static uint Bits(float f) => BitConverter.SingleToUInt32Bits(f);

    [Test]
    public void WorkedExample_clsTokenSeed1_matchesReadmeBitForBit()
    {
        const string name = "vit.embeddings.cls_token";
        int[] shape = [1, 1, 768];
        ulong h = HvSynth.Fnv1a64(name);
        Assert.That(h, Is.EqualTo(0x4a1a73b6b027f61cUL));
        ulong s = h ^ Seed1;
        Assert.That(s, Is.EqualTo(0x4a1a73b6b027f61dUL));

        var (offset, scale) = HvSynth.Rule(name, shape);
        Assert.That(offset, Is.EqualTo(0.0));
        Assert.That(scale, Is.EqualTo(0.08462540004829125));

        ulong[] xs = [0xe851ed702f727232, 0x86896729aebcee47, 0x24c0e0e32e076a5c, 0xc2f85a9cad51e671];
        ulong[] zs = [0x10d3c70702b2d92b, 0x928db0a9623fc055, 0x51382475c1e0e8cf, 0x0b70e61495983beb];
        double[] vs = [-0.8685370651024666, 0.14494903822605743, -0.36547416925554255, -0.9106171035280666];
        uint[] hex = [0xbd968753, 0x3c48f8e3, 0xbcfd5d8d, 0xbd9dd256];
        float[] dec = [-0.07350029796361923f, 0.012266370467841625f, -0.030928397551178932f, -0.07706134021282196f];

        var values = HvSynth.Generate(name, shape, Seed1);
        Assert.That(values, Has.Length.EqualTo(768));
        for (int i = 0; i < 4; i++)
        {
            Assert.That(s + (ulong)(i + 1) * Golden, Is.EqualTo(xs[i]), $"x[{i}]");
            ulong z = HvSynth.SplitMix64(s, i);
            Assert.That(z, Is.EqualTo(zs[i]), $"z[{i}]");
            Assert.That(HvSynth.Signed(z), Is.EqualTo(vs[i]), $"v[{i}]");
            Assert.That(Bits(values[i]), Is.EqualTo(hex[i]), $"value[{i}] = {values[i]:R}");
            Assert.That(values[i], Is.EqualTo(dec[i]), $"value[{i}]");
        }
        Assert.That(Crc32.Compute(values), Is.EqualTo(0xd91a41b1u));
    }

    [Test]
    public void Crc32_checkString_matchesZlib() =>
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u));

    [Test]
    public void PixelValues_seed1_firstFourMatchReadme()
    {
        var v = HvSynth.PixelValues([1, 3, 4, 4], Seed1);
        Assert.That(v.Take(4).Select(Bits), Is.EqualTo(new uint[] { 0x3f031881, 0xbea02cb4, 0x3e233f83, 0x3e589fbf }));
        Assert.That(v, Has.All.GreaterThanOrEqualTo(-1f).And.LessThan(1f));
    }

    [Test]
    public void PixelValues_batchOfTwo_startsWithTheBatchOfOne()
    {
        var one = HvSynth.PixelValues([1, 3, 8, 8], Seed1);
        var two = HvSynth.PixelValues([2, 3, 8, 8], Seed1);
        Assert.That(two.AsSpan(0, one.Length).SequenceEqual(one), Is.True);
    }

    [Test]
    public void Generate_runningVarSeed1_matchesReadme()
    {
        const string name = "efficientnet.embeddings.batchnorm.running_var";
        Assert.That(HvSynth.Rule(name, [64]), Is.EqualTo((1.0, 0.5)));
        var v = HvSynth.Generate(name, [64], Seed1);
        Assert.That(Bits(v[0]), Is.EqualTo(0x3f939316u));
        Assert.That(Bits(v[1]), Is.EqualTo(0x3f9d7099u));
    }

    [Test]
    public void Rule_firstMatchWins_perReadmeTable()
    {
        Assert.That(HvSynth.Rule("a.running_var", [4]), Is.EqualTo((1.0, 0.5)));
        Assert.That(HvSynth.Rule("a.running_mean", [4]), Is.EqualTo((0.0, 0.003)));
        Assert.That(HvSynth.Rule("a.layernorm.weight", [4]), Is.EqualTo((1.0, 0.1)));
        Assert.That(HvSynth.Rule("beit.encoder.layer.0.lambda_1", [4]), Is.EqualTo((1.0, 0.1)));
        Assert.That(HvSynth.Rule("a.bias", [4]), Is.EqualTo((0.0, 0.003)));
        Assert.That(HvSynth.Rule("a.conv.weight", [32, 1, 3, 3]), Is.EqualTo((0.0, Math.Sqrt(5.5 / 9))));
        Assert.That(HvSynth.Rule("x.relative_position_bias_table", [732, 12]), Is.EqualTo((0.0, Math.Sqrt(5.5 / 12))));
        Assert.That(HvSynth.Rule("weight", [4]), Is.EqualTo((1.0, 0.1)), "a name without dots is its own leaf");
    }

    [Test]
    public void Generate_largeTensor_parallelChunksEqualSerialFormula()
    {
        const string name = "vit.encoder.layer.0.intermediate.dense.weight";
        int[] shape = [3072, 768];
        var values = HvSynth.Generate(name, shape, 7);
        var (offset, scale) = HvSynth.Rule(name, shape);
        ulong s = HvSynth.Fnv1a64(name) ^ 7;
        foreach (int i in new[] { 0, 65535, 65536, 65537, 1 << 20, values.Length - 1 })
            Assert.That(Bits(values[i]), Is.EqualTo(Bits(HvSynth.Value(offset, scale, HvSynth.Signed(HvSynth.SplitMix64(s, i))))), $"element {i}");
    }

    static IEnumerable<string> Models() => StateDictManifest.Models();

    [TestCaseSource(nameof(Models))]
    public void Generate_everyManifestTensor_matchesCrcAndFirstValues(string model)
    {
        var seed = StateDictManifest.Seed(model);
        var entries = StateDictManifest.Read(model);
        var floats = entries.Where(e => e.Dtype == "float32").ToList();
        Assert.That(floats, Is.Not.Empty);
        Assert.That(entries.Except(floats).Select(e => e.Rule), Has.All.EqualTo("kept_from_hf"), "non-float entries");
        // Full-size models hash about 1 GB; tensors in parallel keep every core busy with the CRC too.
        // Failures are collected, since NUnit asserts belong on the test's own thread.
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(floats, e =>
        {
            var rule = HvSynth.Rule(e.Name, e.Shape);
            if (rule != (e.Offset, e.Scale))
                failures.Add($"{e.Name}: rule {rule}, manifest ({e.Offset}, {e.Scale})");
            var v = HvSynth.Generate(e.Name, e.Shape, seed);
            for (int i = 0; i < Math.Min(e.First.Length, v.Length); i++)
                if (Bits(v[i]) != e.First[i])
                    failures.Add($"{e.Name}[{i}]: 0x{Bits(v[i]):x8}, manifest 0x{e.First[i]:x8}");
            var crc = Crc32.Compute(v);
            if (crc != e.Crc32)
                failures.Add($"{e.Name} [{string.Join(", ", e.Shape)}]: CRC-32 0x{crc:x8}, manifest 0x{e.Crc32:x8}");
        });
        Assert.That(failures, Is.Empty, $"{model}: {failures.Count} mismatches");
    }

    [TestCaseSource(nameof(Models))]
    public void PixelValues_fixtureNpy_equalsGeneratorBitForBit(string model)
    {
        var path = StateDictManifest.PixelValuesPath(model);
        var want = NpyFile.ReadFloat32(path, out var shape);
        var got = HvSynth.PixelValues(shape, StateDictManifest.Seed(model));
        Assert.That(got.AsSpan().SequenceEqual(want), Is.True, $"{path} differs from HvSynth.PixelValues");
    }
}
