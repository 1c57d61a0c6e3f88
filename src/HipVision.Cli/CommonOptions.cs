using System.CommandLine;

namespace HipVision.Cli;

/// <summary>Options several commands share, each defined once.</summary>
static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Print stack traces of errors", Recursive = true };

    public static Option<string> Model(bool required = true) =>
        new("--model", "-m") { Description = "Hugging Face-format model directory (config.json, model.safetensors, preprocessor_config.json), or a file written by 'hipvision convert'", Required = required };

    public static Option<string> Backend() =>
        new("--backend") { Description = "Compute backend: auto (GPU when present, else CPU) or cpu", DefaultValueFactory = _ => "auto" };

    public static Option<int> Threads() =>
        new("--threads") { Description = "CPU threads (default: one per core)", DefaultValueFactory = _ => 0 };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document instead of text" };

    public static VisionModelOptions ModelOptions(string backend, int threads, int batch = 8) => new()
    {
        Backend = backend.ToLowerInvariant() switch
        {
            "auto" => BackendKind.Auto,
            "cpu" => BackendKind.Cpu,
            _ => throw new UsageException($"unknown backend '{backend}' (expected auto or cpu)"),
        },
        Threads = threads >= 0 ? threads : throw new UsageException("--threads must be 0 (all cores) or more"),
        BatchSize = batch > 0 ? batch : throw new UsageException("--batch must be at least 1"),
    };

    /// <summary>
    /// With --verbose, tells a person which backend 'auto' picked (stderr, so stdout stays machine-readable).
    /// Only then: without --verbose stderr carries nothing but the one-line error of a failed command.
    /// </summary>
    public static void ReportBackend(ParseResult result, string requested, VisionModel model)
    {
        if (result.GetValue(Verbose) && requested.Equals("auto", StringComparison.OrdinalIgnoreCase))
            Console.Error.WriteLine($"backend: {model.BackendName} (auto: no GPU backend available)");
    }
}
