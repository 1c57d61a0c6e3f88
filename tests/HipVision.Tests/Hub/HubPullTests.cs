using HipVision.Hub;
using HipVision.IO;
using HipVision.Weights;

namespace HipVision.Tests.Hub;

/// <summary>
/// <see cref="ModelPuller"/> against <see cref="MockHub"/>: the cache it fills is huggingface_hub's layout, downloads
/// resume and are verified, and every failure is one clear line. Short timeouts and retry delays keep it fast.
/// </summary>
public class HubPullTests
{
    static readonly string TinyVit = Fixtures.Model("tiny-vit");
    static readonly string[] SafetensorsFiles = ["config.json", "preprocessor_config.json", "model.safetensors"];

    MockHub _hub = null!;
    string _cache = null!;

    [SetUp]
    public void SetUp()
    {
        _hub = new MockHub();
        _cache = Directory.CreateTempSubdirectory("hv-hub-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _hub.Dispose();

        Directory.Delete(_cache, recursive: true);
    }

    HubOptions Options(string? token = null, bool offline = false) => new()
    {
        Endpoint = _hub.Endpoint,
        CacheDirectory = _cache,
        Token = token,
        Offline = offline,
        EtagTimeout = TimeSpan.FromSeconds(5),
        DownloadTimeout = TimeSpan.FromSeconds(5),
        MaxRetries = 2,
        RetryDelay = TimeSpan.FromMilliseconds(10),
    };

    string Pull(string repo, HubOptions? options = null, string revision = "main")
    {
        using var puller = new ModelPuller(options ?? Options());
        return puller.Pull(HubRepoId.Parse(repo), revision);
    }

    HipVisionException PullFails(string repo, HubOptions? options = null, string revision = "main")
    {
        var e = Assert.Throws<HipVisionException>(() => Pull(repo, options, revision))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Not.Contain('\n'), "one line");
        return e;
    }

    MockRepo TinyVitRepo(string id = "hv-test/tiny-vit") => _hub.AddFixtureRepo(id, TinyVit, SafetensorsFiles);

    IEnumerable<MockRequest> Gets(string file) => _hub.Requests.Where(r => r.Method == "GET" && (r.Path.EndsWith("/" + file) || r.IsCdn && file.EndsWith(".safetensors")));

