using System.Runtime.InteropServices;

namespace HipVision.Interop;

/// <summary>The one place a native status becomes an exception.</summary>
internal static class Native
{
    /// <summary>
    /// Returns on <see cref="NativeStatus.Ok"/>; otherwise throws <see cref="HipVisionException"/> carrying the
    /// status and <c>hv_last_error()</c> (thread-local, so it must be read on the failing call's thread, right
    /// after it: which is why every call goes straight into this method).
    /// </summary>
    public static void Check(NativeStatus status)
    {
        if (status != NativeStatus.Ok) throw Failure(status);
    }

    static HipVisionException Failure(NativeStatus status)
    {
        string message = Marshal.PtrToStringUTF8(NativeMethods.hv_last_error()) ?? "";
        if (message.Length == 0) message = $"native call failed with {StatusName(status)} and no message";
        return new HipVisionException(status, message);
    }

    /// <summary>"HV_OK", "HV_ERROR_INVALID_ARGUMENT", ... as the native library names them.</summary>
    public static string StatusName(NativeStatus status) =>
        Marshal.PtrToStringUTF8(NativeMethods.hv_status_string(status)) ?? status.ToString();

    /// <summary>The build variant of the loaded library: "amd", "nvidia" or "emulator".</summary>
    public static string Backend()
    {
        Check(NativeMethods.hv_get_backend(out nint name));
        return Marshal.PtrToStringUTF8(name) ?? "";
    }
}
