using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace HipVision.Tests.Hub;

/// <summary>
/// An in-process Hugging Face hub on 127.0.0.1 serving repos in the hub's URL scheme:
/// <c>HEAD|GET /{owner}/{name}/resolve/{main|commit}/{file}</c>. A regular file answers 200 with <c>ETag</c> =
/// its git blob SHA-1; an LFS file answers 302 to <c>/cdn/{sha256}</c> with <c>X-Linked-Etag</c> = its SHA-256
/// and <c>X-Linked-Size</c>, and the CDN honours <c>Range</c>. Errors carry <c>X-Error-Code</c> as the hub's do.
/// Every request is recorded; <see cref="Fault"/> injects failures (a status, a delay, a cut connection, a wrong body).
/// </summary>
sealed class MockHub : IDisposable
{
    readonly HttpListener _listener, _cdnListener;
    readonly ConcurrentDictionary<string, MockRepo> _repos = new();
    readonly ConcurrentQueue<MockRequest> _requests = new();
    readonly CancellationTokenSource _stop = new();

    public MockHub()
    {
        (_listener, Endpoint) = Listen();
        (_cdnListener, CdnEndpoint) = Listen(); // another port: another origin, as a real CDN is
        _ = Task.Run(() => AcceptLoop(_listener));
        _ = Task.Run(() => AcceptLoop(_cdnListener));
    }

    /// <summary>The hub, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Where LFS redirects point: the same server on a second port.</summary>
    public string CdnEndpoint { get; }

