namespace HipVision.Tests;

/// <summary>Locates the test data copied into the repository (tests/fixtures), from wherever the tests run.</summary>
static class Fixtures
{
    static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>Absolute path of tests/fixtures.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Absolute path of the repository root (the folder holding HipVision.sln).</summary>
    public static string RepoRoot => Path.GetFullPath(Path.Combine(Root, "..", ".."));

    /// <summary>Path of a file or folder under tests/fixtures.</summary>
    public static string Under(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Path of a model fixture folder, e.g. Model("tiny-vit").</summary>
    public static string Model(string name) => Path.Combine(Root, "models", name);

    /// <summary>Path of an image fixture folder, e.g. Image("chelsea").</summary>
    public static string Image(string stem) => Path.Combine(Root, "images", stem);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(candidate) && System.IO.File.Exists(Path.Combine(dir.FullName, "HipVision.sln")))
                return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures not found above {AppContext.BaseDirectory}");
    }
}
