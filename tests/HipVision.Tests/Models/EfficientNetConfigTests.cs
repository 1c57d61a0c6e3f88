using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HipVision.Graph;
using HipVision.Models;

namespace HipVision.Tests.Models;

/// <summary>
/// The scaling and padding rules of HF modeling_efficientnet.py, against values worked out by hand from the
/// formulas (round_filters, ceil(depth·repeats), correct_pad, torch "same"), and the config.json round trip.
/// </summary>
public class EfficientNetConfigTests
{
    // width, divisor, channels → HF round_filters: max(d, int(c·w + d/2) // d · d), + d when below 0.9·c·w.
    [TestCase(1.0, 8, 32, 32)]
    [TestCase(2.0, 8, 32, 64)]
    [TestCase(2.0, 8, 1280, 2560)]
    [TestCase(1.1, 8, 32, 32)]    // 35.2 → int(39.2) = 39 → 32; 32 ≥ 31.68
    [TestCase(1.1, 8, 16, 16)]    // 17.6 → 21 → 16; 16 ≥ 15.84
    [TestCase(1.1, 8, 1280, 1408)]
    [TestCase(1.4, 8, 24, 32)]    // 33.6 → 37 → 32
    [TestCase(1.8, 8, 40, 72)]    // 72 exactly
    [TestCase(1.8, 8, 112, 200)]  // 201.6 → 205 → 200
    [TestCase(1.0, 8, 27, 32)]    // 27 → 31 → 24 < 24.3: +8 → 32 (the 10 % rule)
    [TestCase(1.0, 16, 20, 32)]   // 20 → 28 → 16 < 18: +16 → 32
    [TestCase(0.25, 8, 16, 8)]    // 4 → at least the divisor
    [TestCase(0.25, 8, 1280, 320)]
    public void RoundFilters_hfFormula_givesHandComputedValues(double width, int divisor, int channels, int expected) =>
        Assert.That(new EfficientNetConfig { WidthCoefficient = width, DepthDivisor = divisor }.RoundFilters(channels), Is.EqualTo(expected));

    // depth, repeats → ceil(depth·repeats) (in double, as Python does: 3.1·3 = 9.3 → 10, 1.1·1 = 1.1 → 2).
    [TestCase(1.0, 3, 3)]
    [TestCase(1.1, 1, 2)]
    [TestCase(1.2, 2, 3)]
    [TestCase(3.1, 1, 4)]
    [TestCase(3.1, 3, 10)]
    [TestCase(3.1, 4, 13)]
    [TestCase(0.5, 3, 2)]
    [TestCase(0.5, 1, 1)]
    public void RoundRepeats_ceilOfDepthTimesRepeats(double depth, int repeats, int expected) =>
        Assert.That(new EfficientNetConfig { DepthCoefficient = depth }.RoundRepeats(repeats), Is.EqualTo(expected));

    // kernel, stride, adjust → (top, bottom, left, right)
    [TestCase(3, 2, true, 0, 1)]   // correct_pad adjust: (k//2 − 1, k//2)
    [TestCase(5, 2, true, 1, 2)]
    [TestCase(3, 2, false, 1, 1)]  // depthwise_padding blocks: k//2 everywhere
    [TestCase(5, 2, false, 2, 2)]
    [TestCase(3, 1, true, 1, 1)]   // stride 1: torch padding="same", ZeroPad2d not applied
    [TestCase(5, 1, false, 2, 2)]
    [TestCase(4, 1, true, 1, 2)]   // even kernel "same": the smaller half first
    public void DepthwisePadding_hfRules(int kernel, int stride, bool adjust, int before, int after) =>
        Assert.That(EfficientNetConfig.DepthwisePaddingOf(kernel, stride, adjust), Is.EqualTo(new Padding2d(before, after, before, after)));

    [Test]
    public void StemPadding_isZeroPad0101() => Assert.That(EfficientNetConfig.StemPadding, Is.EqualTo(new Padding2d(0, 1, 0, 1)));

    // size, kernel → stride-2 output with HF's adjusted padding vs the symmetric one; odd sizes are where they differ.
    [TestCase(75, 3, 37, 38)]
    [TestCase(150, 5, 75, 75)]
    [TestCase(33, 5, 16, 17)]
    [TestCase(7, 3, 3, 4)]
    public void DepthwisePadding_oddSizes_adjustedDropsAnOutputRow(int size, int kernel, int adjusted, int symmetric)
    {
        static int Out(int n, Padding2d p, int k) => (n + p.Top + p.Bottom - k) / 2 + 1;
        Assert.That(Out(size, EfficientNetConfig.DepthwisePaddingOf(kernel, 2, true), kernel), Is.EqualTo(adjusted));
        Assert.That(Out(size, EfficientNetConfig.DepthwisePaddingOf(kernel, 2, false), kernel), Is.EqualTo(symmetric));
    }

    /// <summary>
    /// HF's depthwise_padding lists are exactly the stride-2 blocks whose input is odd at the variant's
    /// resolution (Keras' correct_pad adjusts by input parity; HF hard-coded the result). So with the right
    /// block enumeration every stride-2 depthwise pad equals TensorFlow "SAME" at the preset resolution.
    /// </summary>
    [Test]
    public void Presets_depthwisePaddingLists_areTheOddInputStride2Blocks_soEveryPadIsTfSame()
    {
        foreach (var v in EfficientNetConfig.Variants)
        {
            var c = EfficientNetConfig.FromVariant(v);
            int size = (c.ImageSize + 1 - 3) / 2 + 1;
            var odd = new List<int>();
            foreach (var b in c.Blocks)
            {
                if (b.Stride == 2)
                {
                    if (size % 2 == 1) odd.Add(b.Index);
                    Assert.That(b.Padding, Is.EqualTo(Padding2d.TensorFlowSame(size, size, b.Kernel, b.Kernel, 2, 2)), $"{v.Name} block {b.Index} at {size}");
                }
                size = (size + b.Padding.Top + b.Padding.Bottom - b.Kernel) / b.Stride + 1;
            }
            Assert.That(odd, Is.EqualTo(v.DepthwisePadding), v.Name);
            Assert.That(c.FinalMapSize(), Is.EqualTo((size, size)));
        }
    }

