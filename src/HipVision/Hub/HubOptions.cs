using System.Globalization;

namespace HipVision.Hub;

/// <summary>
/// Where and how to reach the Hugging Face hub, and where its cache is. <see cref="FromEnvironment()"/> reads the
/// variables huggingface_hub reads, so both share one cache and one configuration.
/// </summary>
public sealed record HubOptions
{
    /// <summary>The public hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>Base URL of the hub (<c>HF_ENDPOINT</c>), without a trailing slash.</summary>
    public string Endpoint { get; init; } = DefaultEndpoint;

    /// <summary>Access token sent as <c>Authorization: Bearer</c> to the endpoint (<c>HF_TOKEN</c>); null for none.</summary>
    public string? Token { get; init; }

    /// <summary>The hub cache directory (<c>HF_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>, else <c>~/.cache/huggingface/hub</c>).</summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory(name => Environment.GetEnvironmentVariable(name));

    /// <summary>Use only the cache, never the network (<c>HF_HUB_OFFLINE=1</c>).</summary>
    public bool Offline { get; init; }

    /// <summary>Longest wait for the answer to a metadata (HEAD) request (<c>HF_HUB_ETAG_TIMEOUT</c>, seconds; default 10).</summary>
    public TimeSpan EtagTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest wait for a download's response headers, and then for each chunk of its body
    /// (<c>HF_HUB_DOWNLOAD_TIMEOUT</c>, seconds; default 10): a stalled transfer fails, a long one does not.
    /// </summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a transient failure (5xx, 429, timeout, dropped connection); default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>Wait before the first retry; it doubles for each further one (default 1 s, so 1, 2, 4, 8 s), capped at 30 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Told about each file's download; null for none.</summary>
    public IHubProgress? Progress { get; init; }

    /// <summary>
    /// Options from the environment: <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c> (else <c>HUGGING_FACE_HUB_TOKEN</c>, else
    /// the file <c>HF_TOKEN_PATH</c> or <c>$HF_HOME/token</c> that <c>huggingface-cli login</c> writes),
    /// <c>HF_HUB_CACHE</c> (else <c>HUGGINGFACE_HUB_CACHE</c>), <c>HF_HOME</c>, <c>XDG_CACHE_HOME</c>,
    /// <c>HF_HUB_OFFLINE</c>, <c>HF_HUB_ETAG_TIMEOUT</c>, <c>HF_HUB_DOWNLOAD_TIMEOUT</c>.
    /// </summary>
    public static HubOptions FromEnvironment() => FromEnvironment(name => Environment.GetEnvironmentVariable(name));

    /// <summary><see cref="FromEnvironment()"/> with the variables read through <paramref name="get"/> (tests).</summary>
    public static HubOptions FromEnvironment(Func<string, string?> get)
    {
        var options = new HubOptions
        {
            Endpoint = NonEmpty(get("HF_ENDPOINT"))?.TrimEnd('/') ?? DefaultEndpoint,
            Token = NonEmpty(get("HF_TOKEN")) ?? NonEmpty(get("HUGGING_FACE_HUB_TOKEN")) ?? TokenFile(get),
            CacheDirectory = DefaultCacheDirectory(get),
            Offline = IsTrue(get("HF_HUB_OFFLINE")),
        };
        if (Seconds(get, "HF_HUB_ETAG_TIMEOUT") is { } etag) options = options with { EtagTimeout = etag };
        if (Seconds(get, "HF_HUB_DOWNLOAD_TIMEOUT") is { } download) options = options with { DownloadTimeout = download };
        return options;
    }

    /// <summary>The options without the token's value, which must not reach a log.</summary>
    public override string ToString() =>
        $"HubOptions {{ Endpoint = {Endpoint}, Token = {(Token is null ? "none" : "set")}, CacheDirectory = {CacheDirectory}, Offline = {Offline} }}";

    static string HfHome(Func<string, string?> get) =>
        NonEmpty(get("HF_HOME")) is { } home ? ExpandHome(home)
        : Path.Combine(NonEmpty(get("XDG_CACHE_HOME")) is { } xdg ? ExpandHome(xdg) : Path.Combine(UserHome(), ".cache"), "huggingface");

    static string DefaultCacheDirectory(Func<string, string?> get) =>
        NonEmpty(get("HF_HUB_CACHE")) is { } cache ? ExpandHome(cache)
        : NonEmpty(get("HUGGINGFACE_HUB_CACHE")) is { } legacy ? ExpandHome(legacy)
        : Path.Combine(HfHome(get), "hub");

    static string? TokenFile(Func<string, string?> get)
    {
        var path = NonEmpty(get("HF_TOKEN_PATH")) is { } p ? ExpandHome(p) : Path.Combine(HfHome(get), "token");
        try { return File.Exists(path) ? NonEmpty(File.ReadAllText(path).Trim()) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    // huggingface_hub's truthy values.
    static bool IsTrue(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    static TimeSpan? Seconds(Func<string, string?> get, string name)
    {
        var text = NonEmpty(get(name));
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || !(s > 0) || s > 86400)
            throw new HipVisionException($"{name}={text}: expected a number of seconds greater than 0");
        return TimeSpan.FromSeconds(s);
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : Path.GetTempPath();

    static string ExpandHome(string path) =>
        path == "~" ? UserHome() : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(), path[2..]) : path;
}
