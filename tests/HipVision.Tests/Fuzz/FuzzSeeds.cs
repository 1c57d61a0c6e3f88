using System.IO.Compression;
using System.Text;
using HipVision.Models;
using HipVision.Tests.Imaging;
using HipVision.Tests.Weights;
using HipVision.Weights;
using SkiaSharp;

namespace HipVision.Tests.Fuzz;

/// <summary>Valid inputs the fuzzers start from: small hand-built files covering each format's variants, plus the tiny-model fixtures.</summary>
static class FuzzSeeds
{
    static readonly string[] TinyModels = ["tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet"];

    public static byte[][] SafeTensors(TempDir tmp)
    {
        var files = new List<byte[]>();
        byte[] Write(SafeTensorsWriter w)
        {
            var path = tmp.File($"seed{files.Count}.safetensors");
            w.Write(path);
            return File.ReadAllBytes(path);
        }
        files.Add(Write(new SafeTensorsWriter().Add("a", [1f, 2f, 3f, 4f], [2, 2])));
        files.Add(Write(new SafeTensorsWriter()
            .Add("w.f32", [1f, float.NaN, -3f], [3])
            .Add("w.f16", SafeTensorDtype.F16, [2], [0, 0x3C, 0, 0xBC])
            .Add("w.bf16", SafeTensorDtype.BF16, [1, 2], [0x80, 0x3F, 0, 0])
            .Add("w.f64", SafeTensorDtype.F64, [1], BitConverter.GetBytes(2.5))
            .Add("n.i64", SafeTensorDtype.I64, [], new byte[8])
            .Add("n.u8", SafeTensorDtype.U8, [0, 3], [])
            .Add("n.bool", SafeTensorDtype.Bool, [2], [0, 1])));
        var meta = new SafeTensorsWriter().Add("x", new float[6], [1, 2, 3]);
        meta.Metadata["note"] = "seed";
        files.Add(Write(meta));
        // The header of a real checkpoint (tiny-vit, 40+ tensors) over data cut to its first tensors, so the
        // mutations land in a realistic header instead of 300 KB of weights.
        var real = File.ReadAllBytes(Path.Combine(Fixtures.Model("tiny-vit"), "model.safetensors"));
        files.Add(real[..Math.Min(real.Length, 16 << 10)]);
        files.Add(real);
        return [.. files];
    }

    public static byte[][] ShardIndexes() =>
    [
        """{"metadata": {"total_size": 20}, "weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}}"""u8.ToArray(),
        """{"weight_map": {"b": "s2.safetensors"}}"""u8.ToArray(),
        [0xEF, 0xBB, 0xBF, .. """{"weight_map": {"a": "s1.safetensors", "b": "s2.safetensors", "c": "s2.safetensors"}}"""u8],
    ];

    public static byte[][] Npy()
    {
        var seeds = new List<byte[]>
        {
            File.ReadAllBytes(Path.Combine(Fixtures.Model("tiny-vit"), "pixel_values.npy")),
            File.ReadAllBytes(Path.Combine(Fixtures.Model("tiny-vit"), "logits.npy")),
        };
        foreach (var (descr, shape, bytes, version) in new (string, int[], int, int)[]
                 { ("<f4", [2, 3], 24, 1), ("|u1", [4], 4, 2), ("<f8", [], 8, 3), ("<i8", [0, 5], 0, 1) })
        {
            var path = Path.GetTempFileName();
            try
            {
                Cli.BadFiles.WriteNpy(path, descr, shape, new byte[bytes], version);
                seeds.Add(File.ReadAllBytes(path));
            }
            finally { File.Delete(path); }
        }
        return [.. seeds];
    }

