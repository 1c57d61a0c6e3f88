using System.CommandLine;
using System.Text.Json;
using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Backends.Hip;
using HipVision.Cli.Verify;
using Spectre.Console;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision verify [--backend auto|cpu|hip] [--precision fp32|fp16|bf16] [--json] [--fixtures DIR] [--full-size] [--only NAMES]</c>:
/// checks a machine. Every op at the shapes of all four families against a float64 evaluation, on the CPU backend and the HIP
/// backend, then every fixture model against transformers' logits (and HIP against CPU). Ops the HIP backend does not run yet
/// are skipped rows. At fp16/bf16 only the HIP backend runs, against the same references with the precision's stated
/// tolerance. Prints the precision, the device and a pass/fail table with max |Δ|, ‖Δ‖/‖ref‖; exit 1 when any check fails.
/// </summary>
static class VerifyCommand
{
    public static Command Create()
    {
        var backend = new Option<string>("--backend") { Description = "auto (the GPU when present, not the emulator), cpu (CPU checks only) or hip (the native library, the emulator build included; an error without it)", DefaultValueFactory = _ => "auto" };
        var json = CommonOptions.Json();
        var fixtures = new Option<string>("--fixtures") { Description = "Fixture folder (tests/fixtures, holding models/); default: tests/fixtures above the current directory, else above the executable" };
        var fullSize = new Option<bool>("--full-size") { Description = "Also run the full-size fixture models (hv-synth-v2 weights; minutes on the emulator)" };
        var only = new Option<string[]>("--only") { Description = "Only these checks (comma-separated, case-insensitive): an op's name (layer_norm), or part of a family or model folder name (vit, tiny-beit)", AllowMultipleArgumentsPerToken = true };
        var precisionOption = CommonOptions.Precision();
        var threads = CommonOptions.Threads();
        var command = new Command("verify", "Check every op and fixture model on the CPU and GPU backends against references") { backend, precisionOption, json, fixtures, fullSize, only, threads };
        command.SetAction(r =>
        {
            string requested = r.GetValue(backend)!.ToLowerInvariant();
            if (requested is not ("auto" or "cpu" or "hip")) throw new UsageException($"unknown backend '{r.GetValue(backend)}' (expected auto, cpu or hip)");
            var precision = CommonOptions.ParsePrecision(r.GetValue(precisionOption)!, requested);
            int n = r.GetValue(threads);
            if (n < 0) throw new UsageException("--threads must be 0 (all cores) or more");
            var terms = (r.GetValue(only) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            bool Selected(string name, string group) => terms.Length == 0 ||
                terms.Any(t => name.Equals(t, StringComparison.OrdinalIgnoreCase) || group.Contains(t, StringComparison.OrdinalIgnoreCase));
            string? modelsDir = ModelsDirectory(r.GetValue(fixtures));

            HipBackend? hip = null;
            string? hipNote = null;
            switch (requested)
            {
                case "hip": hip = BackendSelector.OpenHip(precision); break;
                case "cpu": hipNote = "not requested (--backend cpu)"; break;
                default: hip = BackendSelector.TryOpenGpu(out var why, precision); hipNote = hip is null ? why : null; break;
            }
            if (hip is null && precision != Precision.Fp32) throw new HipVisionException(BackendSelector.GpuOnly(precision, hipNote!));
            using var _ = hip;
            var cpu = precision == Precision.Fp32 ? new CpuBackend(n) : null;   // the CPU computes in fp32 only
            var runner = new VerifyRunner(cpu, hip, precision, Selected);
            int work = OpCasesSelected(Selected) + (modelsDir is null ? 0 : Directory.GetDirectories(modelsDir).Length);
            ProgressDisplay.Run("verify", work, advance =>
            {
                runner.RunOps(() => advance(1));
                if (modelsDir != null) runner.RunFixtures(modelsDir, r.GetValue(fullSize), () => advance(1));
            });
            var report = new Report(hip is null ? "cpu" : "hip", precision, hip?.DeviceName, hipNote, cpu?.Threads, modelsDir, runner.Rows);
            if (r.GetValue(json)) report.WriteJson();
            else report.WriteText();
            return report.Failed > 0 ? CliHost.RuntimeError : CliHost.Ok;
        });
        return command;
    }

    static int OpCasesSelected(Func<string, string, bool> selected) => OpCases.All.Count(c => selected(c.Name, c.Family));

    /// <summary>The models/ folder of --fixtures (or the folder itself when it is one), or of the default location; null when there is none.</summary>
    static string? ModelsDirectory(string? given)
    {
        if (given is null) return FixtureLocator.Find() is { } found ? Path.Combine(found, "models") : null;
        if (Directory.Exists(Path.Combine(given, "models"))) return Path.Combine(given, "models");
        if (Directory.Exists(given)) return given;
        throw new HipVisionException($"{given}: no such fixture folder (expected tests/fixtures with models/ inside)");
    }

    sealed record Report(string Backend, Precision Precision, string? Device, string? HipNote, int? Threads, string? ModelsDir, List<VerifyRow> Rows)
    {
        public int Passed => Rows.Count(r => r.Status == VerifyStatus.Pass);
        public int Failed => Rows.Count(r => r.Status == VerifyStatus.Fail);
        public int Skipped => Rows.Count(r => r.Status == VerifyStatus.Skipped);

        static string Num(double v) => double.IsNaN(v) ? "-" : v.ToString("0.00e+00");

        static string Ms(double v) => double.IsNaN(v) ? "-" : v.ToString("F0");

        static string Result(VerifyStatus s) => s switch { VerifyStatus.Pass => "pass", VerifyStatus.Fail => "FAIL", _ => "skipped" };

        public void WriteText()
        {
            Console.WriteLine(Threads is { } threads ? $"cpu: {threads} threads" : $"cpu: not checked: {Precision.Name()} runs on the GPU only");
            Console.WriteLine(Device is null ? $"hip: not checked: {HipNote}" : $"hip: {Device}");
            Console.WriteLine($"precision: {Precision.Name()} (tolerance {Precision.Tolerance():0e0} relative{(Precision == Precision.Fp32 ? "" : ", storage on the GPU, fp32 arithmetic")})");
            Console.WriteLine($"fixtures: {ModelsDir ?? "not found (pass --fixtures DIR)"}");
            string[] header = ["family", "check", "shape", "backend", "reference", "result", "max|Δ|", "‖Δ‖/‖ref‖", "ms", "note"];
            var cells = Rows.Select(r => new[] { r.Family, r.Name, r.Shape, r.Backend, r.Reference, Result(r.Status), Num(r.MaxAbsError), Num(r.RelError), Ms(r.Milliseconds), r.Note }).ToList();
            if (Console.IsOutputRedirected)
            {
                var widths = Enumerable.Range(0, header.Length - 1).Select(i => cells.Select(c => c[i].Length).Append(header[i].Length).Max()).ToArray();
                string Line(string[] c) => string.Join("  ", c.Take(header.Length - 1).Select((v, i) => v.PadRight(widths[i]))) + "  " + c[^1];
                Console.WriteLine(Line(header).TrimEnd());
                foreach (var c in cells) Console.WriteLine(Line(c).TrimEnd());
            }
            else
            {
                var table = new Table();
                foreach (var h in header) table.AddColumn(Markup.Escape(h));
                foreach (var (c, row) in cells.Zip(Rows))
                {
                    var styled = c.Select(Markup.Escape).ToArray();
                    styled[5] = row.Status switch { VerifyStatus.Pass => "[green]pass[/]", VerifyStatus.Fail => "[red]FAIL[/]", _ => "[grey]skipped[/]" };
                    table.AddRow(styled);
                }
                AnsiConsole.Write(table);
            }
            Console.WriteLine($"{Passed} passed, {Failed} failed, {Skipped} skipped");
        }

        /// <summary>A finite figure as a number, a non-finite one (a NaN or infinite result) as null; absent when the check did not run.</summary>
        static void Figure(Utf8JsonWriter w, string name, double value)
        {
            if (double.IsFinite(value)) w.WriteNumber(name, value);
            else if (!double.IsNaN(value)) w.WriteNull(name);
        }

        public void WriteJson()
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("backend", Backend);
                w.WriteString("precision", Precision.Name());
                w.WriteNumber("tolerance", Precision.Tolerance());
                if (Device != null) w.WriteString("device", Device);
                if (HipNote != null) w.WriteString("hip_unavailable", HipNote);
                if (Threads is { } threads) w.WriteNumber("cpu_threads", threads);
                if (ModelsDir != null) w.WriteString("fixtures", ModelsDir);
                w.WriteNumber("passed", Passed);
                w.WriteNumber("failed", Failed);
                w.WriteNumber("skipped", Skipped);
                w.WriteStartArray("checks");
                foreach (var r in Rows)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", r.Kind);
                    w.WriteString("family", r.Family);
                    w.WriteString("name", r.Name);
                    w.WriteString("shape", r.Shape);
                    w.WriteString("backend", r.Backend);
                    w.WriteString("reference", r.Reference);
                    w.WriteString("result", Result(r.Status).ToLowerInvariant());
                    Figure(w, "max_abs_error", r.MaxAbsError);
                    Figure(w, "rel_error", r.RelError);
                    if (!double.IsNaN(r.Milliseconds)) w.WriteNumber("ms", Math.Round(r.Milliseconds, 1));
                    if (r.Note.Length > 0) w.WriteString("note", r.Note);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
        }
    }
}
