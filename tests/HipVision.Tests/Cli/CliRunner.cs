using System.Diagnostics;

namespace HipVision.Tests.Cli;

/// <summary>
/// Runs the real <c>hipvision</c> command as a child process. The test project builds the CLI without
/// referencing its assembly (its name 'hipvision' clashes with the library's 'HipVision'), so the command is
/// <c>dotnet src/HipVision.Cli/bin/&lt;Configuration&gt;/&lt;tfm&gt;/hipvision.dll</c>, taken from the same
/// configuration and target framework folders this test assembly runs from.
/// </summary>
static class CliRunner
{
    /// <summary>Long enough for the slowest command the tests run (synth of vit-base writes 346 MB).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    static readonly Lazy<string> CliDllPath = new(() => BuiltDll(Path.Combine("src", "HipVision.Cli"), "hipvision.dll"));

    /// <summary>The built hipvision.dll.</summary>
    public static string CliDll => CliDllPath.Value;

    /// <summary>The <c>dotnet</c> host running these tests (the one <c>dotnet test</c> names), else the one on PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Configuration (Debug, Release) and target framework folder names of this test assembly's output.</summary>
    public static (string Configuration, string Framework) BuildFolders
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return (tfm.Parent!.Name, tfm.Name);
        }
    }

    /// <summary>The output of a project under the repository root built in the tests' configuration.</summary>
    public static string BuiltDll(string projectDir, string dllName)
    {
        var (configuration, framework) = BuildFolders;
        var path = Path.Combine(Fixtures.RepoRoot, projectDir, "bin", configuration, framework, dllName);
        if (!File.Exists(path))
            Assert.Fail($"{path} not found: the test project builds it; run 'dotnet build tests/HipVision.Tests -c {configuration}'");
        return path;
    }

    /// <summary>Runs <c>hipvision ARGS</c> in <paramref name="workingDirectory"/> (default: the repository root).</summary>
    public static CliResult Run(params string[] args) => Run(args, null, DefaultTimeout);

    public static CliResult Run(string[] args, string? workingDirectory, TimeSpan timeout) =>
        RunProcess(DotnetHost, [CliDll, .. args], workingDirectory ?? Fixtures.RepoRoot, timeout, "hipvision " + string.Join(' ', args.Select(Quote)));

    /// <summary>Runs <c>hipvision ARGS</c> with environment variables set (a null value removes the variable).</summary>
    public static CliResult Run(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunProcess(DotnetHost, [CliDll, .. args], Fixtures.RepoRoot, DefaultTimeout,
            string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}")) + " hipvision " + string.Join(' ', args.Select(Quote)), environment);

    /// <summary>Runs any program with stdin closed and stdout/stderr captured; fails the test when it runs past <paramref name="timeout"/>.</summary>
    public static CliResult RunProcess(string program, string[] args, string workingDirectory, TimeSpan timeout, string? display = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // dotnet run: no build node outliving the test, holding its pipes
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        display ??= $"{program} {string.Join(' ', args.Select(Quote))}";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{display}: still running after {timeout.TotalSeconds:F0} s, killed\n--- stdout ---\n{stdout.Result}\n--- stderr ---\n{stderr.Result}");
        }
        process.WaitForExit(); // let the output readers drain
        var result = new CliResult(display, process.ExitCode, stdout.Result.ReplaceLineEndings("\n"), stderr.Result.ReplaceLineEndings("\n"), clock.Elapsed);
        TestContext.Out.WriteLine($"$ {display}  -> exit {result.ExitCode}, {result.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    static string Quote(string arg) => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"') ? arg : $"'{arg}'";
}
