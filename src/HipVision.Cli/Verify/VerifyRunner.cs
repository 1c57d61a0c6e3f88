using System.Diagnostics;
using HipVision.Backends;
using HipVision.Backends.Hip;
using HipVision.IO;
using HipVision.Models;
using HipVision.Verification;
using HipVision.Weights;

namespace HipVision.Cli.Verify;

/// <summary>
/// Runs the verify checks on the CPU backend and (when present) the HIP backend: every <see cref="OpCases"/> op against the
/// float64 evaluator, then every fixture model against transformers' logits (and the HIP logits against the CPU ones).
/// Ops and models the HIP backend does not run yet are skipped rows, not failures. At fp16/bf16 (the HIP backend's storage
/// <paramref name="precision"/>; the CPU backend is then absent, it computes in fp32 only) every check passes on the stated
/// tolerance of <see cref="Precisions.Tolerance"/>: ‖Δ‖/‖ref‖ for ops, the fixtures' per-image rules for logits.
/// </summary>
sealed class VerifyRunner(IBackend? cpu, HipBackend? hip, Precision precision, Func<string, string, bool> selected)
{
    public List<VerifyRow> Rows { get; } = [];

    IEnumerable<(string Name, IBackend? Backend)> Backends => [("cpu", cpu), ("hip", hip)];

    public void RunOps(Action? advance = null)
    {
        foreach (var c in OpCases.All)
        {
            if (!selected(c.Name, c.Family)) continue;
            var (graph, input) = c.Build(new Random(StableSeed(c.Family + "/" + c.Name)));
            double[]? want = null;
            foreach (var (name, backend) in Backends)
            {
                VerifyRow Row(VerifyStatus status, double maxAbs, double rel, string note, double ms = double.NaN) =>
                    new("op", c.Family, c.Name, c.Shape, name, "float64", status, maxAbs, rel, note, ms);
                if (backend is null) continue;   // the report's header says why there is no HIP column
                if (backend is HipBackend && HipBackend.Unsupported(graph) != null)
                {
                    Rows.Add(Row(VerifyStatus.Skipped, double.NaN, double.NaN, "not yet on this backend"));
                    continue;
                }
                want ??= Float64Evaluator.Run(graph, input)["y"];
                try
                {
                    var clock = Stopwatch.StartNew();
                    using var plan = backend.Compile(graph);
                    plan.Run(input);
                    var got = new float[want.Length];
                    plan.CopyOutput("y", got);
                    double ms = clock.Elapsed.TotalMilliseconds;
                    Rows.Add(OpRow(Row, c, got, want, ms));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Rows.Add(Row(VerifyStatus.Fail, double.NaN, double.NaN, Describe(e)));
                }
            }
            advance?.Invoke();
        }
    }

    /// <summary>
    /// fp32: STYLE.md's elementwise rule of the op's class. fp16/bf16: ‖Δ‖/‖ref‖ within the precision's tolerance (a value rounded
    /// to 11 or 8 significant bits breaks any elementwise 1e-5 rule; the norm is what the tolerance states).
    /// </summary>
    VerifyRow OpRow(Func<VerifyStatus, double, double, string, double, VerifyRow> row, OpCase c, float[] got, double[] want, double ms)
    {
        var cmp = Comparison.Of(got, want, c.Atol, c.Rtol);
        if (precision != Precision.Fp32)
        {
            double tol = precision.Tolerance();
            return cmp.Rel <= tol && double.IsFinite(cmp.MaxAbs)
                ? row(VerifyStatus.Pass, cmp.MaxAbs, cmp.Rel, "", ms)
                : row(VerifyStatus.Fail, cmp.MaxAbs, cmp.Rel, $"‖Δ‖/‖ref‖ {cmp.Rel:E2} > {tol:E0} ({precision.Name()})", ms);
        }
        return cmp.Bad == 0
            ? row(VerifyStatus.Pass, cmp.MaxAbs, cmp.Rel, "", ms)
            : row(VerifyStatus.Fail, cmp.MaxAbs, cmp.Rel, $"{cmp.Bad} of {got.Length} outside {c.Atol:E0} + {c.Rtol:E0}·|ref|, first [{cmp.FirstBad}] {got[cmp.FirstBad]:G7} vs {want[cmp.FirstBad]:G7}", ms);
    }

