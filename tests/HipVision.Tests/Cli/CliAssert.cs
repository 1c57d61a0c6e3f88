namespace HipVision.Tests.Cli;

/// <summary>The CLI's error contract: exit 1 with exactly one line on stderr naming what is wrong; exit 2 for usage errors.</summary>
static class CliAssert
{
    /// <summary>Exit code 0 and nothing on stderr.</summary>
    public static void Ok(CliResult r)
    {
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stderr, Is.Empty, r.ToString());
    }

    /// <summary>
    /// Exit code 1, nothing on stdout and one stderr line <c>error: ...</c> containing every one of
    /// <paramref name="mentions"/> (the file, the tensor, what is wrong), with no stack trace.
    /// Returns the line.
    /// </summary>
    public static string RuntimeError(CliResult r, params string[] mentions)
    {
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.StderrLines, Has.Length.EqualTo(1), "exactly one line on stderr\n" + r);
        var line = r.StderrLines[0];
        Assert.That(line, Does.StartWith("error: "), r.ToString());
        Assert.That(line, Does.Not.Contain("Exception"), "no exception type names or traces without --verbose\n" + r);
        foreach (var m in mentions) Assert.That(line, Does.Contain(m), r.ToString());
        Assert.That(r.Stdout, Is.Empty, r.ToString());
        TestContext.Out.WriteLine(line);
        return line;
    }

    /// <summary>Exit code 2, nothing on stdout, and a stderr that contains every one of <paramref name="mentions"/>.</summary>
    public static void UsageError(CliResult r, params string[] mentions)
    {
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stdout, Is.Empty, r.ToString());
        Assert.That(r.Stderr, Does.StartWith("hipvision: "), r.ToString());
        foreach (var m in mentions) Assert.That(r.Stderr, Does.Contain(m), r.ToString());
        TestContext.Out.WriteLine(r.Stderr);
    }

    /// <summary>Neither the file nor a temporary sibling of it (name.tmp-*) exists: nothing half-written is left.</summary>
    public static void NothingWritten(string path)
    {
        Assert.That(File.Exists(path) || Directory.Exists(path), Is.False, $"{path} must not exist after a failure");
        var dir = Path.GetDirectoryName(path)!;
        if (Directory.Exists(dir))
            Assert.That(Directory.GetFileSystemEntries(dir, Path.GetFileName(path) + ".tmp*"), Is.Empty, $"temporary files beside {path}");
    }
}