    static (HttpListener, string) Listen()
    {
        for (int attempt = 0; ; attempt++)
        {
            var listener = new HttpListener();
            int port = FreePort();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, $"http://127.0.0.1:{port}");
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Called for each request before it is served; a non-null fault replaces or alters the answer.</summary>
    public Func<MockRequest, MockFault?>? Fault { get; set; }

    public IReadOnlyList<MockRequest> Requests => [.. _requests];

    /// <summary>Old repo ids answered with a relative 307 to the new id's URL, as the hub answers for a renamed repo.</summary>
    public ConcurrentDictionary<string, string> Renamed { get; } = new();

    public MockRepo AddRepo(string id, string? token = null)
    {
        var repo = new MockRepo(id, token);
        _repos[id] = repo;
        return repo;
    }

    /// <summary>A repo with the files of a fixture model folder: the json files as regular files, the weights as LFS.</summary>
    public MockRepo AddFixtureRepo(string id, string fixtureDir, params string[] files)
    {
        var repo = AddRepo(id);
        foreach (var f in files) repo.Add(f, File.ReadAllBytes(Path.Combine(fixtureDir, f)), lfs: !f.EndsWith(".json", StringComparison.Ordinal));
        return repo;
    }

    async Task AcceptLoop(HttpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested || !listener.IsListening) { return; }
            catch (HttpListenerException) { continue; }
            _ = Task.Run(() => Serve(context));
        }
    }

    async Task Serve(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        var recorded = new MockRequest(request.HttpMethod, Uri.UnescapeDataString(path), request.Headers["Range"], request.Headers["Authorization"]) { RawPath = request.RawUrl ?? path };
        _requests.Enqueue(recorded);
        try
        {
            var fault = Fault?.Invoke(recorded);
            if (fault?.Delay is { } delay) await Task.Delay(delay, _stop.Token);
            if (fault?.Status is { } status)
            {
                response.StatusCode = status;
                response.ContentLength64 = 0;
                response.Close();
                return;
            }
            if (path.StartsWith("/cdn/", StringComparison.Ordinal))
                ServeCdn(path["/cdn/".Length..], request, response, fault);
            else
                ServeResolve(path, request, response, fault);
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (HttpListenerException) { } // the client went away (a timeout test)
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    void ServeResolve(string path, HttpListenerRequest request, HttpListenerResponse response, MockFault? fault)
    {
        // /{owner}/{name}/resolve/{revision}/{file...}; the revision arrives escaped as one segment.
        var parts = path.TrimStart('/').Split('/', 5);
        if (parts.Length < 5 || parts[2] != "resolve")
        {
            Error(response, 404, null);
            return;
        }
        var id = $"{parts[0]}/{parts[1]}";
        var revision = Uri.UnescapeDataString(parts[3]);
        var file = string.Join('/', parts[4].Split('/').Select(Uri.UnescapeDataString));
        if (Renamed.TryGetValue(id, out var newId))
        {
            response.StatusCode = 307;
            response.Headers["Location"] = $"/{newId}/{string.Join('/', parts.Skip(2))}";
            response.ContentLength64 = 0;
            response.Close();
            return;
        }
        if (!_repos.TryGetValue(id, out var repo))
        {
            Error(response, 404, "RepoNotFound");
            return;
        }
        if (repo.Token is { } token)
        {
            var auth = request.Headers["Authorization"];
            if (auth is null) { Error(response, 401, "GatedRepo"); return; }
            if (auth != $"Bearer {token}") { Error(response, 403, "GatedRepo"); return; }
        }
        if (!repo.Revisions.Contains(revision) && revision != repo.Commit)
        {
            Error(response, 404, "RevisionNotFound");
            return;
        }
        response.Headers["X-Repo-Commit"] = repo.Commit;
        if (!repo.Files.TryGetValue(file, out var content))
        {
            Error(response, 404, "EntryNotFound");
            return;
        }
        if (content.Lfs)
        {
            response.StatusCode = 302;
            response.Headers["X-Linked-Etag"] = $"\"{content.Sha256}\"";
            response.Headers["X-Linked-Size"] = content.Bytes.Length.ToString();
            response.Headers["ETag"] = $"\"{GitBlobSha1(Encoding.ASCII.GetBytes("version https://git-lfs.github.com/spec/v1\n"))}\"";
            response.RedirectLocation = $"{CdnEndpoint}/cdn/{content.Sha256}";
            response.ContentLength64 = 0;
            response.Close();
            return;
        }
        response.Headers["ETag"] = $"\"{content.GitSha1}\"";
        Body(request, response, content.Bytes, 0, fault);
    }

    void ServeCdn(string sha, HttpListenerRequest request, HttpListenerResponse response, MockFault? fault)
    {
        var content = _repos.Values.SelectMany(r => r.Files.Values).FirstOrDefault(f => f.Lfs && f.Sha256 == sha);
        if (content is null)
        {
            Error(response, 404, null);
            return;
        }
        long from = 0;
        if (request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range["bytes=".Length..^1]);
            if (from >= content.Bytes.Length)
            {
                response.StatusCode = 416;
                response.ContentLength64 = 0;
                response.Close();
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{content.Bytes.Length - 1}/{content.Bytes.Length}";
        }
        Body(request, response, content.Bytes, from, fault);
    }

    static void Body(HttpListenerRequest request, HttpListenerResponse response, byte[] bytes, long from, MockFault? fault)
    {
        var body = bytes.AsSpan((int)from).ToArray();
        if (fault?.Corrupt == true) body[body.Length / 2] ^= 0xff;
        response.ContentLength64 = body.Length;
        if (request.HttpMethod == "HEAD")
        {
            response.Close();
            return;
        }
        if (fault?.StallAfter is { } stall)
        {
            response.OutputStream.Write(body, 0, (int)Math.Min(stall, body.Length));
            response.OutputStream.Flush();
            Thread.Sleep(30_000); // until the client gives up or is killed
            response.Abort();
            return;
        }
        if (fault?.CutAfter is { } cut)
        {
            response.OutputStream.Write(body, 0, (int)Math.Min(cut, body.Length));
            response.OutputStream.Flush();
            Thread.Sleep(50);
            response.Abort(); // the connection drops with the body half sent
            return;
        }
        response.OutputStream.Write(body);
        response.Close();
    }

    static void Error(HttpListenerResponse response, int status, string? code)
    {
        response.StatusCode = status;
        if (code is not null) response.Headers["X-Error-Code"] = code;
        response.ContentLength64 = 0;
        response.Close();
    }

    static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The git object id of a blob: SHA-1 of "blob {size}\0" + content (what the hub sends as a regular file's ETag).</summary>
    public static string GitBlobSha1(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var listener in new[] { _listener, _cdnListener })
        {
            try { listener.Stop(); listener.Close(); }
            catch (ObjectDisposedException) { }
        }
    }
}

/// <summary>One repo: a commit and its files.</summary>
sealed class MockRepo(string id, string? token)
{
    public string Id { get; } = id;
    public string? Token { get; } = token;
    public string Commit { get; set; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    public HashSet<string> Revisions { get; } = ["main"];
    public Dictionary<string, MockFile> Files { get; } = new(StringComparer.Ordinal);

    public MockRepo Add(string name, byte[] bytes, bool lfs)
    {
        Files[name] = new MockFile(bytes, lfs);
        return this;
    }
}

sealed record MockFile(byte[] Bytes, bool Lfs)
{
    public string Sha256 { get; } = MockHub.Sha256Hex(Bytes);
    public string GitSha1 { get; } = MockHub.GitBlobSha1(Bytes);
    public string Etag => Lfs ? Sha256 : GitSha1;
}

/// <summary>A request as the mock saw it (path unescaped).</summary>
sealed record MockRequest(string Method, string Path, string? Range, string? Authorization)
{
    /// <summary>The path as sent, still escaped.</summary>
    public string RawPath { get; init; } = Path;

    public bool IsCdn => Path.StartsWith("/cdn/", StringComparison.Ordinal);
}

/// <summary>What to do instead of (or before) the normal answer.</summary>
sealed record MockFault(int? Status = null, TimeSpan? Delay = null, long? CutAfter = null, long? StallAfter = null, bool Corrupt = false);
