using HipVision.Imaging;
using HipVision.IO;

namespace HipVision.Tests.Imaging;

/// <summary>Paths and loaders for tests/fixtures/images (npy files may be stored gzipped).</summary>
static class ImagingFixtures
{
    public static readonly string[] Stems = ["chelsea", "rocket", "camera"];

    public static readonly string[] Processors = ["vit", "beit", "mobilenet_v1", "efficientnet"];

    /// <summary>The original image file of a fixture (chelsea.png, rocket.jpg, camera.png).</summary>
    public static string ImageFile(string stem) =>
        Directory.GetFiles(Fixtures.Image(stem)).Single(p => p.EndsWith(".png") || p.EndsWith(".jpg"));

    /// <summary>Reads images/&lt;stem&gt;/&lt;name&gt;.npy, or its .npy.gz twin.</summary>
    public static NpyArray Npy(string stem, string name)
    {
        var plain = Path.Combine(Fixtures.Image(stem), name + ".npy");
        return NpyFile.Read(File.Exists(plain) ? plain : plain + ".gz");
    }

    /// <summary>The processors' input as HF's load_image gives it: decoded_rgb when present, else decoded.</summary>
    public static RgbImage LoadImageReference(string stem)
    {
        var rgb = Path.Combine(Fixtures.Image(stem), "decoded_rgb.npy");
        var name = File.Exists(rgb) || File.Exists(rgb + ".gz") ? "decoded_rgb" : "decoded";
        return RgbImage.FromArray(Npy(stem, name), $"{stem}/{name}");
    }

    public static PreprocessorConfig Preset(string processor) => processor switch
    {
        "vit" => PreprocessorConfig.VitBasePatch16_224,
        "beit" => PreprocessorConfig.BeitBasePatch16_224,
        "mobilenet_v1" => PreprocessorConfig.MobileNetV1_1_0_224,
        "efficientnet" => PreprocessorConfig.EfficientNetB7,
        _ => throw new ArgumentException(processor),
    };

    /// <summary>Asserts two byte arrays are equal, reporting count, first mismatch and max |Δ|.</summary>
    public static void AssertBytesEqual(byte[] want, byte[] got, string what)
    {
        Assert.That(got.Length, Is.EqualTo(want.Length), $"{what}: length");
        int bad = 0, first = -1, maxDiff = 0;
        for (int i = 0; i < want.Length; i++)
        {
            if (want[i] == got[i]) continue;
            bad++;
            if (first < 0) first = i;
            maxDiff = Math.Max(maxDiff, Math.Abs(want[i] - got[i]));
        }
        Assert.That(bad, Is.Zero, $"{what}: {bad} of {want.Length} bytes differ, first at {first} (want {(first >= 0 ? want[first] : 0)}, got {(first >= 0 ? got[first] : 0)}), max |Δ| {maxDiff}");
    }

    /// <summary>Asserts |got − want| ≤ atol everywhere, reporting max |Δ| and the first bad index.</summary>
    public static void AssertClose(float[] want, float[] got, double atol, string what)
    {
        Assert.That(got.Length, Is.EqualTo(want.Length), $"{what}: length");
        double maxDiff = 0;
        int bad = 0, first = -1, exact = 0;
        for (int i = 0; i < want.Length; i++)
        {
            double d = Math.Abs((double)got[i] - want[i]);
            if (d == 0) exact++;
            maxDiff = Math.Max(maxDiff, d);
            if (d > atol) { bad++; if (first < 0) first = i; }
        }
        TestContext.Out.WriteLine($"{what}: {exact}/{want.Length} bit-exact, max |Δ| {maxDiff:G3}");
        Assert.That(bad, Is.Zero,
            $"{what}: {bad} of {want.Length} values off by more than {atol}, first at {first} (want {(first >= 0 ? want[first] : 0)}, got {(first >= 0 ? got[first] : 0)}), max |Δ| {maxDiff:G3}");
    }
}
