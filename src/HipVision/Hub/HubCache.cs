using System.Text.RegularExpressions;
using HipVision.IO;

namespace HipVision.Hub;

/// <summary>
/// The huggingface_hub cache layout, read and written so that Python tools and HipVision share one cache:
/// <code>
/// {cache}/models--{owner}--{name}/
///     blobs/{etag}                    file contents, named by etag (SHA-256 for LFS files, git SHA-1 for others)
///     blobs/{etag}.incomplete         a download in progress (resumed with an HTTP Range request)
///     snapshots/{commit}/{file}       relative symlinks ../../blobs/{etag} (a copy where links are not allowed)
///     refs/{revision}                 the commit a branch or tag pointed at when last fetched
///     .no_exist/{commit}/{file}       empty: the file is known to be absent at that commit
/// {cache}/.locks/models--{owner}--{name}/{etag}.lock   flock held while the blob is written (Python's filelock takes the same lock)
/// </code>
/// A complete file only ever appears under its final name by a rename within the same file system.
/// </summary>
public sealed partial class HubCache
{
    /// <summary>A cache rooted at <paramref name="directory"/> (created when first written).</summary>
    public HubCache(string directory) => Directory = Path.GetFullPath(directory);

    /// <summary>The cache root.</summary>
    public string Directory { get; }

    /// <summary><c>models--owner--name</c> under the root.</summary>
    public string RepoDirectory(HubRepoId repo) => Path.Combine(Directory, repo.CacheFolderName);

    /// <summary>The blob holding the content with this etag.</summary>
    public string BlobPath(HubRepoId repo, string etag) => Path.Combine(RepoDirectory(repo), "blobs", etag);

    /// <summary>The snapshot directory of a commit.</summary>
    public string SnapshotDirectory(HubRepoId repo, string commit) => Path.Combine(RepoDirectory(repo), "snapshots", commit);

    /// <summary>The lock file guarding the writing of one blob.</summary>
    public string LockPath(HubRepoId repo, string etag) => Path.Combine(Directory, ".locks", repo.CacheFolderName, etag + ".lock");

    /// <summary>A full commit hash (40 lowercase hex digits), which names a snapshot directly.</summary>
    public static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    /// <summary>
    /// The commit <paramref name="revision"/> resolves to in the cache: itself when it is a commit hash with a
    /// snapshot, else the content of <c>refs/{revision}</c>; null when neither is there.
    /// </summary>
    public string? ResolveCommit(HubRepoId repo, string revision)
    {
        if (IsCommitHash(revision))
            return System.IO.Directory.Exists(SnapshotDirectory(repo, revision)) ? revision : null;
        if (!SafeRelativePath(revision)) return null;
        var refPath = Path.Combine(RepoDirectory(repo), "refs", revision);
        try
        {
            var commit = File.Exists(refPath) ? File.ReadAllText(refPath).Trim() : null;
            return commit is not null && IsCommitHash(commit) ? commit : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records that <paramref name="revision"/> now points at <paramref name="commit"/> (nothing to record for a commit hash).</summary>
    public void WriteRef(HubRepoId repo, string revision, string commit)
    {
        if (revision == commit) return;
        var refPath = Path.Combine(RepoDirectory(repo), "refs", revision);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
        AtomicFile.WriteAllText(refPath, commit); // no newline, as huggingface_hub writes it
    }

    /// <summary>The path of <paramref name="file"/> in the snapshot of <paramref name="commit"/>.</summary>
    public string SnapshotFile(HubRepoId repo, string commit, string file) =>
        Path.Combine(SnapshotDirectory(repo, commit), file.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// Puts <paramref name="file"/> into the snapshot as a relative symlink to its blob (a copy of the blob where
    /// the file system refuses links), replacing whatever was there in one rename.
    /// </summary>
    public void LinkSnapshotFile(HubRepoId repo, string commit, string file, string etag)
    {
        var path = SnapshotFile(repo, commit, file);
        var blob = BlobPath(repo, etag);
        if (LinkTarget(path) is { } existing && File.Exists(blob)
            && Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, existing)) == blob)
            return;
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // From snapshots/{commit}/{dirs...}/{name} up to the repo folder: two levels, plus one per sub-folder.
        var up = string.Concat(Enumerable.Repeat("../", 2 + file.Count(c => c == '/')));
        var tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            try { File.CreateSymbolicLink(tmp, $"{up}blobs/{etag}"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                File.Copy(blob, tmp);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AtomicFile.TryDelete(tmp);
            throw new HipVisionException($"{path}: cannot write: {e.Message}", e);
        }
    }

    static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Records that <paramref name="file"/> does not exist at <paramref name="commit"/> (huggingface_hub's <c>.no_exist</c>).</summary>
    public void MarkMissing(HubRepoId repo, string commit, string file)
    {
        try
        {
            var path = Path.Combine(RepoDirectory(repo), ".no_exist", commit, file.Replace('/', Path.DirectorySeparatorChar));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!File.Exists(path)) File.WriteAllBytes(path, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // only a hint for later look-ups
    }

    /// <summary>
    /// A file name from the hub or from an index file, used as a path under a snapshot: relative, '/'-separated,
    /// no empty, "." or ".." segment, no backslash, so it can never point outside the snapshot.
    /// </summary>
    public static bool SafeRelativePath(string file) =>
        file.Length > 0 && !file.Contains('\\') && !file.Contains('\0') && !Path.IsPathRooted(file)
        && file.Split('/').All(part => part.Length > 0 && part != "." && part != "..");

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();
}
