namespace HipVision.Hub;

/// <summary>
/// What a HEAD of <c>{endpoint}/{repo}/resolve/{revision}/{file}</c> tells: the commit the revision points
/// at (<c>X-Repo-Commit</c>), the blob's etag (<c>X-Linked-Etag</c> for LFS files, the SHA-256 of the content;
/// else <c>ETag</c>, the git blob SHA-1), its size (<c>X-Linked-Size</c>, else <c>Content-Length</c>; -1 when
/// neither came) and where to GET it (the CDN location of an LFS redirect, else the resolve URL).
/// </summary>
public sealed record HubFileMetadata(string File, string Commit, string Etag, long Size, Uri DownloadUri)
{
    /// <summary>The etag is a SHA-256 (64 hex digits): an LFS file, verified by hashing.</summary>
    public bool IsSha256 => Etag.Length == 64 && Etag.All(char.IsAsciiHexDigitLower);

    /// <summary>The etag is a git blob SHA-1 (40 hex digits): a regular file, verified by its git object hash.</summary>
    public bool IsGitSha1 => Etag.Length == 40 && Etag.All(char.IsAsciiHexDigitLower);
}
