namespace HipVision;

/// <summary>
/// Where HipVision reports input it accepts but that is probably wrong: today, weights holding NaN or ±Inf (named
/// by file and tensor). By default each warning is one line <c>warning: ...</c> on stderr, which is what the CLI
/// shows; a host that logs elsewhere sets <see cref="Sink"/>. Warnings never stop a load.
/// </summary>
public static class HipVisionWarnings
{
    static Action<string> _sink = WriteToStderr;

    /// <summary>Receives each warning's one-line message; setting null restores the stderr default.</summary>
    public static Action<string> Sink
    {
        get => Volatile.Read(ref _sink);
        set => Volatile.Write(ref _sink, value ?? WriteToStderr);
    }

    internal static void Raise(string message) => Sink(message);

    static void WriteToStderr(string message) => Console.Error.WriteLine("warning: " + message);
}
