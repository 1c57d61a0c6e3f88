namespace HipVision;

/// <summary>
/// The one exception type HipVision throws for bad input (a file, a config, an image, a tensor) and for
/// failures of the engine itself. The message is a single line that names the file or object at fault.
/// </summary>
public sealed class HipVisionException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public HipVisionException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the exception that caused it.</summary>
    public HipVisionException(string message, Exception inner) : base(message, inner) { }
}
