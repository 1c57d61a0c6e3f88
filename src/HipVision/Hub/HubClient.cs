using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace HipVision.Hub;

/// <summary>
/// The two requests a pull needs, against the hub's resolve URLs <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>:
/// a HEAD for a file's metadata (<see cref="HubFileMetadata"/>) and a GET of its bytes into a partial file,
/// resumed with an HTTP Range from what the partial file already holds. Transient failures (5xx, 429, a timeout,
/// a dropped connection) are retried with exponential backoff; every other failure becomes one
/// <see cref="HipVisionException"/> line saying what to do (set HF_TOKEN, check the id, go offline).
/// </summary>
/// <remarks>
/// Redirects are followed by hand: a HEAD follows only relative ones (a renamed repo) and stops at the absolute
/// redirect of an LFS file, whose headers carry the LFS etag and size and whose target is the CDN URL to GET. The
/// token is sent only to the endpoint's own origin, never to a CDN.
/// </remarks>
public sealed class HubClient : IDisposable
{
    const int MaxRedirects = 5;
    static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    readonly HttpClient _http;
    readonly HubOptions _options;
    readonly Uri _endpoint;

    /// <summary>A client for <paramref name="options"/>' endpoint; <paramref name="handler"/> replaces the socket handler (tests).</summary>
    public HubClient(HubOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        if (!Uri.TryCreate(options.Endpoint.TrimEnd('/') + "/", UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new HipVisionException($"HF_ENDPOINT={options.Endpoint}: not an http(s) URL");
        _endpoint = endpoint;
        handler ??= new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("hipvision", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    /// <summary>The endpoint, without a trailing slash.</summary>
    public string Endpoint => _endpoint.AbsoluteUri.TrimEnd('/');

    /// <summary><c>{endpoint}/{owner}/{name}/resolve/{revision}/{file}</c>, the revision escaped whole ("refs/pr/1" → "refs%2Fpr%2F1").</summary>
    public Uri ResolveUri(HubRepoId repo, string revision, string file) =>
        new(_endpoint, $"{repo.Owner}/{repo.Name}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>
    /// HEADs <paramref name="file"/> at <paramref name="revision"/>; null when the hub says the file is not there
    /// (404). A missing repository or revision, or a refused token, throws.
    /// </summary>
    /// <exception cref="HipVisionException">Any failure but a missing file, after retries where they make sense.</exception>
    public Task<HubFileMetadata?> GetMetadataAsync(HubRepoId repo, string revision, string file, CancellationToken cancel = default) =>
        WithRetries(repo, file, () => HeadOnceAsync(repo, revision, file, cancel), cancel);

    /// <summary>
    /// GETs the file into <paramref name="partialPath"/> (reporting bytes to <see cref="HubOptions.Progress"/>), continuing from the bytes it already holds (HTTP Range;
    /// a server that ignores the range sends the whole file, which replaces them). Retried failures resume too.
    /// Verifying the result is the caller's job.
    /// </summary>
    /// <exception cref="HipVisionException">The download failed for good.</exception>
    public Task DownloadAsync(HubRepoId repo, HubFileMetadata file, string partialPath, CancellationToken cancel = default) =>
        WithRetries(repo, file.File, () => DownloadOnceAsync(repo, file, partialPath, cancel), cancel);

    async Task<HubFileMetadata?> HeadOnceAsync(HubRepoId repo, string revision, string file, CancellationToken cancel)
    {
        var uri = ResolveUri(repo, revision, file);
        string? commit = null, linkedEtag = null, etag = null;
        long linkedSize = -1, length = -1;
        Uri? download = null;
        for (int hop = 0; ; hop++)
        {
            using var request = Request(HttpMethod.Head, uri);
            using var response = await SendAsync(request, _options.EtagTimeout, cancel);
            if (response.StatusCode == HttpStatusCode.NotFound && ErrorCode(response) is null or "EntryNotFound") return null;
            ThrowOnError(response, repo, revision, file);
            commit = Header(response, "X-Repo-Commit") ?? commit;
            linkedEtag = NormalizeEtag(Header(response, "X-Linked-Etag")) ?? linkedEtag;
            etag = NormalizeEtag(Header(response, "ETag")) ?? etag;
            if (long.TryParse(Header(response, "X-Linked-Size"), out var s)) linkedSize = s;
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                if (location.IsAbsoluteUri)
                {
                    download = location;
                    break;
                }
                if (hop == MaxRedirects) throw new HipVisionException($"{repo}: {file}: more than {MaxRedirects} redirects from {uri.Host}");
                uri = new Uri(uri, location);
                download = uri;
                continue;
            }
            if (response.Content.Headers.ContentLength is { } l) length = l;
            break;
        }
        if (commit is null || !HubCache.IsCommitHash(commit))
            throw new HipVisionException($"{repo}: {file}: {Endpoint} sent no commit hash (X-Repo-Commit); is HF_ENDPOINT a Hugging Face hub?");
        var tag = linkedEtag ?? etag
            ?? throw new HipVisionException($"{repo}: {file}: {Endpoint} sent no ETag, so the file cannot be cached or verified");
        if (!HubCache.SafeRelativePath(tag) || tag.Contains('/'))
            throw new HipVisionException($"{repo}: {file}: unusable ETag '{tag}' from {Endpoint}");
        return new HubFileMetadata(file, commit, tag, linkedSize >= 0 ? linkedSize : length, download ?? ResolveUri(repo, commit, file));
    }

    async Task<bool> DownloadOnceAsync(HubRepoId repo, HubFileMetadata file, string partialPath, CancellationToken cancel)
    {
        long have = File.Exists(partialPath) ? new FileInfo(partialPath).Length : 0;
        if (file.Size >= 0 && have > file.Size) have = Truncate(partialPath);
        if (file.Size >= 0 && have == file.Size && have > 0) return true;
        var uri = file.DownloadUri;
        for (int hop = 0; ; hop++)
        {
            using var request = Request(HttpMethod.Get, uri);
            if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
            using var response = await SendAsync(request, _options.DownloadTimeout, cancel);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                if (hop == MaxRedirects) throw new HipVisionException($"{repo}: {file.File}: more than {MaxRedirects} redirects from {uri.Host}");
                uri = new Uri(uri, location);
                continue;
            }
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                have = Truncate(partialPath); // what we hold is not a prefix the server knows: start over
                continue;
            }
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new HipVisionException($"{repo}: {file.File}: not found at {uri.GetLeftPart(UriPartial.Path)} although the hub listed it (404)");
            if (!SameOrigin(uri, _endpoint) && (int)response.StatusCode >= 400) // a CDN: its 403 is an expired signed URL, not a token problem
                throw new HipVisionException($"{repo}: {file.File}: {(int)response.StatusCode} {response.ReasonPhrase} from {uri.Host}; run the command again (the download resumes)");
            ThrowOnError(response, repo, file.Commit, file.File);
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                if (response.Content.Headers.ContentRange is not { From: { } from } || from != have)
                {
                    Truncate(partialPath);
                    throw new TransientFailure($"the server resumed at byte {response.Content.Headers.ContentRange?.From} instead of {have}");
                }
            }
            else
            {
                have = 0; // a 200 is the whole file
            }
            await CopyBodyAsync(response, partialPath, have, file, cancel);
            return true;
        }
    }

    async Task CopyBodyAsync(HttpResponseMessage response, string partialPath, long offset, HubFileMetadata file, CancellationToken cancel)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        await using var body = await response.Content.ReadAsStreamAsync(cancel);
        // Unbuffered (the copy buffer is already 64 KiB): what arrived is on disk for a resume even if the process is killed.
        await using var output = new FileStream(partialPath, offset == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var buffer = new byte[1 << 16];
        long have = offset;
        while (true)
        {
            int n;
            idle.CancelAfter(_options.DownloadTimeout);
            try
            {
                n = await body.ReadAsync(buffer, idle.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new TransientFailure($"no data for {Seconds(_options.DownloadTimeout)}", IsTimeout: true);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new TransientFailure($"the connection broke off after {have} bytes ({e.Message})");
            }
            if (n == 0) break;
            await output.WriteAsync(buffer.AsMemory(0, n), cancel); // a local write failure (disk full) is no reason to retry
            have += n;
            _options.Progress?.BytesReceived(file.File, n);
        }
        output.Flush(flushToDisk: true);
        if (file.Size >= 0 && have < file.Size)
            throw new TransientFailure($"the connection closed after {have} of {file.Size} bytes");
    }

    static long Truncate(string path)
    {
        using (new FileStream(path, FileMode.Create, FileAccess.Write)) { }
        return 0;
    }

    HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (_options.Token is { } token && SameOrigin(uri, _endpoint))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancel)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new TransientFailure($"no answer within {Seconds(timeout)}", IsTimeout: true);
        }
        catch (HttpRequestException e)
        {
            throw new TransientFailure(e.Message, Unreachable: IsNoNetwork(e), Connection: e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError);
        }
        int status = (int)response.StatusCode;
        if (status >= 500 || status is 429 or 408)
        {
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var reason = $"{status} {response.ReasonPhrase}";
            response.Dispose();
            throw new TransientFailure(reason, RetryAfter: retryAfter);
        }
        return response;
    }

    // No route, no name service, nobody listening: retrying seconds later rarely helps, so say so at once.
    // (A connection that breaks once established is retried.)
    static bool IsNoNetwork(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.NameResolutionError
        || e.InnerException is SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostNotFound or SocketError.ConnectionRefused };

    async Task<T> WithRetries<T>(HubRepoId repo, string file, Func<Task<T>> attempt, CancellationToken cancel)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (TransientFailure f) when (i < _options.MaxRetries && !f.Unreachable)
            {
                var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _options.RetryDelay.Ticks << Math.Min(i, 20)));
                if (f.RetryAfter is { } after && after > delay) delay = after < MaxRetryDelay ? after : MaxRetryDelay;
                _options.Progress?.Retrying(file, f.Message, delay);
                await Task.Delay(delay, cancel);
            }
            catch (TransientFailure f)
            {
                throw FinalError(repo, file, f, i + 1);
            }
        }
    }

    HipVisionException FinalError(HubRepoId repo, string file, TransientFailure f, int attempts)
    {
        var tries = attempts == 1 ? "" : $" ({attempts} attempts)";
        if (f.Connection)
            return new HipVisionException($"cannot reach {Endpoint} for {repo} ({f.Message}){tries}: check the network, or use --offline (HF_HUB_OFFLINE=1) to run from the cache, or give --model a local model directory", f);
        if (f.IsTimeout)
            return new HipVisionException($"{repo}: {file}: {Endpoint} timed out: {f.Message}{tries}; HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT set the limits in seconds, --offline uses the cache", f);
        return new HipVisionException($"{repo}: {file}: {f.Message} from {Endpoint}{tries}; try again later (a download resumes where it stopped)", f);
    }

    void ThrowOnError(HttpResponseMessage response, HubRepoId repo, string revision, string file)
    {
        int status = (int)response.StatusCode;
        if (status < 400) return;
        var code = ErrorCode(response);
        bool token = _options.Token is not null;
        throw new HipVisionException(response.StatusCode switch
        {
            HttpStatusCode.Unauthorized when token =>
                $"{repo}: 401 Unauthorized: the hub refused the token in HF_TOKEN (expired or mistyped?); set HF_TOKEN to a valid access token from https://huggingface.co/settings/tokens",
            HttpStatusCode.Unauthorized =>
                $"{repo}: 401 Unauthorized: the repo is gated or private (or does not exist); set HF_TOKEN to an access token that can read it (https://huggingface.co/settings/tokens){(code == "GatedRepo" ? " after accepting the repo's terms on its hub page" : "")}",
            HttpStatusCode.Forbidden =>
                $"{repo}: 403 Forbidden: the token in HF_TOKEN may not read this repo{(code == "GatedRepo" ? " (gated: accept its terms on the hub page first)" : "")}; set HF_TOKEN to a token with read access to {repo}",
            HttpStatusCode.NotFound when code == "RepoNotFound" => $"{repo}: repository not found at {Endpoint} (404); check the id",
            HttpStatusCode.NotFound when code == "RevisionNotFound" => $"{repo}: revision '{revision}' not found (404); check --revision",
            HttpStatusCode.NotFound => $"{repo}: {file} not found at revision '{revision}' (404)",
            _ => $"{repo}: {file}: {status} {response.ReasonPhrase} from {Endpoint}",
        });
    }

    static string? ErrorCode(HttpResponseMessage response) => Header(response, "X-Error-Code");

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    /// <summary>An etag as huggingface_hub names the blob: without a weak marker (W/) and quotes.</summary>
    public static string? NormalizeEtag(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag)) return null;
        var e = etag.Trim();
        if (e.StartsWith("W/", StringComparison.Ordinal)) e = e[2..];
        return e.Trim('"') is { Length: > 0 } t ? t : null;
    }

    static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";

    /// <summary>Releases the connections.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>A failure another attempt may cure.</summary>
    sealed class TransientFailure(string message, bool IsTimeout = false, bool Unreachable = false, bool Connection = false, TimeSpan? RetryAfter = null)
        : Exception(message)
    {
        public bool IsTimeout { get; } = IsTimeout;
        public bool Unreachable { get; } = Unreachable;
        public bool Connection { get; } = Connection;
        public TimeSpan? RetryAfter { get; } = RetryAfter;
    }
}
