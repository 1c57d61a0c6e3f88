using System.Text.Json;

namespace HipVision.Tests.Cli;

/// <summary>
/// <c>hipvision verify</c> through the real command on the emulator library, restricted with --only to a few ops and the tiny
/// fixtures so each run stays short (the full table takes about a minute on the emulator).
/// </summary>
public class VerifyCommandTests
{
    [Test]
    public void Verify_backendHipJson_passesViTAndConvnetOpsStandaloneActivationsAndTinyModels()
    {
        var r = CliRunner.Run(HipBackendCliTests.WithLibrary, "verify", "--backend", "hip", "--json",
            "--only", "layer_norm,cls_token_slice,attention_relative_bias,conv2d_stem,depthwise_conv2d_5x5,pointwise_conv2d,squeeze_excite,global_avg_pool,silu," +
            "tiny-vit,tiny-beit,tiny-mobilenet,tiny-efficientnet");
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        var o = doc.RootElement;
        Assert.That(o.GetProperty("backend").GetString(), Is.EqualTo("hip"), r.Stdout);
        Assert.That(o.GetProperty("device").GetString(), Does.StartWith(HipBackendCliTests.DevicePrefix), r.Stdout);
        Assert.That(o.GetProperty("failed").GetInt32(), Is.EqualTo(0), r.Stdout);
        var checks = o.GetProperty("checks").EnumerateArray().ToArray();
        JsonElement Check(string name, string backend, string reference) =>
            checks.Single(c => c.GetProperty("name").GetString() == name && c.GetProperty("backend").GetString() == backend && c.GetProperty("reference").GetString() == reference);

        foreach (var backend in new[] { "cpu", "hip" })
            foreach (var op in new[] { "layer_norm", "cls_token_slice", "attention_relative_bias" })
            {
                var c = Check(op, backend, "float64");
                Assert.That(c.GetProperty("result").GetString(), Is.EqualTo("pass"), $"{op} on {backend}");
                Assert.That(c.GetProperty("max_abs_error").GetDouble(), Is.LessThan(1e-4), $"{op} on {backend}");
                Assert.That(c.GetProperty("rel_error").GetDouble(), Is.LessThan(1e-5), $"{op} on {backend}");
            }
        foreach (var op in new[] { "conv2d_stem", "depthwise_conv2d_5x5", "pointwise_conv2d", "squeeze_excite" })
            foreach (var backend in new[] { "cpu", "hip" })
            {
                var c = Check(op, backend, "float64");
                Assert.That(c.GetProperty("result").GetString(), Is.EqualTo("pass"), $"{op} on {backend}");
                Assert.That(c.GetProperty("rel_error").GetDouble(), Is.LessThan(1e-5), $"{op} on {backend}");
            }
        var pools = checks.Where(c => c.GetProperty("name").GetString() == "global_avg_pool" && c.GetProperty("backend").GetString() == "hip").ToArray();
        Assert.That(pools, Has.Length.EqualTo(2), "MobileNetV1's and EfficientNet's pools");
        Assert.That(pools.Select(c => c.GetProperty("result").GetString()), Is.All.EqualTo("pass"));
        // A standalone activation (never unfused in the models) runs as hv_activate.
        Assert.That(Check("silu", "hip", "float64").GetProperty("result").GetString(), Is.EqualTo("pass"));
        Assert.That(o.GetProperty("skipped").GetInt32(), Is.EqualTo(0), r.Stdout);
        foreach (var model in new[] { "tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet" })
        {
            Assert.That(Check(model, "cpu", "transformers").GetProperty("result").GetString(), Is.EqualTo("pass"), model);
            Assert.That(Check(model, "hip", "transformers").GetProperty("result").GetString(), Is.EqualTo("pass"), model);
            Assert.That(Check(model, "hip", "cpu backend").GetProperty("rel_error").GetDouble(), Is.LessThanOrEqualTo(1e-4), model);
        }
    }

    [Test]
    public void Verify_textOutput_tableWithDeviceAndSummary()
    {
        var r = CliRunner.Run(HipBackendCliTests.WithLibrary, "verify", "--backend", "hip", "--only", "gelu,relu6,batch_norm");
        CliAssert.Ok(r);
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.That(lines[1], Does.StartWith("hip: " + HipBackendCliTests.DevicePrefix), r.Stdout);
        Assert.That(lines.Single(l => l.StartsWith("family")), Does.Contain("max|Δ|").And.Contain("‖Δ‖/‖ref‖"), r.Stdout);
        Assert.That(lines[2], Does.StartWith("precision: fp32"), r.Stdout);
        foreach (var op in new[] { " relu6 ", " gelu ", " batch_norm " })
            Assert.That(lines.Where(l => l.Contains(op) && l.Contains(" hip ")).Single(), Does.Contain("pass"), r.Stdout);
        Assert.That(lines[^1], Does.Match(@"^\d+ passed, 0 failed, 0 skipped$"), r.Stdout);
    }

    [Test]
    public void Verify_autoWithEmulatorLibrary_checksCpuOnlyAndSaysWhy()
    {
        HipBackendCliTests.RequireEmulatorLibrary();
        var r = CliRunner.Run(HipBackendCliTests.WithLibrary, "verify", "--json", "--only", "softmax");
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.That(doc.RootElement.GetProperty("backend").GetString(), Is.EqualTo("cpu"), r.Stdout);
        Assert.That(doc.RootElement.GetProperty("hip_unavailable").GetString(), Does.Contain("emulator build"), r.Stdout);
        Assert.That(doc.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("backend").GetString()), Is.All.EqualTo("cpu"));
    }

    [Test]
    public void Verify_backendHipWithoutLibrary_oneErrorLine() =>
        CliAssert.RuntimeError(CliRunner.Run(HipBackendCliTests.WithoutLibrary, "verify", "--backend", "hip", "--only", "gelu"),
            "the HIP backend is not available", "cannot load the native library", "Tried:");

    [Test]
    public void Verify_missingFixturesFolder_oneErrorLineNamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "hv-no-fixtures-" + Guid.NewGuid().ToString("N"));
        CliAssert.RuntimeError(CliRunner.Run("verify", "--backend", "cpu", "--fixtures", missing, "--only", "gelu"), missing, "no such fixture folder");
    }

    [Test]
    public void Verify_fixturesFromAnotherWorkingDirectory_foundNextToTheExecutable()
    {
        // From /tmp the current directory has no tests/fixtures above it; the executable's build folder does.
        var r = CliRunner.Run(["verify", "--backend", "cpu", "--json", "--only", "tiny-vit"], Path.GetTempPath(), CliRunner.DefaultTimeout);
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.That(doc.RootElement.GetProperty("fixtures").GetString(), Is.EqualTo(Path.Combine(Fixtures.Root, "models")), r.Stdout);
        Assert.That(doc.RootElement.GetProperty("checks").EnumerateArray().Single().GetProperty("result").GetString(), Is.EqualTo("pass"));
    }
}
