using HipVision.Interop;

namespace HipVision.Tests.Interop;

/// <summary>
/// The resolver's search and its failure trace, exercised with a library name that does not exist (and a file
/// that is not a library) rather than by hiding the real libhipvision from the process.
/// </summary>
public class NativeLibraryResolverTests
{
    [Test]
    public void SearchDirectories_order_appDirThenRuntimesThenEnvironment()
    {
        string sep = Path.PathSeparator.ToString();
        var dirs = NativeLibraryResolver.SearchDirectories("/app", "/opt/a" + sep + " /opt/b " + sep);
        Assert.That(dirs, Is.EqualTo(new[]
        {
            "/app", Path.Combine("/app", "runtimes", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "native"),
            "/opt/a", "/opt/b",
        }));
        Assert.That(NativeLibraryResolver.SearchDirectories("/app", null), Has.Count.EqualTo(2));
    }

    [Test]
    public void Load_missingLibrary_exceptionListsEveryPathTried()
    {
        string root = Path.Combine(Path.GetTempPath(), "hv-resolver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            const string name = "libhipvision_missing_for_test.so";
            File.WriteAllText(Path.Combine(root, name), "not an ELF file");   // found but refused by the loader
            var dirs = NativeLibraryResolver.SearchDirectories(Path.Combine(root, "app"), root + Path.PathSeparator + Path.Combine(root, "nowhere"));
            var e = Assert.Throws<HipVisionException>(() => NativeLibraryResolver.Load(name, dirs));
            TestContext.Out.WriteLine(e!.Message);
            Assert.That(e.Message, Does.Contain("cannot load the native library " + name));
            Assert.That(e.Message, Does.Contain(NativeLibraryResolver.PathVariable));
            foreach (var dir in dirs)
                Assert.That(e.Message, Does.Contain(Path.GetFullPath(Path.Combine(dir, name))), dir);
            Assert.That(e.Message, Does.Contain(Path.Combine(root, "app", name) + " (not found)"));
            Assert.That(e.Message, Does.Contain(Path.Combine(root, name) + " (found but failed to load"));
            Assert.That(e.Status, Is.Null);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void Load_emptySearchPath_saysNothingWasTried()
    {
        var e = Assert.Throws<HipVisionException>(() => NativeLibraryResolver.Load("libhipvision_missing_for_test.so", []));
        Assert.That(e!.Message, Does.Contain("Tried:"));
    }

    [Test]
    public void EnsureLoaded_testBuild_findsTheLibraryNextToTheTests() =>
        Assert.That(NativeLibraryResolver.EnsureLoaded(), Is.Not.EqualTo(0));
}
