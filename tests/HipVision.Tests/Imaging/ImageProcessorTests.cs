using HipVision.Imaging;

namespace HipVision.Tests.Imaging;

/// <summary>The four HF processors against pixel_values_&lt;proc&gt;.npy made by transformers 4.38.2 + Pillow 9.4.</summary>
public class ImageProcessorTests
{
    static IEnumerable<TestCaseData> Cases() =>
        from stem in ImagingFixtures.Stems
        from proc in ImagingFixtures.Processors
        select new TestCaseData(stem, proc).SetArgDisplayNames(stem, proc);

    [TestCaseSource(nameof(Cases))]
    public void Preprocess_decodedFixture_matchesTransformers(string stem, string proc)
    {
        var image = ImagingFixtures.LoadImageReference(stem);
        CheckAgainstFixture(image, stem, proc);
    }

    [TestCaseSource(nameof(Cases))]
    public void Preprocess_imageFile_matchesTransformers(string stem, string proc)
    {
        var image = ImageLoader.Load(ImagingFixtures.ImageFile(stem));
        CheckAgainstFixture(image, stem, proc);
    }

    static void CheckAgainstFixture(RgbImage image, string stem, string proc)
    {
        var want = ImagingFixtures.Npy(stem, "pixel_values_" + proc);
        var processor = new ImageProcessor(ImagingFixtures.Preset(proc));
        Assert.That(want.Shape, Is.EqualTo(new[] { 1, 3, processor.OutputHeight, processor.OutputWidth }));
        var got = processor.Preprocess(image);
        ImagingFixtures.AssertClose(want.ToFloat32(stem), got, 1e-6, $"{stem}/{proc}");
    }

    [Test]
    public void Preprocess_intoSpan_equalsArrayOverload()
    {
        var image = ImagingFixtures.LoadImageReference("chelsea");
        var processor = new ImageProcessor(PreprocessorConfig.MobileNetV1_1_0_224);
        var batch = new float[2 * 3 * 224 * 224];
        processor.Preprocess(image, batch.AsSpan(3 * 224 * 224));
        Assert.That(batch.AsSpan(3 * 224 * 224).ToArray(), Is.EqualTo(processor.Preprocess(image)));
    }

    [Test]
    public void Preprocess_cropLargerThanImage_padsWithZeroPixels()
    {
        var config = PreprocessorConfig.MobileNetV1_1_0_224 with { DoResize = false, CropSize = SizeDict.Exact(6, 5) };
        var image = new RgbImage(3, 2, Enumerable.Repeat((byte)255, 18).ToArray());
        var got = new ImageProcessor(config).Preprocess(image);
        // Height 2 → 6: two zero rows above and below; width 3 → 5: one zero column each side.
        float white = 1f, black = -1f;
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 5; x++)
                Assert.That(got[y * 5 + x], Is.EqualTo(y is >= 2 and < 4 && x is >= 1 and < 4 ? white : black), $"({x},{y})");
    }

    [Test]
    public void Preprocess_cropLargerByOddAmount_throws()
    {
        var config = PreprocessorConfig.MobileNetV1_1_0_224 with { DoResize = false, CropSize = SizeDict.Exact(3, 3) };
        var image = new RgbImage(2, 2, new byte[12]);
        var e = Assert.Throws<HipVisionException>(() => new ImageProcessor(config).Preprocess(image));
        Assert.That(e!.Message, Does.Contain("odd"));
    }

    [Test]
    public void OutputHeight_presets_matchModelInputs()
    {
        Assert.That(new ImageProcessor(PreprocessorConfig.VitBasePatch16_224).OutputHeight, Is.EqualTo(224));
        Assert.That(new ImageProcessor(PreprocessorConfig.MobileNetV1_1_0_224).OutputWidth, Is.EqualTo(224));
        Assert.That(new ImageProcessor(PreprocessorConfig.EfficientNetB7).OutputHeight, Is.EqualTo(600));
    }
}
