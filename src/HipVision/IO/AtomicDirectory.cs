namespace HipVision.IO;

/// <summary>
/// Writes a set of files into a directory all or nothing (a model directory: config.json,
/// preprocessor_config.json, model.safetensors). The caller writes into a hidden staging directory beside
/// the target (<c>.name.tmp-*</c> in the same parent, so every rename stays on one file system); then a new
/// directory is renamed into place whole, and into an existing one the files are moved one by one, each file
/// they replace set aside and put back if a later move fails. The staging directory is removed either way.
/// </summary>
/// <remarks>
/// Only exceptions are rolled back: a crash in the middle of the moves into an existing directory can still
/// leave a mix, which would take a journal to prevent.
/// </remarks>
internal static class AtomicDirectory
{
    /// <summary>Calls <paramref name="write"/> with the staging directory, then publishes what it wrote.</summary>
    /// <exception cref="HipVisionException">The directory cannot be created or a file cannot be moved in.</exception>
    public static void Write(string directory, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var parent = Path.GetDirectoryName(full)
            ?? throw new HipVisionException($"{directory}: cannot create directory: it is the root");
        // Checked first so that a wrong --output fails before the (possibly long) write.
        if (File.Exists(full))
            throw new HipVisionException($"{directory}: cannot create directory: a file of that name exists");
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            CreateDirectory(staging, directory);
            write(staging);
            if (Directory.Exists(full))
                MoveFilesInto(staging, directory);
            else
                Rename(staging, directory);
        }
        finally
        {
            TryDeleteDirectory(staging);
        }
    }

    static void CreateDirectory(string path, string directory)
    {
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HipVisionException($"{directory}: cannot create directory: {e.Message}", e);
        }
    }

    static void Rename(string staging, string directory)
    {
        try { Directory.Move(staging, directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HipVisionException($"{directory}: cannot write: {e.Message}", e);
        }
    }

    static void MoveFilesInto(string staging, string directory)
    {
        var names = Directory.GetFiles(staging).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var replaced = Path.Combine(staging, ".replaced");
        var undo = new Stack<Action>();
        var target = directory;
        try
        {
            Directory.CreateDirectory(replaced);
            foreach (var name in names)
            {
                target = Path.Combine(directory, name);
                var dest = target;
                if (File.Exists(dest))
                {
                    var backup = Path.Combine(replaced, name);
                    File.Move(dest, backup);
                    undo.Push(() => File.Move(backup, dest, overwrite: true));
                }
                // No overwrite: whatever is still in the way (a directory, a file that appeared meanwhile) is not ours to replace.
                File.Move(Path.Combine(staging, name), dest);
                undo.Push(() => File.Delete(dest));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            while (undo.TryPop(out var step))
            {
                try { step(); }
                catch (Exception u) when (u is IOException or UnauthorizedAccessException) { } // keep the real error
            }
            throw new HipVisionException($"{target}: cannot write: {e.Message}", e);
        }
    }

    static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
