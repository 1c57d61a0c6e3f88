using HipVision.IO;
using HipVision.Tests.Weights;

namespace HipVision.Tests.IO;

/// <summary>All-or-nothing writes of a file set: new directory, existing directory, and a move that fails half way.</summary>
public class AtomicDirectoryTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static void WriteSet(string staging)
    {
        File.WriteAllText(Path.Combine(staging, "a.json"), "new a");
        File.WriteAllText(Path.Combine(staging, "b.bin"), "new b");
        File.WriteAllText(Path.Combine(staging, "c.json"), "new c");
    }

    static string[] Entries(string dir) =>
        Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    [Test]
    public void Write_newDirectory_appearsWithEveryFileAndNoStaging()
    {
        var dir = Path.Combine(_tmp.Path, "deeper", "model");
        AtomicDirectory.Write(dir, WriteSet);
        Assert.That(Entries(dir), Is.EqualTo(new[] { "a.json", "b.bin", "c.json" }));
        Assert.That(Entries(Path.Combine(_tmp.Path, "deeper")), Is.EqualTo(new[] { "model" }), "no staging directory left");
    }

    [Test]
    public void Write_existingDirectory_replacesTheSetAndKeepsOtherFiles()
    {
        var dir = Path.Combine(_tmp.Path, "model");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.json"), "old a");
        File.WriteAllText(Path.Combine(dir, "README.md"), "mine");
        AtomicDirectory.Write(dir, WriteSet);
        Assert.That(Entries(dir), Is.EqualTo(new[] { "README.md", "a.json", "b.bin", "c.json" }));
        Assert.That(File.ReadAllText(Path.Combine(dir, "a.json")), Is.EqualTo("new a"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "README.md")), Is.EqualTo("mine"));
        Assert.That(Entries(_tmp.Path), Is.EqualTo(new[] { "model" }), "no staging directory left");
    }

    [Test]
    public void Write_lastMoveFails_putsTheDirectoryBackAsItWas()
    {
        var dir = Path.Combine(_tmp.Path, "model");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "a.json"), "old a");
        Directory.CreateDirectory(Path.Combine(dir, "c.json")); // files move in name order, so a.json and b.bin are in when this fails
        var e = Assert.Throws<HipVisionException>(() => AtomicDirectory.Write(dir, WriteSet));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(dir, "c.json") + ": cannot write"));
        Assert.That(Entries(dir), Is.EqualTo(new[] { "a.json", "c.json" }));
        Assert.That(File.ReadAllText(Path.Combine(dir, "a.json")), Is.EqualTo("old a"), "replaced file put back");
        Assert.That(Entries(_tmp.Path), Is.EqualTo(new[] { "model" }), "no staging directory left");
    }

    [Test]
    public void Write_callbackThrows_leavesNothing()
    {
        var dir = Path.Combine(_tmp.Path, "model");
        Assert.Throws<InvalidOperationException>(() => AtomicDirectory.Write(dir, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "a.json"), "partial");
            throw new InvalidOperationException("boom");
        }));
        Assert.That(Entries(_tmp.Path), Is.Empty);
    }

    [Test]
    public void Write_pathIsAFile_failsBeforeWriting()
    {
        var file = _tmp.File("taken");
        File.WriteAllText(file, "mine");
        bool called = false;
        var e = Assert.Throws<HipVisionException>(() => AtomicDirectory.Write(file, _ => called = true));
        Assert.That(e!.Message, Does.StartWith(file + ": cannot create directory"));
        Assert.That(called, Is.False);
        Assert.That(Entries(_tmp.Path), Is.EqualTo(new[] { "taken" }));
    }
}
