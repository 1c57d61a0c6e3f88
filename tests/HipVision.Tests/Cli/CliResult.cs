namespace HipVision.Tests.Cli;

/// <summary>What one run of a command gave: its exit code and everything it wrote.</summary>
sealed record CliResult(string CommandLine, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>stderr split into lines (no trailing empty line).</summary>
    public string[] StderrLines => Stderr.Length == 0 ? [] : Stderr.TrimEnd('\n').Split('\n');

    /// <summary>The whole run, for assertion messages: a failing test then shows what the command said.</summary>
    public override string ToString() =>
        $"$ {CommandLine}\nexit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