    [Test]
    public void Pull_safetensorsRepo_cacheHasTheHuggingfaceHubLayout()
    {
        var repo = TinyVitRepo();
        var snapshot = Pull(repo.Id);

        Assert.That(snapshot, Is.EqualTo(Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), "snapshots", repo.Commit)));
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
        Assert.That(File.Exists(Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), ".no_exist", repo.Commit)), Is.False);
        Assert.That(_hub.Requests.Where(r => r.Path.Contains("/resolve/")).Skip(1).Select(r => r.Path),
            Has.All.Contains($"/resolve/{repo.Commit}/"), "after config.json every file is asked for at the resolved commit");
    }

    [Test]
    public void Pull_twice_secondPullOnlyAsksForMetadata()
    {
        var repo = TinyVitRepo();
        Pull(repo.Id);
        int before = _hub.Requests.Count;
        Pull(repo.Id);
        var second = _hub.Requests.Skip(before).ToList();
        Assert.That(second.Select(r => r.Method), Has.All.EqualTo("HEAD"), "cached blobs are not downloaded again");
    }

    [Test]
    public void Pull_downloadInterruptedHalfWay_resumesWithRangeByteIdentical()
    {
        var repo = TinyVitRepo();
        int weights = repo.Files["model.safetensors"].Bytes.Length, half = weights / 2;
        int cdnGets = 0;
        _hub.Fault = r => r.IsCdn && Interlocked.Increment(ref cdnGets) == 1 ? new MockFault(CutAfter: half) : null;
        var progress = new RecordingProgress();

        Pull(repo.Id, Options() with { Progress = progress });

        Assert.That(progress.Retries, Has.Count.EqualTo(1));
        Assert.That(progress.Retries[0], Does.Contain("model.safetensors").And.Contain("broke off"), "a dropped connection, not a timeout");

        var cdn = _hub.Requests.Where(r => r.IsCdn).ToList();
        Assert.That(cdn, Has.Count.EqualTo(2), "one cut GET, one resumed GET");
        Assert.That(cdn[0].Range, Is.Null);
        Assert.That(cdn[1].Range, Does.Match(@"^bytes=\d+-$"), "the retry asks only for the rest");
        long resumedAt = long.Parse(cdn[1].Range!["bytes=".Length..^1]);
        Assert.That(resumedAt, Is.GreaterThan(0).And.LessThanOrEqualTo(half), "it kept what had arrived");
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Pull_partialBlobLeftByAnEarlierRun_isResumedWithRange()
    {
        var repo = TinyVitRepo();
        var file = repo.Files["model.safetensors"];
        int half = file.Bytes.Length / 2;
        var blobs = Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, file.Sha256 + ".incomplete"), file.Bytes[..half]);

        Pull(repo.Id);

        Assert.That(_hub.Requests.Where(r => r.IsCdn).Select(r => r.Range), Is.EqualTo(new[] { $"bytes={half}-" }));
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Pull_twoAtOnce_downloadTheBlobOnceUnderItsLock()
    {
        var repo = TinyVitRepo();
        _hub.Fault = r => r.IsCdn ? new MockFault(Delay: TimeSpan.FromMilliseconds(500)) : null;
        var pulls = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Pull(repo.Id))).ToArray();
        Task.WaitAll(pulls);
        Assert.That(pulls.Select(p => p.Result).Distinct().Count(), Is.EqualTo(1));
        Assert.That(_hub.Requests.Count(r => r.IsCdn), Is.EqualTo(1), "the second pull waited for the lock and found the blob");
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Pull_wrongChecksum_isRejectedAndNothingIsPublished()
    {
        var repo = TinyVitRepo();
        _hub.Fault = r => r.IsCdn ? new MockFault(Corrupt: true) : null;

        var e = PullFails(repo.Id);

        Assert.That(e.Message, Does.Contain("model.safetensors").And.Contain("checksum").And.Contain(repo.Files["model.safetensors"].Sha256));
        var dir = HfCacheLayout.RepoDir(_cache, repo.Id);
        var blobs = Directory.GetFiles(Path.Combine(dir, "blobs")).Select(Path.GetFileName);
        Assert.That(blobs, Does.Not.Contain(repo.Files["model.safetensors"].Sha256), "no blob under the etag");
        Assert.That(blobs.Where(b => b!.EndsWith(".incomplete")), Is.Empty, "the corrupt partial file is not kept for resuming");
        Assert.That(File.Exists(Path.Combine(dir, "snapshots", repo.Commit, "model.safetensors")), Is.False, "nothing in the snapshot");
        Assert.That(Directory.Exists(Path.Combine(dir, "refs")), Is.False, "no ref to an incomplete snapshot");
    }

    [Test]
    public void Pull_wrongChecksumOfARegularFile_isRejectedByItsGitBlobId()
    {
        var repo = TinyVitRepo();
        _hub.Fault = r => r.Method == "GET" && r.Path.EndsWith("/config.json") ? new MockFault(Corrupt: true) : null;
        var e = PullFails(repo.Id);
        Assert.That(e.Message, Does.Contain("config.json").And.Contain("git blob id"));
        Assert.That(File.Exists(Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), "blobs", repo.Files["config.json"].GitSha1)), Is.False);
    }

    [Test]
    public void Pull_unknownRepo_404NamesTheRepo()
    {
        var e = PullFails("hv-test/no-such-model");
        Assert.That(e.Message, Does.Contain("hv-test/no-such-model").And.Contain("not found").And.Contain("404"));
    }

    [Test]
    public void Pull_unknownRevision_404NamesTheRevision()
    {
        var repo = TinyVitRepo();
        var e = PullFails(repo.Id, revision: "v9");
        Assert.That(e.Message, Does.Contain(repo.Id).And.Contain("'v9'").And.Contain("404"));
    }

    [TestCase("")]
    [TestCase("../../outside")]
    [TestCase("/abs")]
    public void Pull_revisionThatIsNoRefName_isRejectedBeforeAnyRequest(string revision)
    {
        var e = PullFails(TinyVitRepo().Id, revision: revision);
        Assert.That(e.Message, Does.Contain("is not a revision"));
        Assert.That(_hub.Requests, Is.Empty);
    }

    [Test]
    public void Pull_revisionWithSlash_isSentAsOneEscapedSegmentAndRecordedUnderRefs()
    {
        var repo = TinyVitRepo();
        repo.Revisions.Add("refs/pr/1");
        Pull(repo.Id, revision: "refs/pr/1");
        Assert.That(_hub.Requests.First().RawPath, Does.Contain("/resolve/refs%2Fpr%2F1/config.json"));
        var refFile = Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), "refs", "refs", "pr", "1");
        Assert.That(File.ReadAllText(refFile), Is.EqualTo(repo.Commit), "refs/refs/pr/1, as huggingface_hub writes it");
        Assert.That(Pull(repo.Id, Options(offline: true), revision: "refs/pr/1"), Does.EndWith(repo.Commit));
    }

    [Test]
    public void Pull_repoWithoutConfig_404NamesTheFileAndRevision()
    {
        var repo = _hub.AddFixtureRepo("hv-test/weights-only", TinyVit, "model.safetensors");
        var e = PullFails(repo.Id);
        Assert.That(e.Message, Does.Contain("config.json").And.Contain("'main'").And.Contain("404"));
    }

    [Test]
    public void Pull_gatedRepoWithoutToken_401SaysToSetHfToken()
    {
        var repo = _hub.AddRepo("hv-test/gated", token: "hf_secret");
        repo.Add("config.json", File.ReadAllBytes(Path.Combine(TinyVit, "config.json")), lfs: false);
        var e = PullFails(repo.Id);
        Assert.That(e.Message, Does.Contain("401").And.Contain("HF_TOKEN").And.Contain("gated"));
    }

    [Test]
    public void Pull_gatedRepoWithWrongToken_403SaysToSetHfToken()
    {
        var repo = _hub.AddRepo("hv-test/gated", token: "hf_secret");
        repo.Add("config.json", File.ReadAllBytes(Path.Combine(TinyVit, "config.json")), lfs: false);
        var e = PullFails(repo.Id, Options(token: "hf_wrong"));
        Assert.That(e.Message, Does.Contain("403").And.Contain("HF_TOKEN"));
        Assert.That(e.Message, Does.Not.Contain("hf_wrong"), "the token never appears in a message");
    }

    [Test]
    public void Pull_gatedRepoWithToken_sendsItAsBearer()
    {
        var fixture = _hub.AddFixtureRepo("hv-test/open", TinyVit, SafetensorsFiles);
        var repo = _hub.AddRepo("hv-test/gated", token: "hf_secret");
        foreach (var (name, f) in fixture.Files) repo.Add(name, f.Bytes, f.Lfs);
        Pull(repo.Id, Options(token: "hf_secret"));
        Assert.That(_hub.Requests.Where(r => r.Path.Contains("/resolve/")).Select(r => r.Authorization), Has.All.EqualTo("Bearer hf_secret"));
        Assert.That(_hub.Requests.Where(r => r.IsCdn).Select(r => r.Authorization), Has.All.Null, "the token never goes to another origin (the CDN)");
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Pull_serverSlowerThanTheTimeout_retriesThenSaysItTimedOut()
    {
        var repo = TinyVitRepo();
        _hub.Fault = _ => new MockFault(Delay: TimeSpan.FromSeconds(2));
        var options = Options() with { EtagTimeout = TimeSpan.FromMilliseconds(150), MaxRetries = 2 };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = PullFails(repo.Id, options);

        Assert.That(e.Message, Does.Contain("timed out").And.Contain("3 attempts").And.Contain("HF_HUB_ETAG_TIMEOUT"));
        Assert.That(_hub.Requests.Count(r => r.Path.EndsWith("/config.json")), Is.EqualTo(3), "the first try and 2 retries");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "each attempt gives up at the timeout");
    }

    [Test]
    public void Pull_stalledDownloadBody_timesOutAndResumes()
    {
        var repo = TinyVitRepo();
        int cdnGets = 0;
        // The first CDN answer sends headers and then nothing (a stall longer than the download timeout).
        _hub.Fault = r => r.IsCdn && Interlocked.Increment(ref cdnGets) == 1 ? new MockFault(Delay: TimeSpan.FromSeconds(2)) : null;
        Pull(repo.Id, Options() with { DownloadTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.That(cdnGets, Is.EqualTo(2));
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Pull_transient503_isRetriedAndSucceeds()
    {
        var repo = TinyVitRepo();
        int configHeads = 0, cdnGets = 0;
        _hub.Fault = r =>
            r.Method == "HEAD" && r.Path.EndsWith("/config.json") && Interlocked.Increment(ref configHeads) == 1 ? new MockFault(Status: 503)
            : r.IsCdn && Interlocked.Increment(ref cdnGets) == 1 ? new MockFault(Status: 502)
            : null;
        Pull(repo.Id);
        Assert.That((configHeads, cdnGets), Is.EqualTo((2, 2)));
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Pull_cdnRefuses_saysToRunAgainNotToChangeTheToken()
    {
        var repo = TinyVitRepo();
        _hub.Fault = r => r.IsCdn ? new MockFault(Status: 403) : null;
        var e = PullFails(repo.Id);
        Assert.That(e.Message, Does.Contain("model.safetensors").And.Contain("403").And.Contain("run the command again"));
        Assert.That(e.Message, Does.Not.Contain("HF_TOKEN"));
    }

    [Test]
    public void Pull_persistent503_saysSoAfterTheRetries()
    {
        var repo = TinyVitRepo();
        _hub.Fault = _ => new MockFault(Status: 503);
        var e = PullFails(repo.Id);
        Assert.That(e.Message, Does.Contain("503").And.Contain("3 attempts").And.Contain("try again later"));
    }

    [Test]
    public void Pull_noServerListening_saysToUseOfflineOrALocalPath()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var e = PullFails("hv-test/tiny-vit", Options() with { Endpoint = $"http://127.0.0.1:{port}" });
        Assert.That(e.Message, Does.Contain("cannot reach").And.Contain("--offline").And.Contain("HF_HUB_OFFLINE").And.Contain("local model directory"));
    }

    [Test]
    public void Pull_shardedCheckpoint_fetchesEveryShardAndLoadsLikeTheSingleFile()
    {
        var repo = _hub.AddFixtureRepo("hv-test/tiny-vit-sharded", TinyVit, "config.json", "preprocessor_config.json");
        var (shards, index) = Shard(Path.Combine(TinyVit, "model.safetensors"), 2);
        foreach (var (name, bytes) in shards) repo.Add(name, bytes, lfs: true);
        repo.Add(SafeTensorsWeights.IndexFileName, index, lfs: false);

        var snapshot = Pull(repo.Id);

        HfCacheLayout.AssertHolds(_cache, repo, [.. repo.Files.Keys]);
        Assert.That(File.Exists(Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), ".no_exist", repo.Commit, "model.safetensors")), Is.True,
            "the absent single file is noted as huggingface_hub notes it");
        HubAssert.SameLogits(snapshot, TinyVit);
    }

    [Test]
    public void Pull_repoWithOnlyPytorchModelBin_fetchesIt()
    {
        var repo = _hub.AddFixtureRepo("hv-test/tiny-vit-pt", TinyVit, "config.json", "preprocessor_config.json", PyTorchCheckpoint.FileName);
        var snapshot = Pull(repo.Id);
        HfCacheLayout.AssertHolds(_cache, repo, [.. repo.Files.Keys]);
        Assert.That(Directory.GetFiles(snapshot).Select(Path.GetFileName), Is.EquivalentTo(repo.Files.Keys));
        HubAssert.SameLogits(snapshot, TinyVit);
    }

    [Test]
    public void Pull_repoWithoutWeights_listsWhatItLookedFor()
    {
        var repo = _hub.AddFixtureRepo("hv-test/config-only", TinyVit, "config.json");
        var e = PullFails(repo.Id);
        Assert.That(e.Message, Does.Contain("no weights").And.Contain("model.safetensors").And.Contain("pytorch_model.bin"));
    }

    [Test]
    public void Pull_renamedRepo_followsTheRelativeRedirectAndCachesUnderTheIdAskedFor()
    {
        var repo = TinyVitRepo();
        _hub.Renamed["hv-test/old-name"] = repo.Id;
        var snapshot = Pull("hv-test/old-name");
        Assert.That(snapshot, Does.StartWith(HfCacheLayout.RepoDir(_cache, "hv-test/old-name")));
        Assert.That(_hub.Requests.Where(r => r.Method == "GET" && !r.IsCdn).Select(r => r.Path), Has.All.StartWith("/" + repo.Id + "/"),
            "regular files are fetched from where the redirect pointed");
        HubAssert.SameLogits(snapshot, TinyVit);
    }

    [Test]
    public void Pull_revisionByCommitHash_needsNoRef()
    {
        var repo = TinyVitRepo();
        var snapshot = Pull(repo.Id, revision: repo.Commit);
        Assert.That(Path.GetFileName(snapshot), Is.EqualTo(repo.Commit));
        Assert.That(Directory.Exists(Path.Combine(HfCacheLayout.RepoDir(_cache, repo.Id), "refs")), Is.False);
    }

    [Test]
    public void Offline_cacheLaidOutByHuggingfaceHub_isUsedWithoutAnyRequest()
    {
        var repo = _hub.AddFixtureRepo("hv-test/tiny-vit", TinyVit, SafetensorsFiles);
        var expected = HfCacheLayout.Write(_cache, repo);

        Assert.That(Pull(repo.Id, Options(offline: true)), Is.EqualTo(expected));
        Assert.That(ModelLocator.Locate(repo.Id, Options()), Is.EqualTo(expected), "implicit use takes the cached snapshot, even online");
        Assert.That(_hub.Requests, Is.Empty, "no request reached the hub");
        HubAssert.SameLogits(expected, TinyVit);
    }

    [Test]
    public void Pull_overACacheLaidOutByHuggingfaceHub_downloadsNothing()
    {
        var repo = _hub.AddFixtureRepo("hv-test/tiny-vit", TinyVit, SafetensorsFiles);
        HfCacheLayout.Write(_cache, repo);
        Pull(repo.Id);
        Assert.That(_hub.Requests.Select(r => r.Method), Has.All.EqualTo("HEAD"));
        HfCacheLayout.AssertHolds(_cache, repo, SafetensorsFiles);
    }

    [Test]
    public void Offline_notCached_saysSoAndHowToFixIt()
    {
        var e = PullFails("hv-test/tiny-vit", Options(offline: true));
        Assert.That(e.Message, Does.Contain("hv-test/tiny-vit").And.Contain("not in the hub cache").And.Contain(_cache).And.Contain("offline"));
        Assert.That(_hub.Requests, Is.Empty);
    }

    [Test]
    public void Offline_snapshotWithoutWeights_isNotTakenAsCached()
    {
        var repo = _hub.AddFixtureRepo("hv-test/tiny-vit", TinyVit, "config.json");
        HfCacheLayout.Write(_cache, repo); // as after a Python AutoConfig.from_pretrained: config only
        var e = PullFails(repo.Id, Options(offline: true));
        Assert.That(e.Message, Does.Contain("has no weights"));
    }

    [Test]
    public void ModelLocator_localDirectory_isReturnedAsGiven()
    {
        Assert.That(ModelLocator.Locate(TinyVit, Options()), Is.EqualTo(TinyVit));
        Assert.That(ModelLocator.Locate("no/such/dir", Options()), Is.EqualTo("no/such/dir"), "not a hub id: the loader reports it");
        Assert.That(_hub.Requests, Is.Empty);
    }

    [Test]
    public void VisionModelLoad_hubId_pullsOnFirstUseAndGivesTheFixtureLogits()
    {
        var repo = TinyVitRepo();
        using (var model = VisionModel.Load(repo.Id, new VisionModelOptions { Backend = BackendKind.Cpu, Hub = Options() }))
            Assert.That(model.Source, Does.StartWith(_cache));
        int requests = _hub.Requests.Count;
        HubAssert.SameLogits(ModelLocator.Locate(repo.Id, Options()), TinyVit);
        Assert.That(_hub.Requests, Has.Count.EqualTo(requests), "the second use asks nothing");
    }

    /// <summary>Splits a safetensors file into <paramref name="count"/> shards and their index, as transformers names them.</summary>
    static (List<(string Name, byte[] Bytes)> Shards, byte[] Index) Shard(string path, int count)
    {
        using var source = SafeTensorsFile.Open(path);
        var tmp = Directory.CreateTempSubdirectory("hv-shard-").FullName;
        try
        {
            var shards = new List<(string, byte[])>();
            var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var tensors = source.Tensors;
            for (int s = 0; s < count; s++)
            {
                var name = $"model-{s + 1:D5}-of-{count:D5}.safetensors";
                var writer = new SafeTensorsWriter();
                foreach (var t in tensors.Where((_, i) => i % count == s))
                {
                    writer.Add(t.Name, t.Dtype, t.Shape, source.Bytes(t.Name));
                    map[t.Name] = name;
                }
                writer.Write(Path.Combine(tmp, name));
                shards.Add((name, File.ReadAllBytes(Path.Combine(tmp, name))));
            }
            var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, long> { ["total_size"] = tensors.Sum(t => t.ByteLength) },
                ["weight_map"] = map,
            });
            return (shards, System.Text.Encoding.UTF8.GetBytes(json));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}

