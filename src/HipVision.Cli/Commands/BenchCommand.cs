using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using HipVision.Models;
using Spectre.Console;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision bench (--model MODEL | --arch NAME) [--synthetic SEED] [--batch N] [--iterations K] [--json]</c>:
/// forward-pass latency (median, p90), images/s and memory, on hv-synth-v2 inputs. One untimed warm-up run
/// (it also compiles the plan) precedes the timed ones; --profile adds a per-op breakdown. "model load" is the
/// time to a usable model: reading the weights, building the graph and compiling the batch-1 plan (which
/// <see cref="VisionModel.Load"/> does to fail early), so "plan compile" is ~0 at batch 1; its CPU time (all threads)
/// is shown beside it, a steadier figure than wall time on a busy machine.
/// On the HIP backend, "plan build" is the benched plan's own build time (whoever built it), including the preparation of its
/// dense convolutions: a cold start when a vendor library's find step ran now, a warm start when every choice came from the
/// tuning cache (<see cref="Backends.Hip.TuningCacheDirectory"/>), "nothing to tune" without a vendor library. Running the same
/// bench twice shows both: the first process tunes and writes the cache, the second reads it.
/// </summary>
static class BenchCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(required: false);
        var arch = new Option<string>("--arch") { Description = $"Architecture preset instead of --model: {string.Join(", ", ModelPresets.Names)}" };
        var synthetic = new Option<ulong?>("--synthetic") { Description = "Use hv-synth-v2 weights with this seed (default 1 with --arch)" };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per forward pass", DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed forward passes", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed forward passes first", DefaultValueFactory = _ => 1 };
        var profile = new Option<bool>("--profile") { Description = "Time every operation and print the breakdown by op" };
        var json = CommonOptions.Json();
        var backend = CommonOptions.Backend();
        var precision = CommonOptions.Precision();
        var threads = CommonOptions.Threads();
        var command = new Command("bench", "Benchmark a model's forward pass") { model, arch, synthetic, batch, iterations, warmup, profile, json, backend, precision, threads };
        command.SetAction(r =>
        {
            string? modelDir = r.GetValue(model), archName = r.GetValue(arch);
            if ((modelDir is null) == (archName is null)) throw new UsageException("give exactly one of --model and --arch");
            int n = r.GetValue(batch), k = r.GetValue(iterations), warm = r.GetValue(warmup);
            if (n < 1 || k < 1 || warm < 0) throw new UsageException("--batch and --iterations must be at least 1, --warmup at least 0");
            var options = CommonOptions.ModelOptions(r.GetValue(backend)!, r.GetValue(precision)!, r.GetValue(threads), n);
            ulong? seed = r.GetValue(synthetic);
            var modelPath = modelDir is null ? null : CommonOptions.LocateModel(r, modelDir);
            long loadStart = Stopwatch.GetTimestamp();
            var loadCpuStart = Environment.CpuUsage.TotalTime;
            using var m = archName != null
                ? VisionModel.CreateSynthetic(ModelPresets.Get(archName), seed ?? 1, options)
                : seed is { } s ? VisionModel.CreateSynthetic(ModelFiles.ReadConfig(modelPath!), s, options)
                : VisionModel.Load(modelPath!, options);
            var load = (Stopwatch.GetElapsedTime(loadStart).TotalMilliseconds, (Environment.CpuUsage.TotalTime - loadCpuStart).TotalMilliseconds);
            CommonOptions.ReportBackend(r, m);
            var result = Measure(m, n, k, warm, r.GetValue(profile), archName ?? modelDir!, load);
            if (r.GetValue(json)) result.WriteJson();
            else result.WriteText();
            if (r.GetValue(CommonOptions.Verbose) && m.TuningReport is { Length: > 0 } report) Console.Error.Write("convolutions:\n" + report);
            return CliHost.Ok;
        });
        return command;
    }

    static BenchResult Measure(VisionModel m, int batch, int iterations, int warmup, bool profile, string name, (double Wall, double Cpu) load)
    {
        var (c, h, w) = m.Config.InputSize;
        var pixels = Weights.HvSynth.PixelValues([batch, c, h, w], 1);
        var compile = Stopwatch.StartNew();
        var plan = m.Plan(batch);
        compile.Stop();
        for (int i = 0; i < warmup; i++) m.Run(pixels, batch);
        var times = new double[iterations];
        var hip = plan as Backends.Hip.HipExecutionPlan;
        var issue = new double[iterations];
        var byOp = new Dictionary<string, double>();
        plan.ProfilingEnabled = profile;
        ProgressDisplay.Run($"{iterations} timed runs, batch {batch}", iterations, advance =>
        {
            for (int i = 0; i < iterations; i++)
            {
                long start = Stopwatch.GetTimestamp();
                m.Run(pixels, batch);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (hip != null) issue[i] = hip.LastIssueMilliseconds;
                foreach (var (_, op, ms) in plan.Profile) byOp[op] = byOp.GetValueOrDefault(op) + ms / iterations;
                advance(1);
            }
        });
        plan.ProfilingEnabled = false;
        Array.Sort(times);
        double median = Percentile(times, 0.5);
        // HIP only: kernels one run issues per image (the captured graph's count) and the host time to issue them (one graph
        // replay call; every launch when profiling), the median over the timed runs, to compare with the whole run's median.
        double? launchesPerImage = hip?.LaunchesPerRun is { } launches ? (double)launches / batch : null;
        double? hostOverhead = null;
        if (hip != null)
        {
            Array.Sort(issue);
            hostOverhead = Percentile(issue, 0.5);
        }
        var tuning = hip is null ? null : new PlanTuning(hip.BuildMilliseconds, TuningName(hip.Tuning),
            hip.TunedConvolutions.GetValueOrDefault(Interop.NativeTuning.Cold), hip.TunedConvolutions.GetValueOrDefault(Interop.NativeTuning.Warm),
            Backends.Hip.TuningCacheDirectory.Resolve(),
            (m.TuningReport ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return new BenchResult(name, m.Config.ModelType, m.BackendName, m.DeviceName, m.Options.Precision, m.Threads, batch, iterations, median, Percentile(times, 0.9), times[0],
            batch * 1000.0 / median, PeakRssBytes(), plan.PeakBytes, plan.WeightBytes, load.Wall, load.Cpu, compile.Elapsed.TotalMilliseconds, byOp,
            launchesPerImage, hostOverhead, tuning);
    }

    /// <summary>bench --json's "tuning": "cold" (a find step ran while building the plan), "warm" (all from the cache), "none".</summary>
    internal static string TuningName(Interop.NativeTuning tuning) => tuning switch
    {
        Interop.NativeTuning.Cold => "cold",
        Interop.NativeTuning.Warm => "warm",
        _ => "none",
    };

    /// <summary>The HIP plan's build time and what preparing its dense convolutions did (counts of cold and warm ones).</summary>
    sealed record PlanTuning(double BuildMs, string Tuning, int Cold, int Warm, string? CacheDirectory, string[] Report)
    {
        public string Describe() => Tuning switch
        {
            "cold" => $"{BuildMs:F0} ms, cold start ({Cold} convolution shape(s) tuned now{(Warm > 0 ? $", {Warm} from the cache" : "")}; cache {CacheDirectory ?? "off"})",
            "warm" => $"{BuildMs:F0} ms, warm start ({Warm} convolution shape(s) from the tuning cache {CacheDirectory ?? "(this process)"})",
            _ => $"{BuildMs:F0} ms, nothing to tune (no vendor convolution in this build, or no dense convolution)",
        };
    }

    // Linear interpolation between closest ranks (numpy's default percentile).
    static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /// <summary>The process's peak resident memory (VmHWM), or the current working set where /proc is absent.</summary>
    static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return Environment.WorkingSet;
    }

    sealed record BenchResult(string Model, string ModelType, string Backend, string? Device, Precision Precision, int Threads, int Batch, int Iterations, double MedianMs, double P90Ms,
        double MinMs, double ImagesPerS, long PeakMemoryBytes, long ArenaBytes, long WeightBytes, double LoadMs, double LoadCpuMs, double CompileMs, Dictionary<string, double> OpMs,
        double? LaunchesPerImage, double? HostOverheadMs, PlanTuning? Tuning)
    {
        public void WriteText()
        {
            bool plain = Console.IsOutputRedirected;
            var rows = new (string, string)[]
            {
                ("model", $"{Model} ({ModelType})"), ("backend", Device is null ? $"{Backend}, {Threads} threads" : $"{Backend}, {Device}"), ("precision", Precision.Name()), ("batch", Batch.ToString()),
                ("iterations", Iterations.ToString()), ("median", $"{MedianMs:F2} ms"), ("p90", $"{P90Ms:F2} ms"), ("min", $"{MinMs:F2} ms"),
                ("throughput", $"{ImagesPerS:F2} images/s"), ("peak memory (RSS)", Mib(PeakMemoryBytes)), ("activation arena", Mib(ArenaBytes)),
                ("weights", Mib(WeightBytes)), ("model load", $"{LoadMs:F0} ms ({LoadCpuMs:F0} ms CPU)"), ("plan compile", $"{CompileMs:F0} ms"),
            };
            if (HostOverheadMs is { } overhead)
                rows = [.. rows, ("launches/image", LaunchesPerImage is { } l ? $"{l:0.##}" : "n/a (not captured)"),
                    ("host overhead", $"{overhead:F3} ms/run ({overhead / MedianMs:P1} of the median)")];
            if (Tuning is { } t) rows = [.. rows, ("plan build", t.Describe())];
            if (plain) foreach (var (k, v) in rows) Console.WriteLine($"{k,-18} {v}");
            else
            {
                var table = new Table().AddColumn("").AddColumn("");
                table.HideHeaders();
                foreach (var (k, v) in rows) table.AddRow(k, Markup.Escape(v));
                AnsiConsole.Write(table);
            }
            if (OpMs.Count == 0) return;
            Console.WriteLine();
            Console.WriteLine($"{"op",-18} {"ms/run",10} {"share",7}");
            double total = OpMs.Values.Sum();
            foreach (var (op, ms) in OpMs.OrderByDescending(p => p.Value))
                Console.WriteLine($"{op,-18} {ms,10:F2} {ms / total,7:P1}");
        }

        static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";

        public void WriteJson()
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("model", Model);
                w.WriteString("model_type", ModelType);
                w.WriteString("backend", Backend);
                if (Device != null) w.WriteString("device", Device);
                w.WriteString("precision", Precision.Name());
                w.WriteNumber("threads", Threads);
                w.WriteNumber("batch", Batch);
                w.WriteNumber("iterations", Iterations);
                w.WriteNumber("median_ms", Math.Round(MedianMs, 3));
                w.WriteNumber("p90_ms", Math.Round(P90Ms, 3));
                w.WriteNumber("min_ms", Math.Round(MinMs, 3));
                w.WriteNumber("images_per_s", Math.Round(ImagesPerS, 3));
                w.WriteNumber("peak_memory_bytes", PeakMemoryBytes);
                w.WriteNumber("arena_bytes", ArenaBytes);
                w.WriteNumber("weight_bytes", WeightBytes);
                w.WriteNumber("load_ms", Math.Round(LoadMs, 1));
                w.WriteNumber("load_cpu_ms", Math.Round(LoadCpuMs, 1));
                w.WriteNumber("compile_ms", Math.Round(CompileMs, 1));
                if (LaunchesPerImage is { } launches) w.WriteNumber("launches_per_image", Math.Round(launches, 3));
                else w.WriteNull("launches_per_image");
                if (HostOverheadMs is { } overhead) w.WriteNumber("host_overhead_ms", Math.Round(overhead, 4));
                else w.WriteNull("host_overhead_ms");
                if (Tuning is { } t)
                {
                    w.WriteNumber("plan_build_ms", Math.Round(t.BuildMs, 1));
                    w.WriteString("tuning", t.Tuning);
                    if (t.CacheDirectory is { } dir) w.WriteString("tuning_cache_dir", dir);
                    else w.WriteNull("tuning_cache_dir");
                    w.WriteStartArray("conv_algorithms");   // per prepared shape: what runs, or why the direct kernel
                    foreach (var line in t.Report) w.WriteStringValue(line);
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteNull("plan_build_ms");
                    w.WriteString("tuning", "none");
                    w.WriteNull("tuning_cache_dir");
                }
                if (OpMs.Count > 0)
                {
                    w.WriteStartObject("op_ms");
                    foreach (var (op, ms) in OpMs.OrderByDescending(p => p.Value)) w.WriteNumber(op, Math.Round(ms, 3));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
        }
    }
}
