namespace HipVision.Cli.Verify;

/// <summary>
/// Where `verify` finds the fixture models when --fixtures is not given: tests/fixtures of the repository that holds the
/// current directory, else of the one that holds the executable (a build under src/HipVision.Cli/bin/...). The first
/// directory upward with tests/fixtures/models wins.
/// </summary>
static class FixtureLocator
{
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "fixtures");
                if (Directory.Exists(Path.Combine(candidate, "models"))) return candidate;
            }
        return null;
    }
}
