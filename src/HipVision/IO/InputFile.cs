namespace HipVision.IO;

/// <summary>
/// Reads input files with HipVision's one error contract: a missing file or directory is
/// "<c>path: file not found</c>", any other I/O or permission failure "<c>path: cannot read: reason</c>",
/// both as a <see cref="HipVisionException"/>.
/// </summary>
internal static class InputFile
{
    public static byte[] ReadAllBytes(string path) => Read(path, File.ReadAllBytes);

    /// <summary>The file as text (UTF-8, or as its byte order mark says).</summary>
    public static string ReadAllText(string path) => Read(path, File.ReadAllText);

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
            throw new HipVisionException($"{path}: cannot read: {e.Message}", e);
        }
    }
}
