using HipVision.Tests.Cli;
using HipVision.Tests.Imaging;

namespace HipVision.Tests.Hub;

/// <summary>
/// The hub through the real <c>hipvision</c> command: <c>HF_ENDPOINT</c> points at <see cref="MockHub"/>,
/// <c>HF_HUB_CACHE</c> at a temporary directory, and a hub id given to --model gives what the fixture directory gives.
/// </summary>
public class HubCliTests
{
    static readonly string TinyVit = Fixtures.Model("tiny-vit");
    const string Repo = "hv-test/tiny-vit";

    MockHub _hub = null!;
    string _tmp = null!;
    MockRepo _repo = null!;

    string Cache => Path.Combine(_tmp, "hub");

    [SetUp]
    public void SetUp()
    {
        _hub = new MockHub();
        _tmp = Directory.CreateTempSubdirectory("hv-hubcli-").FullName;
        _repo = _hub.AddFixtureRepo(Repo, TinyVit, "config.json", "preprocessor_config.json", "model.safetensors");
    }

    [TearDown]
    public void TearDown()
    {
        _hub.Dispose();
        Directory.Delete(_tmp, recursive: true);
    }

    Dictionary<string, string?> Env(string? endpoint = null) => new()
    {
        ["HF_ENDPOINT"] = endpoint ?? _hub.Endpoint,
        ["HF_HUB_CACHE"] = Cache,
        ["HF_HOME"] = Path.Combine(_tmp, "home"), // no token file of the machine's user
        ["HF_TOKEN"] = null,
        ["HUGGING_FACE_HUB_TOKEN"] = null,
        ["HF_HUB_OFFLINE"] = null,
        ["HF_HUB_ETAG_TIMEOUT"] = null,
        ["HF_HUB_DOWNLOAD_TIMEOUT"] = null,
    };

