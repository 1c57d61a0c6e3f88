using System.CommandLine;
using HipVision.Backends;
using HipVision.Hub;

namespace HipVision.Cli;

/// <summary>Options several commands share, each defined once.</summary>
static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Print stack traces of errors", Recursive = true };

    public static readonly Option<bool> Offline = new("--offline") { Description = "Use only the Hugging Face cache for hub ids, never the network (also HF_HUB_OFFLINE=1)", Recursive = true };

    public static Option<string> Model(bool required = true) =>
        new("--model", "-m") { Description = "Hugging Face-format model directory (config.json, model.safetensors, preprocessor_config.json), a file written by 'hipvision convert', or a hub id owner/name (pulled into the Hugging Face cache on first use)", Required = required };

    /// <summary>The local path for --model: the path itself, or for a hub id its cached snapshot, pulled with progress on first use.</summary>
    public static string LocateModel(ParseResult result, string model)
    {
        if (!ModelLocator.IsHubId(model)) return model;
        return HubProgressDisplay.Run(HubOptionsFor(result), plainLines: result.GetValue(Verbose), options => ModelLocator.Locate(model, options));
    }

    /// <summary>The hub settings of the environment (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE, ...), with --offline.</summary>
    public static HubOptions HubOptionsFor(ParseResult result)
    {
        var options = Hub.HubOptions.FromEnvironment();
        return result.GetValue(Offline) ? options with { Offline = true } : options;
    }

    public static Option<string> Backend() =>
        new("--backend") { Description = "Compute backend: auto (a GPU when the native library and a device are present and the model's ops run there, else CPU), cpu, or hip (the native library; an error without it)", DefaultValueFactory = _ => "auto" };

    public static Option<string> Precision() =>
        new("--precision") { Description = "How the GPU stores weights and activations: fp32, fp16 or bf16 (half the memory, fp32 arithmetic inside each op; fp16/bf16 need the HIP backend)", DefaultValueFactory = _ => "fp32" };

    /// <summary>
    /// --precision parsed and checked against --backend: fp16/bf16 with cpu, or with auto where no GPU library is present (auto never
    /// takes the emulator), is a usage error of one line.
    /// </summary>
    public static Precision ParsePrecision(string text, string backend)
    {
        if (!Precisions.TryParse(text, out var precision)) throw new UsageException($"unknown precision '{text}' (expected fp32, fp16 or bf16)");
        if (precision == HipVision.Precision.Fp32) return precision;
        if (backend.Equals("cpu", StringComparison.OrdinalIgnoreCase))
            throw new UsageException(BackendSelector.GpuOnly(precision, "--backend cpu computes in fp32 only"));
        if (backend.Equals("auto", StringComparison.OrdinalIgnoreCase) && BackendSelector.NoGpuLibrary() is { } why)
            throw new UsageException(BackendSelector.GpuOnly(precision, why));
        return precision;
    }

    public static Option<int> Threads() =>
        new("--threads") { Description = "CPU threads (default: one per core)", DefaultValueFactory = _ => 0 };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document instead of text" };

    public static VisionModelOptions ModelOptions(string backend, string precision, int threads, int batch = 8) => new()
    {
        Precision = ParsePrecision(precision, backend),
        Backend = backend.ToLowerInvariant() switch
        {
            "auto" => BackendKind.Auto,
            "cpu" => BackendKind.Cpu,
            "hip" => BackendKind.Hip,
            _ => throw new UsageException($"unknown backend '{backend}' (expected auto, cpu or hip)"),
        },
        Threads = threads >= 0 ? threads : throw new UsageException("--threads must be 0 (all cores) or more"),
        BatchSize = batch > 0 ? batch : throw new UsageException("--batch must be at least 1"),
    };

    /// <summary>
    /// With --verbose, tells a person which backend was picked and why (stderr, so stdout stays machine-readable).
    /// Only then: without --verbose stderr carries nothing but the one-line error of a failed command.
    /// </summary>
    public static void ReportBackend(ParseResult result, VisionModel model)
    {
        if (result.GetValue(Verbose))
            Console.Error.WriteLine($"backend: {model.BackendName} ({model.BackendReason})");
    }
}