/// <summary>Records what a pull reports.</summary>
sealed class RecordingProgress : IHubProgress
{
    public List<string> Retries { get; } = [];
    public List<(string File, long Total, long Resumed)> Started { get; } = [];
    public List<(string File, bool Downloaded)> Completed { get; } = [];
    public long Bytes { get; private set; }

    public void FileStarted(string file, long totalBytes, long resumedBytes) => Started.Add((file, totalBytes, resumedBytes));
    public void BytesReceived(string file, long count) => Bytes += count;
    public void FileCompleted(string file, long totalBytes, bool downloaded) => Completed.Add((file, downloaded));
    public void Retrying(string file, string reason, TimeSpan delay) => Retries.Add($"{file}: {reason}");
}

/// <summary>Logits of a pulled snapshot against the fixture directory they came from: bit-identical.</summary>
static class HubAssert
{
    public static void SameLogits(string pulled, string fixture)
    {
        var pixels = NpyFile.ReadFloat32(Path.Combine(fixture, "pixel_values.npy"), out var shape);
        var options = new VisionModelOptions { Backend = BackendKind.Cpu, Threads = 1 };
        using var a = VisionModel.Load(pulled, options);
        using var b = VisionModel.Load(fixture, options);
        Assert.That(a.Run(pixels, shape[0]), Is.EqualTo(b.Run(pixels, shape[0])), "logits of the pulled model equal those of the fixture directory");
    }
}
