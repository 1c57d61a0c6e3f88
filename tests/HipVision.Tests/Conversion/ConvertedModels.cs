using System.Text.Json;
using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Conversion;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Weights;

namespace HipVision.Tests.Conversion;

/// <summary>What the conversion tests share: the fixture models, running a graph, and comparing outputs bit for bit.</summary>
static class ConvertedModels
{
    /// <summary>Every tiny fixture model (weights in the fixture, hidden states from transformers).</summary>
    public static readonly string[] TinyModels = ["tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet"];

    /// <summary>The stated tolerances of narrowed files: ‖Δ‖/‖ref‖ of the logits against the fp32 model, per image.</summary>
    public const double Fp16Tolerance = 1e-2, Bf16Tolerance = 3e-2;

    /// <summary>A preset's config.json text, as synth writes it.</summary>
    public static string ConfigJson(ModelConfig config)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true })) config.WriteJson(w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Converts hv-synth-v2 seed 1 weights of a preset into <paramref name="output"/>.</summary>
    public static void ConvertSynthetic(ModelConfig config, string output, Precision precision)
    {
        using var synthetic = new SyntheticWeights(1);
        ModelConverter.Convert(config, ConfigJson(config), config.DefaultPreprocessorJson, synthetic, output, precision);
    }

    /// <summary>Compiles the model on the CPU and runs it; returns every output by name.</summary>
    public static Dictionary<string, float[]> Run(ModelConfig config, IWeightSource weights, float[] pixels, int batch, bool hiddenStates = false)
    {
        using IExecutionPlan plan = new CpuBackend(2).Compile(config.BuildGraph(weights, batch, hiddenStates));
        plan.Run(pixels);
        return plan.Outputs.ToDictionary(o => o.Name, o =>
        {
            var data = new float[HipVision.Graph.ShapeMath.Count(o.Shape)];
            plan.CopyOutput(o.Name, data);
            return data;
        });
    }

    /// <summary>Equal bit patterns, element by element; the message names the first difference.</summary>
    public static void BitIdentical(float[] got, float[] want, string what)
    {
        Assert.That(got, Has.Length.EqualTo(want.Length), what);
        for (int i = 0; i < want.Length; i++)
            if (BitConverter.SingleToInt32Bits(got[i]) != BitConverter.SingleToInt32Bits(want[i]))
                Assert.Fail($"{what}: first difference at {i}: got {got[i]:R}, want {want[i]:R}");
    }

    /// <summary>
    /// Per image (rows of <paramref name="labels"/>): ‖Δ‖/‖ref‖ within <paramref name="tolerance"/> and the same argmax.
    /// Returns the worst ratio, which the tests print.
    /// </summary>
    public static double Close(float[] got, float[] want, int labels, double tolerance, string what)
    {
        double worst = 0;
        for (int start = 0; start < want.Length; start += labels)
        {
            var g = got.AsSpan(start, labels);
            var w = want.AsSpan(start, labels);
            double diff = 0, norm = 0;
            for (int i = 0; i < labels; i++)
            {
                diff += (g[i] - (double)w[i]) * (g[i] - (double)w[i]);
                norm += (double)w[i] * w[i];
            }
            double ratio = Math.Sqrt(diff / norm);
            worst = Math.Max(worst, ratio);
            Assert.That(ratio, Is.LessThanOrEqualTo(tolerance), $"{what}, image {start / labels}: ‖Δ‖/‖ref‖");
            Assert.That(TensorAssert.ArgMax(g), Is.EqualTo(TensorAssert.ArgMax(w)), $"{what}, image {start / labels}: argmax");
        }
        TestContext.Out.WriteLine($"{what}: max ‖Δ‖/‖ref‖ over images {worst:E2} (tolerance {tolerance:E0}), argmax identical");
        return worst;
    }

    /// <summary>SHA-256 of every file of a folder (or of one file), to show an input was not changed.</summary>
    public static Dictionary<string, string> Hashes(string path) =>
        (File.Exists(path) ? [path] : Directory.GetFiles(path)).ToDictionary(
            f => Path.GetFileName(f), f => System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>A copy of a fixture folder, so a test that might write into it never touches the fixture.</summary>
    public static string CopyOf(string fixture, string into)
    {
        Directory.CreateDirectory(into);
        foreach (var f in Directory.GetFiles(fixture)) File.Copy(f, Path.Combine(into, Path.GetFileName(f)));
        return into;
    }
}
