using HipVision.IO;

namespace HipVision.Hub;

/// <summary>
/// Brings one file of a commit into the cache: reuses its blob when the etag is already there (whoever wrote it),
/// else downloads <c>blobs/{etag}.incomplete</c> (resuming what an earlier run left), verifies it
/// (<see cref="BlobChecksum"/>) and renames it to <c>blobs/{etag}</c>; then links it into the snapshot. The blob is
/// written under huggingface_hub's lock for it, so a Python process fetching the same file waits, and vice versa.
/// </summary>
sealed class HubDownloader(HubClient client, HubCache cache, IHubProgress? progress)
{
    static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan LockPatience = TimeSpan.FromHours(1);

    /// <summary>Puts <paramref name="file"/> into its commit's snapshot; true when bytes were downloaded.</summary>
    /// <exception cref="HipVisionException">The download failed or did not match its checksum (then nothing is published).</exception>
    public async Task<bool> FetchAsync(HubRepoId repo, HubFileMetadata file, CancellationToken cancel)
    {
        var blob = cache.BlobPath(repo, file.Etag);
        bool downloaded = false;
        if (!File.Exists(blob))
        {
            CreateDirectory(Path.GetDirectoryName(blob)!);
            using (await LockAsync(cache.LockPath(repo, file.Etag), cancel))
            {
                if (!File.Exists(blob)) // another process may have finished it while we waited
                {
                    await DownloadAsync(repo, file, blob, cancel);
                    downloaded = true;
                }
            }
        }
        cache.LinkSnapshotFile(repo, file.Commit, file.File, file.Etag);
        progress?.FileCompleted(file.File, file.Size >= 0 ? file.Size : new FileInfo(blob).Length, downloaded);
        return downloaded;
    }

    async Task DownloadAsync(HubRepoId repo, HubFileMetadata file, string blob, CancellationToken cancel)
    {
        var partial = blob + ".incomplete";
        progress?.FileStarted(file.File, file.Size, File.Exists(partial) ? new FileInfo(partial).Length : 0);
        try
        {
            await client.DownloadAsync(repo, file, partial, cancel);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HipVisionException($"{partial}: cannot write: {e.Message}", e);
        }
        if (BlobChecksum.Problem(file, partial) is { } problem)
        {
            // A corrupt partial file must not be resumed next time either.
            AtomicFile.TryDelete(partial);
            throw new HipVisionException($"{repo}: {file.File}: the download does not match the hub's checksum ({problem}); nothing was saved, try again");
        }
        try
        {
            File.Move(partial, blob, overwrite: false);
        }
        catch (IOException) when (File.Exists(blob))
        {
            AtomicFile.TryDelete(partial); // published meanwhile by a writer that ignores the lock; same etag, same content
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HipVisionException($"{blob}: cannot write: {e.Message}", e);
        }
    }

    // FileShare.None is an flock(LOCK_EX) on Unix, the lock Python's filelock takes on the same file.
    static async Task<FileStream> LockAsync(string path, CancellationToken cancel)
    {
        CreateDirectory(Path.GetDirectoryName(path)!);
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path) && waited < LockPatience)
            {
                await Task.Delay(LockPoll, cancel);
                waited += LockPoll;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new HipVisionException($"{path}: cannot lock: {e.Message}", e);
            }
        }
    }

    static void CreateDirectory(string path)
    {
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HipVisionException($"{path}: cannot create directory: {e.Message}", e);
        }
    }
}