    /// <summary>Whole checkpoint files (zip level).</summary>
    public static byte[][] CheckpointZips(TempDir tmp)
    {
        var small = TorchPickle.WriteCheckpoint(tmp.File("small.bin"),
            new TorchPickle().Proto().EmptyDict().Mark().Str("w").FloatTensor("0", 2, 2).Str("b").FloatTensor("1", 2).SetItems().Stop().ToArray(),
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2, 3, 4), ["1"] = TorchPickle.Floats(5, 6) });
        return [File.ReadAllBytes(small), File.ReadAllBytes(Path.Combine(Fixtures.Model("tiny-vit"), PyTorchCheckpoint.FileName))];
    }

    /// <summary>data.pkl records with the storages they refer to (pickle level: the zip around them is rebuilt valid each case).</summary>
    public static (byte[] Pickle, Dictionary<string, byte[]> Storages)[] Pickles()
    {
        var seeds = new List<(byte[], Dictionary<string, byte[]>)>
        {
            (new TorchPickle().Proto().EmptyDict().Mark()
                .Str("w").FloatTensor("0", 2, 2)
                .Str("v").Tensor("FloatStorage", "0", 4, 1, [3], [1])
                .Str("t").Tensor("FloatStorage", "0", 4, 0, [2, 2], [1, 2])
                .Str("h").Tensor("HalfStorage", "1", 2, 0, [2], [1])
                .SetItems().Stop().ToArray(),
             new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2, 3, 4), ["1"] = [0, 0x3C, 0, 0xBC] }),
            (new TorchPickle().Proto(4).Global("collections", "OrderedDict").EmptyTuple().Reduce().Put(0)
                .Str("p").Global("torch._utils", "_rebuild_parameter")
                    .Mark().FloatTensor("0", 2).Op(0x89).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce()
                .SetItem().Stop().ToArray(),
             new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2) }),
        };
        foreach (var model in TinyModels.Take(1)) // one real state_dict: its storages are rewritten into every case's zip
        {
            using var zip = ZipFile.OpenRead(Path.Combine(Fixtures.Model(model), PyTorchCheckpoint.FileName));
            byte[] Read(ZipArchiveEntry e)
            {
                using var s = e.Open();
                var m = new MemoryStream();
                s.CopyTo(m);
                return m.ToArray();
            }
            var pickle = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
            var prefix = pickle.FullName[..^"data.pkl".Length] + "data/";
            seeds.Add((Read(pickle), zip.Entries.Where(e => e.FullName.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(e => e.FullName[prefix.Length..], Read)));
        }
        return [.. seeds];
    }

    public static byte[][] Configs()
    {
        var seeds = TinyModels.Select(m => File.ReadAllBytes(Path.Combine(Fixtures.Model(m), "config.json"))).ToList();
        foreach (var preset in new ModelConfig[] { EfficientNetConfig.B0, MobileNetV1Config.MobileNetV1_0_75_192 })
        {
            var buffer = new MemoryStream();
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer)) preset.WriteJson(json);
            seeds.Add(buffer.ToArray());
        }
        return [.. seeds];
    }

    public static byte[][] PreprocessorConfigs() =>
    [
        .. TinyModels.Select(m => File.ReadAllBytes(Path.Combine(Fixtures.Model(m), "preprocessor_config.json"))),
        Encoding.UTF8.GetBytes(EfficientNetConfig.B0.DefaultPreprocessorJson),
        """{"feature_extractor_type": "ViTFeatureExtractor", "size": 224, "image_mean": 0.5, /* comment */ "do_resize": true,}"""u8.ToArray(),
        """{"image_processor_type": "MobileNetV1ImageProcessor", "size": {"shortest_edge": 40}, "crop_size": [32, 30], "resample": 3}"""u8.ToArray(),
    ];

    public static byte[][] Images()
    {
        var rgb = Enumerable.Range(0, 3 * 6 * 5).Select(i => (byte)(i * 37)).ToArray();
        var seeds = new List<byte[]>
        {
            TestImageFiles.Png(6, 5, 2, rgb),
            TestImageFiles.Png(3, 2, 6, Enumerable.Range(0, 24).Select(i => (byte)(i * 11)).ToArray(), exifOrientation: 6),
            TestImageFiles.Png(4, 2, 3, [0, 1, 2, 1, 0, 0, 2, 1], palette: [255, 0, 0, 0, 255, 0, 0, 0, 255], transparency: [0]),
            TestImageFiles.Png(3, 3, 0, new byte[9]),
            TestImageFiles.Bmp(6, 5, rgb),
            // A 2×1 GIF89a: header, logical screen with a 2-colour table, one image, LZW data, trailer.
            new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 2, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x44, 0x0A, 0, 0x3B },
        };
        using var bitmap = new SKBitmap(new SKImageInfo(6, 5, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(40 * x), (byte)(50 * y), 128));
        foreach (var (format, quality) in new[] { (SKEncodedImageFormat.Jpeg, 90), (SKEncodedImageFormat.Webp, 100), (SKEncodedImageFormat.Webp, 50) })
        {
            using var data = bitmap.Encode(format, quality);
            seeds.Add(data.ToArray());
        }
        seeds.Add(TestImageFiles.WithExifOrientation(seeds[^3], 8));
        return [.. seeds];
    }
}
