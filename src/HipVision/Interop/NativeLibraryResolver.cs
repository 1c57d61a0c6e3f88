using System.Reflection;
using System.Runtime.InteropServices;

namespace HipVision.Interop;

/// <summary>
/// Finds libhipvision for the imports of <see cref="NativeMethods"/>. Search order: the application's directory
/// (where this assembly is deployed; <c>AppContext.BaseDirectory</c>, which also holds under Native AOT),
/// <c>runtimes/&lt;rid&gt;/native</c> under it, then every directory in <c>HIPVISION_NATIVE_PATH</c>
/// (separated by <see cref="Path.PathSeparator"/>). Nothing else: a library that is not in one of these places
/// is "not found", and the exception lists every path tried.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>The environment variable naming extra directories to search, after the application's own.</summary>
    public const string PathVariable = "HIPVISION_NATIVE_PATH";

    static readonly Lock Gate = new();
    static bool _registered;
    static nint _library;

    /// <summary>The platform's file name for the library: libhipvision.so, libhipvision.dylib or hipvision.dll.</summary>
    public static string FileName { get; } =
        OperatingSystem.IsWindows() ? NativeMethods.LibraryName + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + NativeMethods.LibraryName + ".dylib"
        : "lib" + NativeMethods.LibraryName + ".so";

    /// <summary>Installs the resolver for this assembly; idempotent.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
            _registered = true;
        }
    }

    /// <summary>
    /// Loads the library now (once per process) and returns its handle; throws <see cref="HipVisionException"/>
    /// listing every path tried. Public entry points call this first so a missing library surfaces as that
    /// exception rather than from inside an import.
    /// </summary>
    public static nint EnsureLoaded()
    {
        Register();
        lock (Gate)
        {
            if (_library == 0)
                _library = Load(FileName, SearchDirectories(AppContext.BaseDirectory, Environment.GetEnvironmentVariable(PathVariable)));
            return _library;
        }
    }

    static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == NativeMethods.LibraryName ? EnsureLoaded() : 0;

    /// <summary>The directories to search, in order, for an application directory and a HIPVISION_NATIVE_PATH value.</summary>
    public static IReadOnlyList<string> SearchDirectories(string appDirectory, string? nativePath)
    {
        var dirs = new List<string> { appDirectory, Path.Combine(appDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native") };
        if (!string.IsNullOrWhiteSpace(nativePath))
            dirs.AddRange(nativePath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return dirs;
    }

    // The runtime's message spans several lines of advice; the loader's own reason (dlerror) is the last one.
    static string LoaderReason(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;

    /// <summary>
    /// Tries <paramref name="fileName"/> in each directory in order and returns the first that loads. On failure
    /// the exception lists every full path tried, each with why it failed (absent, or the loader's refusal).
    /// </summary>
    public static nint Load(string fileName, IReadOnlyList<string> directories)
    {
        var tried = new List<string>();
        foreach (var dir in directories)
        {
            string path = Path.GetFullPath(Path.Combine(dir, fileName));
            if (!File.Exists(path))
            {
                tried.Add($"  {path} (not found)");
                continue;
            }
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                tried.Add($"  {path} (found but failed to load: {LoaderReason(e.Message)})");
            }
            catch (BadImageFormatException e)
            {
                tried.Add($"  {path} (not a loadable library for this process: {e.Message})");
            }
        }
        throw new HipVisionException(
            $"cannot load the native library {fileName}; build it with `cmake -S . -B build/emulator -DHV_GPU=emulator && " +
            $"cmake --build build/emulator` and put it next to the application or set {PathVariable}. Tried:" +
            Environment.NewLine + string.Join(Environment.NewLine, tried));
    }
}
