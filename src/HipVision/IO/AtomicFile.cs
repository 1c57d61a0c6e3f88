using System.Text;

namespace HipVision.IO;

/// <summary>
/// Writes output files atomically: into a temporary file beside the target (<c>path.tmp-*</c>, same file
/// system, so the rename is atomic), flushed to disk, then renamed over the target. A failure leaves the
/// target as it was and no temporary behind, and is reported as <c>path: cannot write: reason</c>.
/// </summary>
internal static class AtomicFile
{
    /// <exception cref="HipVisionException">The file cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        var tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                // Without this a crash after the rename could leave the new name pointing at unwritten blocks.
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            // The exception's own text would name the temporary, not the file the user asked for.
            throw new HipVisionException(e switch
            {
                DirectoryNotFoundException => $"{path}: cannot write: its directory does not exist",
                UnauthorizedAccessException => $"{path}: cannot write: permission denied",
                _ => $"{path}: cannot write: {e.Message.Replace(tmp, path, StringComparison.Ordinal)}",
            }, e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Deletes a file if it is there, never throwing: cleanup must not replace the error being reported.</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
