namespace HipVision.IO;

/// <summary>
/// Reads input files with HipVision's one error contract: a missing file or directory is
/// "<c>path: file not found</c>", any other I/O or permission failure "<c>path: cannot read: reason</c>",
/// a file larger than the caller's limit "<c>path: N bytes, more than the L-byte limit for WHAT</c>",
/// all as a <see cref="HipVisionException"/>. The size is checked on the open file before anything is read,
/// so a hostile multi-gigabyte "config" costs nothing.
/// </summary>
internal static class InputFile
{
    /// <summary>The whole file, refusing one longer than <paramref name="maxBytes"/> before reading it.</summary>
    /// <param name="path">The file (a pipe works too: the limit is then enforced while reading).</param>
    /// <param name="maxBytes">Largest size accepted.</param>
    /// <param name="what">What the file is meant to be, for the message, e.g. "a config.json".</param>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        using var stream = OpenRead(path);
        long limit = Math.Min(maxBytes, Array.MaxLength);
        return Read(path, _ =>
        {
            if (!stream.CanSeek) return ReadPipe(stream, path, limit, what); // e.g. bash's <(...) process substitution
            long length = stream.Length;
            if (length > limit)
                throw new HipVisionException($"{path}: {length} bytes, more than the {limit}-byte limit for {what}");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        });
    }

    static byte[] ReadPipe(Stream stream, string path, long limit, string what)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + n > limit)
                throw new HipVisionException($"{path}: more than the {limit}-byte limit for {what}");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>The file as text (UTF-8, or as its byte order mark says), refusing one longer than <paramref name="maxBytes"/>.</summary>
    public static string ReadAllText(string path, long maxBytes, string what)
    {
        var bytes = ReadAllBytes(path, maxBytes, what);
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Opens the file for reading, sharing it with other readers.</summary>
    public static FileStream OpenRead(string path) =>
        Read(path, p => new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read));

    static T Read<T>(string path, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HipVisionException($"{path}: file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HipVisionException($"{path}: cannot read: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (ArgumentException e)
        {
            // A path with a NUL or another character the OS cannot name (e.g. from a hostile shard index).
            throw new HipVisionException($"{path}: cannot open: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
