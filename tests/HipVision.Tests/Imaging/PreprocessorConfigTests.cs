using System.Text.Json;
using HipVision.Imaging;

namespace HipVision.Tests.Imaging;

/// <summary>Parsing preprocessor_config.json: hub settings, HF 4.38 class defaults, legacy forms, errors.</summary>
public class PreprocessorConfigTests
{
    [TestCase("vit")]
    [TestCase("beit")]
    [TestCase("mobilenet_v1")]
    [TestCase("efficientnet")]
    public void Parse_imagesJsonConfig_equalsPreset(string proc)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Under("images", "images.json")));
        var json = doc.RootElement.GetProperty("processors").GetProperty(proc).GetProperty("config").GetRawText();
        AssertSame(ImagingFixtures.Preset(proc), PreprocessorConfig.Parse(json, $"images.json:{proc}"));
    }

    [Test]
    public void Parse_typeOnly_usesClassDefaults()
    {
        var beit = PreprocessorConfig.Parse("""{"image_processor_type": "BeitImageProcessor"}""", "beit.json");
        Assert.That(beit.Size, Is.EqualTo(SizeDict.Exact(256, 256)));
        Assert.That(beit.Resample, Is.EqualTo(PilResample.Bicubic));
        Assert.That((beit.DoCenterCrop, beit.CropSize), Is.EqualTo((true, SizeDict.Exact(224, 224))));

        var eff = PreprocessorConfig.Parse("""{"image_processor_type": "EfficientNetImageProcessor"}""", "eff.json");
        Assert.That((eff.Size, eff.Resample, eff.DoCenterCrop, eff.IncludeTop, eff.RescaleOffset),
            Is.EqualTo((SizeDict.Exact(346, 346), PilResample.Nearest, false, true, false)));

        var mobile = PreprocessorConfig.Parse("""{"image_processor_type": "MobileNetV1ImageProcessor"}""", "m.json");
        Assert.That((mobile.Size, mobile.Resample, mobile.CropSize), Is.EqualTo((SizeDict.Shortest(256), PilResample.Bilinear, SizeDict.Exact(224, 224))));

        var vit = PreprocessorConfig.Parse("""{"image_processor_type": "ViTImageProcessor"}""", "vit.json");
        Assert.That((vit.Size, vit.Resample, vit.DoCenterCrop, vit.RescaleFactor), Is.EqualTo((SizeDict.Exact(224, 224), PilResample.Bilinear, false, 1.0 / 255)));
        Assert.That(vit.ImageMean, Is.EqualTo(new[] { 0.5, 0.5, 0.5 }));
    }

    [Test]
    public void Parse_legacyFeatureExtractorWithIntSize_widensLikeGetSizeDict()
    {
        var vit = PreprocessorConfig.Parse("""{"feature_extractor_type": "ViTFeatureExtractor", "size": 384, "image_mean": 0.25}""", "old.json");
        Assert.That(vit.ImageProcessorType, Is.EqualTo("ViTImageProcessor"));
        Assert.That(vit.Size, Is.EqualTo(SizeDict.Exact(384, 384)));
        Assert.That(vit.ImageMean, Is.EqualTo(new[] { 0.25, 0.25, 0.25 }));
        var mobile = PreprocessorConfig.Parse("""{"image_processor_type": "MobileNetV1ImageProcessor", "size": 300, "crop_size": 288}""", "m.json");
        Assert.That((mobile.Size, mobile.CropSize), Is.EqualTo((SizeDict.Shortest(300), SizeDict.Exact(288, 288))));
    }

    [Test]
    public void Parse_vitWithCenterCropKeys_ignoresThem()
    {
        var vit = PreprocessorConfig.Parse("""{"image_processor_type": "ViTImageProcessor", "do_center_crop": true, "crop_size": 100, "include_top": true}""", "vit.json");
        Assert.That((vit.DoCenterCrop, vit.CropSize, vit.IncludeTop), Is.EqualTo((false, (SizeDict?)null, false)));
    }

    [Test]
    public void Load_unknownProcessorType_throwsNamingFileAndType()
    {
        var path = WriteTemp("""{"image_processor_type": "CLIPImageProcessor"}""");
        try
        {
            var e = Assert.Throws<HipVisionException>(() => PreprocessorConfig.Load(path));
            Assert.That(e!.Message, Does.StartWith(path + ": ").And.Contain("CLIPImageProcessor"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("""{"image_processor_type": "ViTImageProcessor", "do_resize": "yes"}""", "do_resize")]
    [TestCase("""{"image_processor_type": "ViTImageProcessor", "resample": 9}""", "resample")]
    [TestCase("""{"image_processor_type": "ViTImageProcessor", "size": {"shortest_edge": 224}}""", "height")]
    [TestCase("""{"image_processor_type": "BeitImageProcessor", "image_std": [0.5, 0.5]}""", "image_std")]
    [TestCase("""{"image_processor_type": "BeitImageProcessor", "size": {"longest_edge": 9}}""", "size")]
    [TestCase("""{"do_resize": true}""", "image_processor_type")]
    [TestCase("""[1, 2]""", "object")]
    [TestCase("""{"image_processor_type": """, "JSON")]
    public void Parse_badConfig_throwsNamingSourceAndKey(string json, string expected)
    {
        var e = Assert.Throws<HipVisionException>(() => PreprocessorConfig.Parse(json, "bad.json"));
        Assert.That(e!.Message, Does.StartWith("bad.json: ").And.Contain(expected));
    }

    [Test]
    public void Load_missingFile_throwsNamingFile()
    {
        var e = Assert.Throws<HipVisionException>(() => PreprocessorConfig.Load("/nonexistent/preprocessor_config.json"));
        Assert.That(e!.Message, Does.StartWith("/nonexistent/preprocessor_config.json: "));
    }

    static string WriteTemp(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hv-pp-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }

    static void AssertSame(PreprocessorConfig want, PreprocessorConfig got)
    {
        Assert.Multiple(() =>
        {
            Assert.That(got.ImageProcessorType, Is.EqualTo(want.ImageProcessorType));
            Assert.That(got.DoResize, Is.EqualTo(want.DoResize));
            Assert.That(got.Size, Is.EqualTo(want.Size));
            Assert.That(got.Resample, Is.EqualTo(want.Resample));
            Assert.That(got.DoCenterCrop, Is.EqualTo(want.DoCenterCrop));
            Assert.That(got.CropSize, Is.EqualTo(want.CropSize));
            Assert.That(got.DoRescale, Is.EqualTo(want.DoRescale));
            Assert.That(got.RescaleFactor, Is.EqualTo(want.RescaleFactor));
            Assert.That(got.RescaleOffset, Is.EqualTo(want.RescaleOffset));
            Assert.That(got.DoNormalize, Is.EqualTo(want.DoNormalize));
            Assert.That(got.ImageMean, Is.EqualTo(want.ImageMean));
            Assert.That(got.ImageStd, Is.EqualTo(want.ImageStd));
            Assert.That(got.IncludeTop, Is.EqualTo(want.IncludeTop));
        });
    }
}
