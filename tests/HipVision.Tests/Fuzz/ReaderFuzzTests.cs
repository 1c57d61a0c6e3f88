using System.Text;
using HipVision.Imaging;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Fuzz;

/// <summary>
/// One fuzzer per reader of outside input (docs/fuzzing.md): mutated valid seeds must be read or refused with a
/// <see cref="HipVisionException"/>, within a time and allocation budget (<see cref="FuzzHarness"/>). CI runs the
/// counts below on every test run, set from measured rates so each reader takes at most a few seconds (measured on the
/// shared 2-core dev VM under a load average near 20: 0.1 ms a case for npy, 1-2 ms for images, safetensors and
/// config.json, 4-5 ms for preprocessing and the index, 9-10 ms for the two PyTorch fuzzers, which write a zip per
/// case); HV_FUZZ_ITERATIONS or HV_FUZZ_SECONDS make the same tests run for hours.
/// </summary>
[Category("Fuzz")]
public class ReaderFuzzTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp()
    {
        _tmp = new TempDir();
        HipVisionWarnings.Sink = _ => { }; // mutated weights are often NaN; the warning is tested elsewhere
    }

    [TearDown]
    public void TearDown()
    {
        HipVisionWarnings.Sink = null!;
        _tmp.Dispose();
    }

    // A file per worker thread, so HV_FUZZ_THREADS > 1 works.
    string CaseFile(string name) => _tmp.File($"t{Environment.CurrentManagedThreadId}-{name}");

    /// <summary>Reads what a model would read: every small tensor, converted (tensors the config never asks for are skipped by Get's shape check first).</summary>
    const long MaxElementsRead = 1 << 20;

    [Test]
    public void SafeTensors_mutatedFiles_readOrRefused() =>
        FuzzHarness.Run("safetensors", FuzzSeeds.SafeTensors(_tmp), input =>
        {
            var path = CaseFile("f.safetensors");
            File.WriteAllBytes(path, input);
            using var file = SafeTensorsFile.Open(path);
            foreach (var t in file.Tensors.Where(t => t.ElementCount <= MaxElementsRead))
                if (t.Dtype.IsFloat()) file.ReadFloat32(t.Name);
                else _ = file.Bytes(t.Name).Length;
        }, ciIterations: 2000);

    [Test]
    public void ShardIndex_mutatedJson_readOrRefused()
    {
        var dir = _tmp.File("shards");
        Directory.CreateDirectory(dir);
        new SafeTensorsWriter().Add("a", [1f, 2f], [2]).Write(Path.Combine(dir, "s1.safetensors"));
        new SafeTensorsWriter().Add("b", [3f], [1]).Add("c", [4f], [1]).Write(Path.Combine(dir, "s2.safetensors"));
        FuzzHarness.Run("index", FuzzSeeds.ShardIndexes(), input =>
        {
            var index = Path.Combine(dir, $"t{Environment.CurrentManagedThreadId}-model.safetensors.index.json");
            File.WriteAllBytes(index, input);
            using var weights = WeightFiles.Open(index);
            foreach (var name in weights.Names.Take(16))
                if (weights.Contains(name)) _ = weights.Get(name, name == "a" ? [2] : [1]);
        }, ciIterations: 1500);
    }

    [Test]
    public void Npy_mutatedFiles_readOrRefused() =>
        FuzzHarness.Run("npy", FuzzSeeds.Npy(), input =>
        {
            var array = NpyFile.Parse(input, "fuzz.npy");
            if (array.Dtype == "<f4") array.ToFloat32("fuzz.npy");
        }, ciIterations: 5000);

    [Test]
    public void PyTorchZip_mutatedArchives_readOrRefused() =>
        FuzzHarness.Run("pytorch-zip", FuzzSeeds.CheckpointZips(_tmp), input =>
        {
            var path = CaseFile("pytorch_model.bin");
            File.WriteAllBytes(path, input);
            ReadCheckpoint(path);
        }, ciIterations: 1000);

    [Test]
    public void PyTorchPickle_mutatedPickles_readOrRefused()
    {
        var seeds = FuzzSeeds.Pickles();
        var pickles = seeds.Select(s => s.Pickle).ToArray();
        FuzzHarness.Run("pickle", pickles, input =>
        {
            // The storages of the seed the input came from are unknown after a splice; give every case all of them.
            var storages = new Dictionary<string, byte[]>();
            foreach (var (_, s) in seeds)
                foreach (var (k, v) in s) storages.TryAdd(k, v);
            var path = TorchPickle.WriteCheckpoint(CaseFile("pytorch_model.bin"), input, storages);
            ReadCheckpoint(path);
        }, ciIterations: 1000);
    }

    static void ReadCheckpoint(string path)
    {
        using var checkpoint = PyTorchCheckpoint.Open(path);
        foreach (var t in checkpoint.Tensors.Where(t => t.ElementCount <= MaxElementsRead))
            if (t.Dtype.IsFloat()) checkpoint.ReadFloat32(t.Name);
            else checkpoint.ReadBytes(t.Name);
    }

    [Test]
    public void ConfigJson_mutatedConfigs_readOrRefused() =>
        FuzzHarness.Run("config", FuzzSeeds.Configs(), input =>
        {
            var config = ModelConfig.Parse(Encoding.UTF8.GetString(input), "fuzz/config.json");
            _ = (config.InputSize, config.NumLabels);
            if (config is EfficientNetConfig e) _ = e.Blocks.Count;
        }, ciIterations: 2000);

    [Test]
    public void PreprocessorJson_mutatedConfigs_readOrRefused()
    {
        var image = ImageLoader.Load(Imaging.TestImageFiles.Bmp(7, 5, new byte[105]), "tiny.bmp");
        FuzzHarness.Run("preprocessor", FuzzSeeds.PreprocessorConfigs(), input =>
        {
            var config = PreprocessorConfig.Parse(Encoding.UTF8.GetString(input), "fuzz/preprocessor_config.json");
            var processor = new ImageProcessor(config);
            var (h, w) = processor.OutputSizeFor(image.Width, image.Height);
            if ((long)h * w <= MaxElementsRead) processor.Preprocess(image);
        }, ciIterations: 1000);
    }

    [Test]
    public void Image_mutatedFiles_decodedOrRefusedFromTheHeader() =>
        // A 1 MP limit, so every accepted decode is small and every larger header must be refused before decoding.
        FuzzHarness.Run("image", FuzzSeeds.Images(), input => ImageLoader.Load(input, "fuzz.img", maxPixels: 1 << 20), ciIterations: 2000);
}