    static string DeadEndpoint()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}";
    }

    string Snapshot => Path.Combine(HfCacheLayout.RepoDir(Cache, Repo), "snapshots", _repo.Commit);

    [Test]
    public void Classify_hubId_pullsOnFirstUseAndPrintsWhatTheFixtureDirectoryGives()
    {
        var image = ImagingFixtures.ImageFile("chelsea");
        var pulled = CliRunner.Run(Env(), ["classify", image, "--model", Repo, "--json"]);
        CliAssert.Ok(pulled); // stderr is not a terminal: the pull is silent
        var local = CliRunner.Run(Env(), ["classify", image, "--model", TinyVit, "--json"]);
        CliAssert.Ok(local);
        Assert.That(pulled.Stdout, Is.EqualTo(local.Stdout));
        HfCacheLayout.AssertHolds(Cache, _repo, _repo.Files.Keys);
    }

    [Test]
    public void Run_hubId_logitsIdenticalToTheFixtureDirectory()
    {
        var input = Path.Combine(TinyVit, "pixel_values.npy");
        string a = Path.Combine(_tmp, "hub.npy"), b = Path.Combine(_tmp, "local.npy");
        CliAssert.Ok(CliRunner.Run(Env(), ["run", "--model", Repo, "--input", input, "--output", a]));
        CliAssert.Ok(CliRunner.Run(Env(), ["run", "--model", TinyVit, "--input", input, "--output", b]));
        Assert.That(File.ReadAllBytes(a), Is.EqualTo(File.ReadAllBytes(b)), "logits .npy byte-identical");
    }

    [Test]
    public void Pull_printsTheSnapshotDirectoryAndOneLinePerFile()
    {
        var r = CliRunner.Run(Env(), ["pull", Repo]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stdout, Is.EqualTo(Snapshot + "\n"));
        Assert.That(r.StderrLines, Is.EqualTo(new[]
        {
            $"config.json: downloaded {_repo.Files["config.json"].Bytes.Length:N0} bytes",
            $"preprocessor_config.json: downloaded {_repo.Files["preprocessor_config.json"].Bytes.Length:N0} bytes",
            $"model.safetensors: downloaded {_repo.Files["model.safetensors"].Bytes.Length:N0} bytes",
        }), r.ToString());

        var again = CliRunner.Run(Env(), ["pull", Repo]);
        Assert.That(again.StderrLines, Has.All.EndsWith(": cached"), again.ToString());
    }

    [Test]
    public void Offline_afterAPull_needsNoNetwork()
    {
        Assert.That(CliRunner.Run(Env(), ["pull", Repo]).ExitCode, Is.EqualTo(0));
        var dead = DeadEndpoint();

        var pull = CliRunner.Run(Env(dead), ["pull", Repo, "--offline"]);
        Assert.That(pull.ExitCode, Is.EqualTo(0), pull.ToString());
        Assert.That(pull.Stdout, Is.EqualTo(Snapshot + "\n"));

        var env = Env(dead);
        env["HF_HUB_OFFLINE"] = "1";
        CliAssert.Ok(CliRunner.Run(env, ["inspect", "--model", Repo, "--json"]));
    }

    [Test]
    public void Offline_notCached_oneLineError()
    {
        var r = CliRunner.Run(Env(), ["classify", ImagingFixtures.ImageFile("chelsea"), "--model", Repo, "--offline"]);
        CliAssert.RuntimeError(r, Repo, "not in the hub cache", Cache);
        Assert.That(_hub.Requests, Is.Empty);
    }

    [Test]
    public void Pull_gatedRepo_401OneLineSaysToSetHfToken()
    {
        _hub.AddRepo("hv-test/gated", token: "hf_secret").Add("config.json", [], lfs: false);
        CliAssert.RuntimeError(CliRunner.Run(Env(), ["pull", "hv-test/gated"]), "hv-test/gated", "401", "HF_TOKEN");
        var env = Env();
        env["HF_TOKEN"] = "hf_secret";
        var r = CliRunner.Run(env, ["classify", ImagingFixtures.ImageFile("chelsea"), "--model", "hv-test/gated"]);
        CliAssert.RuntimeError(r, "hv-test/gated", "no weights"); // the token got it past the gate
    }

    [Test]
    public void Classify_missingHubRepo_oneLineErrorNamesIt()
    {
        var r = CliRunner.Run(Env(), ["classify", ImagingFixtures.ImageFile("chelsea"), "--model", "hv-test/nope"]);
        CliAssert.RuntimeError(r, "hv-test/nope is not a local directory", "not found", "404");
    }

    [Test]
    public void Classify_noNetwork_oneLineErrorSaysOffline()
    {
        var r = CliRunner.Run(Env(DeadEndpoint()), ["classify", ImagingFixtures.ImageFile("chelsea"), "--model", Repo]);
        CliAssert.RuntimeError(r, "cannot reach", "--offline", "local model directory");
    }

    [Test]
    public void Pull_killedMidDownload_leavesOnlyAPartialBlobAndTheNextPullResumesIt()
    {
        var weights = _repo.Files["model.safetensors"];
        int half = weights.Bytes.Length / 2, cdnGets = 0;
        _hub.Fault = r => r.IsCdn && Interlocked.Increment(ref cdnGets) == 1 ? new MockFault(StallAfter: half) : null;
        var partial = Path.Combine(HfCacheLayout.RepoDir(Cache, Repo), "blobs", weights.Sha256 + ".incomplete");

        var info = new System.Diagnostics.ProcessStartInfo(CliRunner.DotnetHost) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { CliRunner.CliDll, "pull", Repo }) info.ArgumentList.Add(a);
        foreach (var (k, v) in Env()) if (v is null) info.Environment.Remove(k); else info.Environment[k] = v;
        using (var process = System.Diagnostics.Process.Start(info)!)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!(File.Exists(partial) && new FileInfo(partial).Length >= half) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
            TestContext.Out.WriteLine($"partial file at {half} bytes after {clock.Elapsed.TotalSeconds:F1} s; killing the pull");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.That(new FileInfo(partial).Length, Is.EqualTo(half), "what arrived is kept as blobs/{etag}.incomplete");
        Assert.That(File.Exists(Path.Combine(HfCacheLayout.RepoDir(Cache, Repo), "blobs", weights.Sha256)), Is.False, "no blob under the etag");
        Assert.That(File.Exists(Path.Combine(Snapshot, "model.safetensors")), Is.False, "no snapshot entry");
        Assert.That(Directory.Exists(Path.Combine(HfCacheLayout.RepoDir(Cache, Repo), "refs")), Is.False, "no ref to a partial snapshot");

        var r = CliRunner.Run(Env(), ["pull", Repo]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.Stderr, Does.Contain($"model.safetensors: resuming at {half:N0}"), r.ToString());
        Assert.That(_hub.Requests.Where(q => q.IsCdn).Select(q => q.Range), Is.EqualTo(new[] { null, $"bytes={half}-" }));
        HfCacheLayout.AssertHolds(Cache, _repo, _repo.Files.Keys);
    }

    [Test]
    public void Pull_notAHubId_isAUsageError() =>
        CliAssert.UsageError(CliRunner.Run(Env(), ["pull", "just-a-name"]), "owner/name");
}
