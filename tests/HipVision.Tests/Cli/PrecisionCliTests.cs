using System.Text.Json;
using HipVision.IO;
using HipVision.Tests.Reference;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// <c>--precision</c> through the real commands: fp16/bf16 run on the HIP backend (the emulator library via HIPVISION_NATIVE_PATH),
/// are a one-line usage error on the CPU backend and under auto without a GPU library, and verify/bench name the precision.
/// </summary>
public class PrecisionCliTests
{
    static string TinyVit => Fixtures.Model("tiny-vit");

    static readonly IReadOnlyDictionary<string, string?> WithLibrary = HipBackendCliTests.WithLibrary;

    [TestCase("run")]
    [TestCase("classify")]
    [TestCase("bench")]
    [TestCase("verify")]
    public void Bf16_onTheCpuBackend_isAOneLineUsageError(string command)
    {
        string[] args = command switch
        {
            "run" => ["run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", "unused.npy"],
            "classify" => ["classify", Imaging.ImagingFixtures.ImageFile(Imaging.ImagingFixtures.Stems[0]), "--model", TinyVit],
            "bench" => ["bench", "--model", TinyVit],
            _ => ["verify"],
        };
        var r = CliRunner.Run([.. args, "--precision", "bf16", "--backend", "cpu"]);
        CliAssert.UsageError(r, "--precision bf16 needs a GPU", "fp32 only");
        Assert.That(r.StderrLines, Has.Length.EqualTo(1), r.ToString());
    }

    [Test]
    public void Fp16_autoWithTheEmulatorLibrary_isAUsageErrorSayingItNeedsAGpu()
    {
        HipBackendCliTests.RequireEmulatorLibrary();
        var r = CliRunner.Run(WithLibrary, "run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", "unused.npy", "--precision", "fp16");
        CliAssert.UsageError(r, "--precision fp16 needs a GPU", "emulator");
        Assert.That(r.StderrLines, Has.Length.EqualTo(1), r.ToString());
    }

    [Test]
    public void UnknownPrecision_isAUsageError() =>
        CliAssert.UsageError(CliRunner.Run("bench", "--model", TinyVit, "--precision", "fp8"), "unknown precision 'fp8'");

    [Test]
    public void Run_fp16OnHip_logitsWithinTheStatedTolerance()
    {
        using var tmp = new TempDir();
        var output = tmp.File("logits.npy");
        CliAssert.Ok(CliRunner.Run(WithLibrary, "run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output,
            "--backend", "hip", "--precision", "fp16"));
        var want = NpyFile.Read(Path.Combine(TinyVit, "logits.npy"));
        TensorAssert.ModelOutput(NpyFile.Read(output).ToFloat32(output), want.ToFloat32("logits.npy"), want.Shape[^1], Precision.Fp16.Tolerance(), "tiny-vit fp16 via run");
    }

    [TestCase(null, "fp32")]
    [TestCase("bf16", "bf16")]
    public void BenchJson_namesThePrecision(string? given, string reported)
    {
        string[] args = ["bench", "--model", TinyVit, "--iterations", "1", "--json", "--backend", "hip"];
        var r = CliRunner.Run(WithLibrary, given is null ? args : [.. args, "--precision", given]);
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.That(doc.RootElement.GetProperty("precision").GetString(), Is.EqualTo(reported), r.Stdout);
    }

    [Test]
    public void Verify_hipFp16_passesTheOpsAndTinyModelsAtTheStatedTolerance()
    {
        var r = CliRunner.Run(WithLibrary, "verify", "--backend", "hip", "--precision", "fp16", "--json",
            "--only", "layer_norm,attention,batch_norm,relu6,silu,sigmoid,squeeze_excite,tiny-vit,tiny-beit,tiny-mobilenet,tiny-efficientnet");
        CliAssert.Ok(r);
        TestContext.Out.WriteLine(r.Stdout);
        using var doc = JsonDocument.Parse(r.Stdout);
        var o = doc.RootElement;
        Assert.That(o.GetProperty("precision").GetString(), Is.EqualTo("fp16"), r.Stdout);
        Assert.That(o.GetProperty("tolerance").GetDouble(), Is.EqualTo(Precision.Fp16.Tolerance()), r.Stdout);
        Assert.That(o.TryGetProperty("cpu_threads", out _), Is.False, "the CPU backend does not run at fp16");
        Assert.That(o.GetProperty("failed").GetInt32(), Is.EqualTo(0), r.Stdout);
        Assert.That(o.GetProperty("skipped").GetInt32(), Is.EqualTo(0), r.Stdout);
        var checks = o.GetProperty("checks").EnumerateArray().ToArray();
        Assert.That(checks.Select(c => c.GetProperty("backend").GetString()), Is.All.EqualTo("hip"));
        var names = checks.Select(c => c.GetProperty("name").GetString()).ToArray();
        Assert.That(names, Is.SupersetOf(new[] { "batch_norm", "relu6", "silu", "sigmoid", "tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet" }));
        foreach (var c in checks.Where(c => c.GetProperty("kind").GetString() == "model"))
            Assert.That(c.GetProperty("rel_error").GetDouble(), Is.LessThanOrEqualTo(Precision.Fp16.Tolerance()), c.GetProperty("name").GetString());
    }

    [Test]
    public void Verify_textHeader_namesThePrecision()
    {
        var r = CliRunner.Run(WithLibrary, "verify", "--backend", "hip", "--precision", "bf16", "--only", "gelu");
        CliAssert.Ok(r);
        var lines = r.Stdout.Split('\n');
        Assert.That(lines[0], Does.StartWith("cpu: not checked: bf16 runs on the GPU only"), r.Stdout);
        Assert.That(lines[2], Does.StartWith("precision: bf16 (tolerance"), r.Stdout);
    }
}
