using HipVision.Interop;

namespace HipVision;

/// <summary>
/// The one exception type HipVision throws for bad input (a file, a config, an image, a tensor) and for
/// failures of the engine itself. The message is a single line that names the file or object at fault;
/// a failure of the native library carries its <see cref="Status"/> and the library's own message.
/// </summary>
public sealed class HipVisionException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public HipVisionException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the exception that caused it.</summary>
    public HipVisionException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for a failed native call: its status and <c>hv_last_error()</c>'s message.</summary>
    public HipVisionException(NativeStatus status, string message) : base(message) => Status = status;

    /// <summary>The native library's status when a native call failed; null for every other failure.</summary>
    public NativeStatus? Status { get; }
}
