using System.Text.Json;
using HipVision.IO;
using HipVision.Tests.Imaging;
using HipVision.Tests.Reference;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// <c>--backend hip|auto</c> through the real command. The CLI's build folder has no libhipvision, so these runs point
/// HIPVISION_NATIVE_PATH at the emulator library the test project copies next to the tests (or clear it, to see the
/// resolver's trace). Tiny models only: the emulator runs kernels on the CPU.
/// </summary>
public class HipBackendCliTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string TinyVit => Fixtures.Model("tiny-vit");

    /// <summary>The emulator library next to the test assembly, where HIPVISION_NATIVE_PATH sends the CLI.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> WithLibrary = new Dictionary<string, string?> { ["HIPVISION_NATIVE_PATH"] = AppContext.BaseDirectory };

    internal static readonly IReadOnlyDictionary<string, string?> WithoutLibrary = new Dictionary<string, string?> { ["HIPVISION_NATIVE_PATH"] = null };

    /// <summary>How the device's name starts: "emulator" under the test build of the library, else the vendor build ("amd", "nvidia").</summary>
    internal static string DevicePrefix => HipVision.Backends.Hip.HipBackend.LibraryBackend;

    /// <summary>For tests of what auto does when the only library is the emulator build.</summary>
    internal static void RequireEmulatorLibrary()
    {
        if (DevicePrefix != "emulator") Assert.Ignore($"the library next to the tests is a GPU build ({DevicePrefix}); auto takes it");
    }

    [Test]
    public void Run_backendHip_tinyVitLogitsMatchTransformers()
    {
        var output = _tmp.File("logits.npy");
        CliAssert.Ok(CliRunner.Run(WithLibrary, "run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output, "--backend", "hip"));
        var got = NpyFile.Read(output);
        var want = NpyFile.Read(Path.Combine(TinyVit, "logits.npy"));
        Assert.That(got.Shape, Is.EqualTo(want.Shape));
        TensorAssert.ModelOutput(got.ToFloat32(output), want.ToFloat32("logits.npy"), want.Shape[^1], 1e-4, "tiny-vit logits from hipvision run --backend hip");
    }

    [TestCase("tiny-vit")]
    [TestCase("tiny-efficientnet")]
    public void Classify_backendHipJson_namesBackendAndDeviceAndAgreesWithCpu(string model)
    {
        // On hip, classify preprocesses on the device (hv_preprocess) and runs the model there; the CPU does both on the host.
        string image = ImagingFixtures.ImageFile(ImagingFixtures.Stems[0]);
        var hip = CliRunner.Run(WithLibrary, "classify", image, "--model", Fixtures.Model(model), "--top", "3", "--json", "--backend", "hip");
        CliAssert.Ok(hip);
        var cpu = CliRunner.Run("classify", image, "--model", Fixtures.Model(model), "--top", "3", "--json", "--backend", "cpu");
        CliAssert.Ok(cpu);
        using var doc = JsonDocument.Parse(hip.Stdout);
        var first = doc.RootElement[0];
        Assert.That(first.GetProperty("backend").GetString(), Is.EqualTo("hip"), hip.Stdout);
        Assert.That(first.GetProperty("device").GetString(), Does.StartWith(DevicePrefix), hip.Stdout);
        using var cpuDoc = JsonDocument.Parse(cpu.Stdout);
        Assert.That(cpuDoc.RootElement[0].GetProperty("backend").GetString(), Is.EqualTo("cpu"));
        var (h, c) = (ClassifyJson.Parse(hip.Stdout)[0].Predictions, ClassifyJson.Parse(cpu.Stdout)[0].Predictions);
        Assert.That(h.Select(p => p.ClassId), Is.EqualTo(c.Select(p => p.ClassId)), "same ranking on both backends");
        for (int i = 0; i < h.Count; i++) Assert.That(h[i].Probability, Is.EqualTo(c[i].Probability).Within(1e-5));
    }

    [Test]
    public void Classify_autoVerbose_emulatorLibrary_picksCpuAndSaysWhy()
    {
        RequireEmulatorLibrary();
        string image = ImagingFixtures.ImageFile(ImagingFixtures.Stems[0]);
        var r = CliRunner.Run(WithLibrary, "classify", image, "--model", TinyVit, "--json", "--verbose");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StderrLines, Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.StderrLines[0], Does.StartWith("backend: cpu (auto: ").And.Contain("emulator build"), r.ToString());
        Assert.That(JsonDocument.Parse(r.Stdout).RootElement[0].GetProperty("backend").GetString(), Is.EqualTo("cpu"));
    }

    [Test]
    public void Run_backendHipVerbose_saysHipAndTheDevice()
    {
        var r = CliRunner.Run(WithLibrary, "run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", _tmp.File("l.npy"), "--backend", "hip", "--verbose");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stderr.TrimEnd(), Does.StartWith($"backend: hip (requested, {DevicePrefix}"), r.ToString());
        Assert.That(r.StderrLines, Has.Length.EqualTo(1), r.ToString());
    }

    [Test]
    public void Run_backendHipWithoutLibrary_oneErrorLineWithTheResolversTrace()
    {
        var output = _tmp.File("logits.npy");
        var r = CliRunner.Run(WithoutLibrary, "run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output, "--backend", "hip");
        var cliDir = Path.GetDirectoryName(CliRunner.CliDll)!;
        CliAssert.RuntimeError(r, "the HIP backend is not available", "cannot load the native library libhipvision.so", "HIPVISION_NATIVE_PATH", "Tried:",
            Path.Combine(cliDir, "libhipvision.so") + " (not found)");
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Run_autoWithoutLibrary_runsOnCpu()
    {
        var output = _tmp.File("logits.npy");
        var r = CliRunner.Run(WithoutLibrary, "run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output, "-v");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stderr, Does.StartWith("backend: cpu (auto: the native GPU library is not installed"), r.ToString());
        Assert.That(File.Exists(output));
    }

    [Test]
    public void Bench_backendHipJson_reportsHipAndDevice()
    {
        var r = CliRunner.Run(WithLibrary, "bench", "--model", TinyVit, "--iterations", "1", "--json", "--backend", "hip");
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.That(doc.RootElement.GetProperty("backend").GetString(), Is.EqualTo("hip"), r.Stdout);
        Assert.That(doc.RootElement.GetProperty("device").GetString(), Does.StartWith(DevicePrefix), r.Stdout);
        Assert.That(doc.RootElement.GetProperty("arena_bytes").GetInt64(), Is.GreaterThan(0), r.Stdout);
        // The warm-up run captured the graph: its launch count, and the host time of one replay call.
        Assert.That(doc.RootElement.GetProperty("launches_per_image").GetDouble(), Is.GreaterThan(10), r.Stdout);
        double overhead = doc.RootElement.GetProperty("host_overhead_ms").GetDouble();
        Assert.That(overhead, Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(doc.RootElement.GetProperty("median_ms").GetDouble()), r.Stdout);
    }

    [Test]
    public void Bench_backendHipEfficientNet_reportsPlanBuildAndTuning()
    {
        // The tiny EfficientNet's stem is a dense conv, prepared at plan build. Under the emulator library there is no vendor
        // convolution: nothing to tune, nothing written to the cache directory named by HIPVISION_TUNING_CACHE.
        string cache = _tmp.File("tuning");
        var env = new Dictionary<string, string?>(WithLibrary) { ["HIPVISION_TUNING_CACHE"] = cache };
        var r = CliRunner.Run(env, "bench", "--model", Fixtures.Model("tiny-efficientnet"), "--iterations", "1", "--json", "--backend", "hip");
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        var o = doc.RootElement;
        Assert.That(o.GetProperty("plan_build_ms").GetDouble(), Is.GreaterThan(0), r.Stdout);
        Assert.That(o.GetProperty("tuning_cache_dir").GetString(), Is.EqualTo(cache), r.Stdout);
        string tuning = o.GetProperty("tuning").GetString()!;
        var algorithms = o.GetProperty("conv_algorithms").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.That(algorithms, Has.Some.StartsWith("conv2d|1x3x"), "the stem, prepared at plan build: " + r.Stdout);
        if (DevicePrefix == "emulator")
        {
            Assert.That(tuning, Is.EqualTo("none"), r.Stdout);
            Assert.That(algorithms, Has.All.EndsWith(": direct"), r.Stdout);
            Assert.That(Directory.Exists(cache), Is.False, "nothing to tune, nothing written");
        }
        else Assert.That(tuning, Is.AnyOf("none", "cold", "warm"), r.Stdout);

        var off = new Dictionary<string, string?>(WithLibrary) { ["HIPVISION_TUNING_CACHE"] = "off" };
        var text = CliRunner.Run(off, "bench", "--model", Fixtures.Model("tiny-efficientnet"), "--iterations", "1", "--backend", "hip");
        CliAssert.Ok(text);
        var rows = text.Stdout.TrimEnd('\n').Split('\n').Where(l => l.Length > 18).ToDictionary(l => l[..18].TrimEnd(), l => l[18..].Trim());
        Assert.That(rows["plan build"], Does.Match(@"^\d+ ms, (nothing to tune|cold start|warm start)"), text.Stdout);
        if (DevicePrefix == "emulator") Assert.That(rows["plan build"], Does.Contain("nothing to tune"), text.Stdout);
    }
}
