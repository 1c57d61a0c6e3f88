namespace HipVision.Hub;

/// <summary>
/// Told about each file of a pull, so a caller can draw progress. Calls come from the pulling thread, one file at
/// a time, in this order: <see cref="FileStarted"/> (only when bytes must be fetched), any number of
/// <see cref="BytesReceived"/>, then <see cref="FileCompleted"/> (for cached files too).
/// </summary>
public interface IHubProgress
{
    /// <summary>A download of <paramref name="file"/> begins; <paramref name="totalBytes"/> is -1 when unknown, <paramref name="resumedBytes"/> were already on disk.</summary>
    void FileStarted(string file, long totalBytes, long resumedBytes);

    /// <summary><paramref name="count"/> more bytes of <paramref name="file"/> arrived.</summary>
    void BytesReceived(string file, long count);

    /// <summary><paramref name="file"/> is in the snapshot; <paramref name="downloaded"/> is false when its blob was already cached.</summary>
    void FileCompleted(string file, long totalBytes, bool downloaded);

    /// <summary>A transient failure will be retried after <paramref name="delay"/>.</summary>
    void Retrying(string file, string reason, TimeSpan delay) { }
}
