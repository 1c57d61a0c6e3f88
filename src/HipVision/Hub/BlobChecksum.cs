using System.Security.Cryptography;
using System.Text;

namespace HipVision.Hub;

/// <summary>
/// Checks a downloaded file against what the hub said about it, before it is published as a blob:
/// <list type="bullet">
/// <item>an LFS file (64-hex etag, the <c>X-Linked-Etag</c>): its SHA-256 must equal the etag;</item>
/// <item>a regular file (40-hex etag): the hub's ETag is the git blob id, SHA-1 of <c>"blob {size}\0"</c> + content, so that is checked;</item>
/// <item>any other etag (a mirror's own scheme) cannot be checked; then only the size is, when the hub sent one.</item>
/// </list>
/// </summary>
static class BlobChecksum
{
    /// <summary>Null when <paramref name="path"/> matches <paramref name="file"/>; else what is wrong, as one phrase.</summary>
    public static string? Problem(HubFileMetadata file, string path)
    {
        long size = new FileInfo(path).Length;
        if (file.Size >= 0 && size != file.Size) return $"{size} bytes instead of {file.Size}";
        if (file.IsSha256)
        {
            using var s = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(s));
            return actual == file.Etag ? null : $"SHA-256 {actual} instead of {file.Etag}";
        }
        if (file.IsGitSha1)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            hash.AppendData(Encoding.ASCII.GetBytes($"blob {size}\0"));
            using var s = File.OpenRead(path);
            var buffer = new byte[1 << 16];
            for (int n; (n = s.Read(buffer)) > 0;) hash.AppendData(buffer, 0, n);
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            return actual == file.Etag ? null : $"git blob id {actual} instead of {file.Etag}";
        }
        return null;
    }
}
