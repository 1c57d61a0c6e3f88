using HipVision.Conversion;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Conversion;

/// <summary>
/// A converted file computes what its Hugging Face directory computes: fp32 bit for bit (the file holds the very
/// constants the engine would have made), fp16 and bf16 within their stated tolerances with the same top-1.
/// </summary>
public class ConvertParityTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static IEnumerable<string> TinyModels => ConvertedModels.TinyModels;

    [TestCaseSource(nameof(TinyModels))]
    public void TinyFixture_fp32_logitsAndHiddenStatesBitIdenticalToDirectory(string name)
    {
        var dir = Fixtures.Model(name);
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(dir, file, Precision.Fp32);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);

        using var hf = ModelFiles.Open(dir);
        using var converted = ModelFiles.Open(file);
        Assert.That(hf.Weights.Prepared, Is.False);
        Assert.That(converted.Weights.Prepared, Is.True);
        var want = ConvertedModels.Run(hf.Config, hf.Weights, pixels, shape[0], hiddenStates: true);
        var got = ConvertedModels.Run(converted.Config, converted.Weights, pixels, shape[0], hiddenStates: true);
        Assert.That(got.Keys, Is.EquivalentTo(want.Keys));
        foreach (var (output, values) in want) ConvertedModels.BitIdentical(got[output], values, $"{name} {output}");
    }

    [TestCaseSource(nameof(TinyModels))]
    public void TinyFixture_visionModelLoad_sameLogitsFromFileAsFromDirectory(string name)
    {
        var dir = Fixtures.Model(name);
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(dir, file, Precision.Fp32);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var fromDir = VisionModel.Load(dir);
        using var fromFile = VisionModel.Load(file);
        Assert.That(fromFile.Labels, Is.EqualTo(fromDir.Labels));
        var image = Path.Combine(Fixtures.Image("chelsea"), "chelsea.png");
        ConvertedModels.BitIdentical(fromFile.Preprocess(image), fromDir.Preprocess(image), $"{name} preprocessing");
        ConvertedModels.BitIdentical(fromFile.Run(pixels, shape[0]), fromDir.Run(pixels, shape[0]), $"{name} logits through VisionModel");
    }

    /// <summary>A directory holding only pytorch_model.bin converts to the same file as from model.safetensors.</summary>
    [Test]
    public void Convert_pytorchCheckpointDirectory_sameFileAsFromSafetensors()
    {
        var dir = ConvertedModels.CopyOf(Fixtures.Model("tiny-efficientnet"), _tmp.File("pt"));
        File.Delete(Path.Combine(dir, "model.safetensors"));
        ModelConverter.Convert(dir, _tmp.File("from-pt.safetensors"), Precision.Fp32);
        ModelConverter.Convert(Fixtures.Model("tiny-efficientnet"), _tmp.File("from-st.safetensors"), Precision.Fp32);
        Assert.That(File.ReadAllBytes(_tmp.File("from-pt.safetensors")), Is.EqualTo(File.ReadAllBytes(_tmp.File("from-st.safetensors"))));
    }

    [TestCaseSource(nameof(TinyModels))]
    public void TinyFixture_fp16AndBf16_withinToleranceSameArgmax(string name)
    {
        var dir = Fixtures.Model(name);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hf = ModelFiles.Open(dir);
        var want = ConvertedModels.Run(hf.Config, hf.Weights, pixels, shape[0])["logits"];
        foreach (var (precision, tolerance) in new[] { (Precision.Fp16, ConvertedModels.Fp16Tolerance), (Precision.Bf16, ConvertedModels.Bf16Tolerance) })
        {
            var file = _tmp.File($"model-{precision.Name()}.safetensors");
            ModelConverter.Convert(dir, file, precision);
            using var converted = ModelFiles.Open(file);
            using (var raw = SafeTensorsFile.Open(file))
                Assert.That(raw.Tensors.Select(t => t.Dtype).Distinct(), Is.EqualTo(new[] { precision.Dtype() }), "every tensor stored narrowed");
            var got = ConvertedModels.Run(converted.Config, converted.Weights, pixels, shape[0])["logits"];
            ConvertedModels.Close(got, want, hf.Config.NumLabels, tolerance, $"{name} {precision.Name()}");
        }
    }

    /// <summary>
    /// Full-size models from hv-synth-v2 seed 1 weights: fp32 bit-identical to the synthetic-weight path, then the fp32 file
    /// converted again to fp16 and bf16 (a converted file is a valid input), within tolerance.
    /// </summary>
    [TestCase("vit-base-patch16-224")]
    [TestCase("mobilenet_v1_1.0_224")]
    [TestCase("efficientnet-b0")]
    public void FullSizeSynthetic_fp32BitIdentical_fp16AndBf16WithinTolerance(string arch)
    {
        var config = ModelPresets.Get(arch);
        var (c, h, w) = config.InputSize;
        var pixels = HvSynth.PixelValues([1, c, h, w], 1);
        float[] want;
        using (var synthetic = new SyntheticWeights(1)) want = ConvertedModels.Run(config, synthetic, pixels, 1)["logits"];

        var fp32 = _tmp.File("fp32.safetensors");
        ConvertedModels.ConvertSynthetic(config, fp32, Precision.Fp32);
        using (var converted = ModelFiles.Open(fp32))
            ConvertedModels.BitIdentical(ConvertedModels.Run(converted.Config, converted.Weights, pixels, 1)["logits"], want, $"{arch} fp32 logits");

        foreach (var (precision, tolerance) in new[] { (Precision.Fp16, ConvertedModels.Fp16Tolerance), (Precision.Bf16, ConvertedModels.Bf16Tolerance) })
        {
            var file = _tmp.File($"{precision.Name()}.safetensors");
            ModelConverter.Convert(fp32, file, precision);
            Assert.That(new FileInfo(file).Length, Is.LessThan(new FileInfo(fp32).Length * 0.55), "half the size");
            using var converted = ModelFiles.Open(file);
            var got = ConvertedModels.Run(converted.Config, converted.Weights, pixels, 1)["logits"];
            ConvertedModels.Close(got, want, config.NumLabels, tolerance, $"{arch} {precision.Name()}");
        }
    }
}
