using System.Text.Json;
using HipVision.Weights;

namespace HipVision.Hub;

/// <summary>
/// Pulls what <see cref="VisionModel.Load"/> needs of a hub model into the huggingface_hub cache and returns the
/// snapshot directory: config.json, preprocessor_config.json when the repo has one, and the weights in the order
/// <see cref="WeightFiles"/> prefers them: model.safetensors, else model.safetensors.index.json and its shards,
/// else pytorch_model.bin, else pytorch_model.bin.index.json and its shards.
/// </summary>
/// <remarks>
/// The revision is resolved once (the <c>X-Repo-Commit</c> of config.json) and every other file is asked for at
/// that commit, so a branch moving during the pull cannot mix two commits. <c>refs/{revision}</c> is written last,
/// when the snapshot is complete. Files the repo lacks are noted in <c>.no_exist</c> as huggingface_hub does.
/// </remarks>
public sealed class ModelPuller : IDisposable
{
    /// <summary>The files of a snapshot besides the weights.</summary>
    public const string ConfigFile = "config.json", PreprocessorFile = "preprocessor_config.json";

    /// <summary>The default revision.</summary>
    public const string DefaultRevision = "main";

    readonly HubOptions _options;
    readonly HttpMessageHandler? _handler;
    HubClient? _client;

    /// <summary>A puller for <paramref name="options"/>; <paramref name="handler"/> replaces the HTTP handler (tests).</summary>
    public ModelPuller(HubOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _handler = handler;
        Cache = new HubCache(options.CacheDirectory);
    }

    /// <summary>The cache pulled into.</summary>
    public HubCache Cache { get; }

    /// <summary>Synchronous <see cref="PullAsync"/>.</summary>
    public string Pull(HubRepoId repo, string revision = DefaultRevision) => PullAsync(repo, revision).GetAwaiter().GetResult();

    /// <summary>
    /// The snapshot directory of <paramref name="repo"/> at <paramref name="revision"/>, downloading what the cache
    /// lacks; offline, the cached snapshot the revision's ref points at.
    /// </summary>
    /// <exception cref="HipVisionException">Not cached (offline), or the hub or a download failed; one line saying what to do.</exception>
    public async Task<string> PullAsync(HubRepoId repo, string revision = DefaultRevision, CancellationToken cancel = default)
    {
        if (!HubCache.SafeRelativePath(revision)) throw new HipVisionException($"{repo}: '{revision}' is not a revision (a branch, tag or commit hash)");
        if (_options.Offline)
        {
            if (FindCached(repo, revision, out var why) is { } cached) return cached;
            throw new HipVisionException($"{repo} (revision '{revision}') {why} in the hub cache {Cache.Directory}, and the hub may not be asked (offline: --offline or HF_HUB_OFFLINE); pull it with network access first, or give a local model directory");
        }
        _client ??= new HubClient(_options, _handler);
        var downloader = new HubDownloader(_client, Cache, _options.Progress);
        var config = await _client.GetMetadataAsync(repo, revision, ConfigFile, cancel)
            ?? throw new HipVisionException($"{repo}: {ConfigFile} not found at revision '{revision}' (404); check the repo id and revision (HipVision needs a transformers model repo)");
        var commit = config.Commit;
        await downloader.FetchAsync(repo, config, cancel);
        if (await OptionalAsync(repo, commit, PreprocessorFile, cancel) is { } preprocessor)
            await downloader.FetchAsync(repo, preprocessor, cancel);
        await FetchWeightsAsync(repo, commit, downloader, cancel);
        Cache.WriteRef(repo, revision, commit);
        return Cache.SnapshotDirectory(repo, commit);
    }

    async Task FetchWeightsAsync(HubRepoId repo, string commit, HubDownloader downloader, CancellationToken cancel)
    {
        foreach (var candidate in WeightFiles.DirectoryCandidates)
        {
            if (await OptionalAsync(repo, commit, candidate, cancel) is not { } weights) continue;
            await downloader.FetchAsync(repo, weights, cancel);
            if (!candidate.EndsWith(".index.json", StringComparison.Ordinal)) return;
            foreach (var shard in IndexShards(Cache.SnapshotFile(repo, commit, candidate)))
            {
                var meta = await _client!.GetMetadataAsync(repo, commit, shard, cancel)
                    ?? throw new HipVisionException($"{repo}: {shard}, a shard named in {candidate}, not found at commit {commit} (404)");
                await downloader.FetchAsync(repo, meta, cancel);
            }
            return;
        }
        throw new HipVisionException($"{repo}: no weights at commit {commit}: none of {string.Join(", ", WeightFiles.DirectoryCandidates)} (HipVision reads safetensors and PyTorch checkpoints)");
    }

    async Task<HubFileMetadata?> OptionalAsync(HubRepoId repo, string commit, string file, CancellationToken cancel)
    {
        var meta = await _client!.GetMetadataAsync(repo, commit, file, cancel);
        if (meta is null) Cache.MarkMissing(repo, commit, file);
        return meta;
    }

    /// <summary>
    /// The cached snapshot of <paramref name="repo"/> at <paramref name="revision"/> when it holds config.json and
    /// complete weights (every shard of an index), else null with <paramref name="why"/> saying what is missing.
    /// </summary>
    public string? FindCached(HubRepoId repo, string revision, out string why)
    {
        var commit = Cache.ResolveCommit(repo, revision);
        if (commit is null)
        {
            why = "is not";
            return null;
        }
        var snapshot = Cache.SnapshotDirectory(repo, commit);
        // File.Exists follows the symlink: a snapshot entry whose blob is gone does not count.
        if (!File.Exists(Path.Combine(snapshot, ConfigFile)))
        {
            why = $"has no {ConfigFile} (snapshot {commit})";
            return null;
        }
        foreach (var candidate in WeightFiles.DirectoryCandidates)
        {
            var path = Path.Combine(snapshot, candidate);
            if (!File.Exists(path)) continue;
            if (candidate.EndsWith(".index.json", StringComparison.Ordinal))
            {
                string[] shards;
                try { shards = IndexShards(path); }
                catch (HipVisionException) { continue; }
                if (shards.FirstOrDefault(s => !File.Exists(Cache.SnapshotFile(repo, commit, s))) is { } missing)
                {
                    why = $"lacks {missing} of {candidate} (snapshot {commit})";
                    return null;
                }
            }
            why = "";
            return snapshot;
        }
        why = $"has no weights (snapshot {commit})";
        return null;
    }

    /// <summary>The distinct shard files an index's <c>weight_map</c> names, in first-seen order; each a safe relative path.</summary>
    static string[] IndexShards(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new HipVisionException($"{indexPath}: no weight_map object");
            var shards = new List<string>();
            foreach (var entry in map.EnumerateObject())
            {
                var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : throw new HipVisionException($"{indexPath}: weight_map[{entry.Name}] is not a file name");
                if (!HubCache.SafeRelativePath(shard)) throw new HipVisionException($"{indexPath}: shard '{shard}' is not a relative path inside the repo");
                if (!shards.Contains(shard)) shards.Add(shard);
            }
            return [.. shards];
        }
        catch (JsonException e)
        {
            throw new HipVisionException($"{indexPath}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Releases the HTTP connections.</summary>
    public void Dispose() => _client?.Dispose();
}