    /// <summary>
    /// Every model folder under <paramref name="modelsDir"/> with config.json and logits.npy: tiny models from their
    /// model.safetensors and pixel_values.npy; full-size ones (hv-synth-v2 weights, pixel_values.npy.gz) only with
    /// <paramref name="fullSize"/>. Tolerance: the fixtures' criterion (per image: max|Δ| ≤ tol·max|ref|, ‖Δ‖/‖ref‖ ≤ tol, identical
    /// top-1) with tol the precision's (1e-4 at fp32).
    /// </summary>
    public void RunFixtures(string modelsDir, bool fullSize, Action? advance = null)
    {
        foreach (var dir in Directory.GetDirectories(modelsDir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (!selected(name, name) || !File.Exists(Path.Combine(dir, "config.json")) || !File.Exists(Path.Combine(dir, "logits.npy"))) continue;
            bool tiny = File.Exists(Path.Combine(dir, "model.safetensors")) && File.Exists(Path.Combine(dir, "pixel_values.npy"));
            if (!tiny && !fullSize) continue;
            var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
            var pixels = NpyFile.ReadFloat32(Path.Combine(dir, tiny ? "pixel_values.npy" : "pixel_values.npy.gz"), out var shape);
            var want = NpyFile.ReadFloat32(Path.Combine(dir, "logits.npy"), out _);
            using IWeightSource weights = tiny ? SafeTensorsWeights.Open(dir) : new SyntheticWeights(SyntheticSeed(dir));
            var graph = config.BuildGraph(weights, shape[0]);
            string shapeText = $"{config.ModelType}, pixel_values [{string.Join(",", shape)}]";
            VerifyRow Row(string backend, string reference, VerifyStatus status, double maxAbs, double rel, string note, double ms = double.NaN) =>
                new("model", config.ModelType, name, shapeText, backend, reference, status, maxAbs, rel, note, ms);

            float[]? cpuLogits = null;
            foreach (var (backendName, backend) in Backends)
            {
                if (backend is null) continue;
                if (backend is HipBackend && HipBackend.Unsupported(graph) is { } why)
                {
                    Rows.Add(Row(backendName, "transformers", VerifyStatus.Skipped, double.NaN, double.NaN, $"not yet on this backend ({FirstWords(why)})"));
                    continue;
                }
                try
                {
                    var clock = Stopwatch.StartNew();
                    using var plan = backend.Compile(graph);
                    plan.Run(pixels);
                    var got = new float[want.Length];
                    plan.CopyOutput("logits", got);
                    double ms = clock.Elapsed.TotalMilliseconds;
                    Rows.Add(LogitsRow(Row, backendName, "transformers", got, want, config.NumLabels, ms));
                    if (backend == cpu) cpuLogits = got;
                    else if (cpuLogits != null) Rows.Add(LogitsRow(Row, backendName, "cpu backend", got, cpuLogits, config.NumLabels, ms));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Rows.Add(Row(backendName, "transformers", VerifyStatus.Fail, double.NaN, double.NaN, Describe(e)));
                }
            }
            advance?.Invoke();
        }
    }

    VerifyRow LogitsRow(Func<string, string, VerifyStatus, double, double, string, double, VerifyRow> row, string backend, string reference,
        float[] got, float[] want, int labels, double ms)
    {
        var (maxAbs, rel, failure) = Comparison.Logits(got, want, labels, precision.Tolerance(), precision.TopClassTie());
        return row(backend, reference, failure is null ? VerifyStatus.Pass : VerifyStatus.Fail, maxAbs, rel, failure ?? "", ms);
    }

    /// <summary>A failure as one line: HipVision's own message, or the exception type and message of anything else (a bug).</summary>
    static string Describe(Exception e) => (e is HipVisionException ? e.Message : $"{e.GetType().Name}: {e.Message}").ReplaceLineEndings(" ");

    /// <summary>"the HIP backend does not support Conv2d ..." → "Conv2d".</summary>
    static string FirstWords(string why)
    {
        const string prefix = "the HIP backend does not support ";
        if (!why.StartsWith(prefix, StringComparison.Ordinal)) return why;
        var rest = why[prefix.Length..];
        int end = rest.IndexOf(' ');
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The hv-synth-v2 seed of a full-size fixture (fixture.json's "seed"; 1, the fixtures' seed, when absent).</summary>
    static ulong SyntheticSeed(string dir)
    {
        var path = Path.Combine(dir, "fixture.json");
        if (!File.Exists(path)) return 1;
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("seed", out var seed) ? seed.GetUInt64() : 1;
    }

    /// <summary>FNV-1a of the case name: the same inputs on every run and machine.</summary>
    static int StableSeed(string name)
    {
        uint h = 2166136261;
        foreach (char ch in name) h = (h ^ ch) * 16777619;
        return (int)(h & 0x7fffffff);
    }
}