    [Test]
    public void Blocks_b0_enumerationMatchesHf()
    {
        var blocks = EfficientNetConfig.B0.Blocks;
        Assert.That(blocks, Has.Count.EqualTo(16));
        // block 0: stage 0, no expansion, 32 → 16, SE from the input dim 32·0.25 = 8, no residual (id_skip)
        Assert.That(blocks[0], Is.EqualTo(new EfficientNetConfig.Block(0, 0, 32, 16, 32, 8, 1, 3, false, false, Padding2d.Symmetric(1))));
        // block 1: first of stage 1: 16 → 24, expand 96, SE max(1, int(16·0.25)) = 4, stride 2, adjusted pad
        Assert.That(blocks[1], Is.EqualTo(new EfficientNetConfig.Block(1, 1, 16, 24, 96, 4, 2, 3, true, false, new Padding2d(0, 1, 0, 1))));
        // block 2: repeat: 24 → 24, stride 1, residual
        Assert.That(blocks[2], Is.EqualTo(new EfficientNetConfig.Block(2, 1, 24, 24, 144, 6, 1, 3, true, true, Padding2d.Symmetric(1))));
        // block 8: first of stage 4 (stride 1, 80 → 112): id_skip, so no residual even at stride 1
        Assert.That(blocks[8], Is.EqualTo(new EfficientNetConfig.Block(8, 4, 80, 112, 480, 20, 1, 5, true, false, Padding2d.Symmetric(2))));
        Assert.That(blocks[15], Is.EqualTo(new EfficientNetConfig.Block(15, 6, 192, 320, 1152, 48, 1, 3, true, false, Padding2d.Symmetric(1))));
    }

    [Test]
    public void WriteJson_b7_roundTripsThroughParse()
    {
        var b7 = EfficientNetConfig.B7;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) b7.WriteJson(json);
        var back = (EfficientNetConfig)ModelConfig.Parse(Encoding.UTF8.GetString(buffer.ToArray()), "b7.json");
        Assert.That(back.Blocks, Is.EqualTo(b7.Blocks));
        Assert.That((back.ImageSize, back.HiddenDim, back.WidthCoefficient, back.DepthCoefficient, back.BatchNormEps, back.DropoutRate),
            Is.EqualTo((600, 2560, 2.0, 3.1, 1e-3, 0.5)));
        Assert.That(back.Labels, Is.EqualTo(b7.Labels));
        Assert.That(back.DepthwisePadding, Is.EqualTo(new[] { 18 }));
    }

    [Test]
    public void DefaultPreprocessorJson_b7_equalsTheHubProcessorConfig()
    {
        var want = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Model("efficientnet-b7"), "preprocessor_config.json")));
        var json = EfficientNetConfig.B7.DefaultPreprocessorJson;
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(json), want), Is.True, json);
        var parsed = HipVision.Imaging.PreprocessorConfig.Parse(EfficientNetConfig.B0.DefaultPreprocessorJson, "b0 preprocessor");
        Assert.That(parsed.Size, Is.EqualTo(HipVision.Imaging.SizeDict.Exact(224, 224)));
        Assert.That((parsed.IncludeTop, parsed.DoCenterCrop, parsed.Resample), Is.EqualTo((true, false, HipVision.Imaging.PilResample.Nearest)));
    }

    [TestCase("\"hidden_dim\": 1280", "hidden_dim 1280 does not equal round_filters(1280) = 2560")]
    [TestCase("\"pooling_type\": \"max\"", "pooling_type 'max' is not supported")]
    [TestCase("\"hidden_act\": \"relu\"", "hidden_act 'relu' is not supported")]
    [TestCase("\"strides\": [1, 3, 2, 2, 1, 2, 1]", "stage 1: stride 3 is not supported")]
    [TestCase("\"kernel_sizes\": [3, 3]", "kernel_sizes has 2 entries, in_channels has 7")]
    [TestCase("\"image_size\": 4096, \"width_coefficient\": 0.05, \"hidden_dim\": 64", "larger than the pooler's AvgPool2d kernel")]
    [TestCase("\"image_size\": 100000", "image_size 100000: above the limits")]
    [TestCase("\"depth_coefficient\": 1e9", "depth_coefficient 1000000000")]
    [TestCase("\"depth_coefficient\": 60, \"num_block_repeats\": [100, 100, 100, 100, 100, 100, 100]", "42000 blocks, more than 4096")]
    [TestCase("\"width_coefficient\": 1e300", "above the limits")]
    [TestCase("\"width_coefficient\": 1e400", "'width_coefficient' must be a finite number")]
    [TestCase("\"expand_ratios\": [1, 6, 6, 6, 6, 6, 2000000000]", "stage 6")]
    [TestCase("\"depth_divisor\": 2147483647", "depth_divisor 2147483647")]
    [TestCase("\"image_size\": 8", "image_size 8 is too small")]
    public void Parse_invalidConfig_oneLineErrorNamingTheFile(string field, string message)
    {
        var ex = Assert.Throws<HipVisionException>(() => ModelConfig.Parse($$"""{"model_type": "efficientnet", {{field}}}""", "cfg/config.json"));
        Assert.That(ex!.Message, Does.StartWith("cfg/config.json: ").And.Contain(message).And.Not.Contain("\n"));
    }
}
