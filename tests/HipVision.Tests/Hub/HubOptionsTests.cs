using HipVision.Hub;

namespace HipVision.Tests.Hub;

/// <summary>Hub ids and the environment variables huggingface_hub reads, read the same way.</summary>
public class HubOptionsTests
{
    static HubOptions FromEnv(params (string Name, string Value)[] vars)
    {
        var map = vars.ToDictionary(v => v.Name, v => v.Value);
        return HubOptions.FromEnvironment(name => map.GetValueOrDefault(name));
    }

    [TestCase("google/vit-base-patch16-224")]
    [TestCase("timm/mobilenetv3_large_100.ra_in1k")]
    [TestCase("a/b")]
    public void HubRepoId_validId_parsesWithItsCacheFolder(string id)
    {
        Assert.That(HubRepoId.TryParse(id, out var repo), Is.True);
        Assert.That(repo.ToString(), Is.EqualTo(id));
        Assert.That(repo.CacheFolderName, Is.EqualTo("models--" + id.Replace("/", "--")));
    }

    [TestCase("")]
    [TestCase("vit")]
    [TestCase("weights/vit/base")]
    [TestCase("/abs/path")]
    [TestCase("./model")]
    [TestCase("../x")]
    [TestCase("a/b.")]
    [TestCase("a--b/c")]
    [TestCase("a/b c")]
    [TestCase("a\\b")]
    [TestCase("a/")]
    public void HubRepoId_notAnId_isRejected(string text) => Assert.That(HubRepoId.TryParse(text, out _), Is.False);

    [Test]
    public void ModelLocator_isHubId_onlyWhenNoSuchPathExists()
    {
        Assert.That(ModelLocator.IsHubId("hv-test/surely-not-a-local-dir"), Is.True);
        Assert.That(ModelLocator.IsHubId(Path.GetRelativePath(Environment.CurrentDirectory, Fixtures.Model("tiny-vit"))), Is.False);
        var cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = Path.Combine(Fixtures.Root);
            Assert.That(ModelLocator.IsHubId("models/tiny-vit"), Is.False, "an existing local directory wins over the hub id of the same shape");
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
    }

    [Test]
    public void FromEnvironment_nothingSet_usesTheHubAndTheUsersCache()
    {
        var o = FromEnv();
        Assert.That(o.Endpoint, Is.EqualTo("https://huggingface.co"));
        Assert.That(o.CacheDirectory, Does.EndWith(Path.Combine(".cache", "huggingface", "hub")));
        Assert.That(o.Offline, Is.False);
        Assert.That(o.EtagTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void FromEnvironment_cacheDirectory_followsHuggingfaceHubPrecedence()
    {
        Assert.That(FromEnv(("XDG_CACHE_HOME", "/x")).CacheDirectory, Is.EqualTo("/x/huggingface/hub"));
        Assert.That(FromEnv(("XDG_CACHE_HOME", "/x"), ("HF_HOME", "/h")).CacheDirectory, Is.EqualTo("/h/hub"));
        Assert.That(FromEnv(("HF_HOME", "/h"), ("HUGGINGFACE_HUB_CACHE", "/legacy")).CacheDirectory, Is.EqualTo("/legacy"));
        Assert.That(FromEnv(("HF_HOME", "/h"), ("HUGGINGFACE_HUB_CACHE", "/legacy"), ("HF_HUB_CACHE", "/c")).CacheDirectory, Is.EqualTo("/c"));
    }

    [TestCase("1", true)]
    [TestCase("true", true)]
    [TestCase("YES", true)]
    [TestCase("on", true)]
    [TestCase("0", false)]
    [TestCase("", false)]
    [TestCase("no", false)]
    public void FromEnvironment_hfHubOffline_truthyValues(string value, bool offline) =>
        Assert.That(FromEnv(("HF_HUB_OFFLINE", value)).Offline, Is.EqualTo(offline));

    [Test]
    public void FromEnvironment_endpointTokenAndTimeouts()
    {
        var o = FromEnv(("HF_ENDPOINT", "http://127.0.0.1:8080/"), ("HF_TOKEN", "hf_abc"), ("HF_HUB_ETAG_TIMEOUT", "2.5"), ("HF_HUB_DOWNLOAD_TIMEOUT", "30"));
        Assert.That(o.Endpoint, Is.EqualTo("http://127.0.0.1:8080"));
        Assert.That(o.Token, Is.EqualTo("hf_abc"));
        Assert.That(o.ToString(), Does.Not.Contain("hf_abc"), "the token never reaches a log");
        Assert.That(o.EtagTimeout, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
        Assert.That(o.DownloadTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.Throws<HipVisionException>(() => FromEnv(("HF_HUB_DOWNLOAD_TIMEOUT", "soon")));
    }

    [Test]
    public void FromEnvironment_tokenFileOfHuggingfaceCliLogin_isRead()
    {
        var home = Directory.CreateTempSubdirectory("hv-hfhome-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(home, "token"), "hf_fromfile\n");
            Assert.That(FromEnv(("HF_HOME", home)).Token, Is.EqualTo("hf_fromfile"));
            Assert.That(FromEnv(("HF_HOME", home), ("HF_TOKEN", "hf_env")).Token, Is.EqualTo("hf_env"), "HF_TOKEN wins");
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
