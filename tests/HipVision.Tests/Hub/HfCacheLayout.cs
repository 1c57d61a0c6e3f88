using System.Text;

namespace HipVision.Tests.Hub;

/// <summary>
/// The huggingface_hub cache layout, written and checked independently of HipVision's own code, so a cache laid
/// out by Python is what HipVision is tested against (and what it writes is checked against the same rules):
/// <c>models--owner--name/blobs/{etag}</c>, <c>snapshots/{commit}/{file}</c> as the relative symlink
/// <c>../../blobs/{etag}</c>, <c>refs/{revision}</c> holding the commit without a newline.
/// </summary>
static class HfCacheLayout
{
    public static string RepoDir(string cache, string repoId) => Path.Combine(cache, "models--" + repoId.Replace("/", "--"));

    /// <summary>Lays out <paramref name="repo"/>'s files as huggingface_hub's <c>hf_hub_download</c> leaves them.</summary>
    public static string Write(string cache, MockRepo repo, string revision = "main")
    {
        var dir = RepoDir(cache, repo.Id);
        Directory.CreateDirectory(Path.Combine(dir, "blobs"));
        foreach (var (name, file) in repo.Files)
        {
            File.WriteAllBytes(Path.Combine(dir, "blobs", file.Etag), file.Bytes);
            var link = Path.Combine(dir, "snapshots", repo.Commit, name);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, "../../" + string.Concat(Enumerable.Repeat("../", name.Count(c => c == '/'))) + "blobs/" + file.Etag);
        }
        Directory.CreateDirectory(Path.Combine(dir, "refs"));
        File.WriteAllText(Path.Combine(dir, "refs", revision), repo.Commit, new UTF8Encoding(false));
        return Path.Combine(dir, "snapshots", repo.Commit);
    }

    /// <summary>Asserts that <paramref name="files"/> of <paramref name="repo"/> sit in the cache exactly as huggingface_hub would put them.</summary>
    public static void AssertHolds(string cache, MockRepo repo, IEnumerable<string> files, string revision = "main")
    {
        var dir = RepoDir(cache, repo.Id);
        Assert.That(File.ReadAllText(Path.Combine(dir, "refs", revision)), Is.EqualTo(repo.Commit), "refs/main holds the commit, no newline");
        foreach (var name in files)
        {
            var file = repo.Files[name];
            var blob = Path.Combine(dir, "blobs", file.Etag);
            // SequenceEqual: NUnit's element-wise comparison of 300 KB arrays takes seconds.
            Assert.That(File.ReadAllBytes(blob).AsSpan().SequenceEqual(file.Bytes), Is.True, $"blobs/{file.Etag} holds {name}, byte for byte");
            var link = new FileInfo(Path.Combine(dir, "snapshots", repo.Commit, name));
            Assert.That(link.LinkTarget, Is.EqualTo("../../blobs/" + file.Etag), $"snapshots/{repo.Commit}/{name} is a relative symlink to its blob");
            Assert.That(File.ReadAllBytes(link.FullName).AsSpan().SequenceEqual(file.Bytes), Is.True, $"{name} read through the link");
        }
        var leftovers = Directory.GetFiles(Path.Combine(dir, "blobs")).Where(f => f.EndsWith(".incomplete", StringComparison.Ordinal) || f.Contains(".tmp-"));
        Assert.That(leftovers, Is.Empty, "no partial or temporary files left in blobs/");
    }
}
