namespace HipVision.Backends.Hip;

/// <summary>
/// Where the HIP backend keeps what a vendor convolution library's find step chose per shape (native tuning cache: one file per
/// device and library version), so that only the first process on a machine pays for the find (a cold start) and later ones read
/// it (a warm start). <c>HIPVISION_TUNING_CACHE</c> names the directory, or <c>off</c> disables the on-disk cache; otherwise
/// <c>$XDG_CACHE_HOME/hipvision/tuning</c> (an absolute XDG_CACHE_HOME only, as the XDG spec says), else
/// <c>~/.cache/hipvision/tuning</c>. The directory is created on the first write; a build without a vendor library never writes.
/// </summary>
public static class TuningCacheDirectory
{
    /// <summary>The environment variable that overrides the directory (<c>off</c>: no on-disk cache).</summary>
    public const string EnvironmentVariable = "HIPVISION_TUNING_CACHE";

    /// <summary>The value of <see cref="EnvironmentVariable"/> (or of an explicit directory argument) that disables the cache.</summary>
    public const string Off = "off";

    /// <summary>The directory from this process's environment, or null when disabled (or no home directory is known).</summary>
    public static string? Resolve() => Resolve(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Resolve()"/> with the environment read through <paramref name="environment"/> (tests).</summary>
    internal static string? Resolve(Func<string, string?> environment)
    {
        string? explicitDir = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitDir))
            return explicitDir.Trim().Equals(Off, StringComparison.OrdinalIgnoreCase) ? null : Path.GetFullPath(explicitDir);
        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "hipvision", "tuning");
        string? home = environment("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "hipvision", "tuning");
    }

    /// <summary>
    /// The directory a backend uses for <paramref name="requested"/>: null asks for <see cref="Resolve()"/>, <see cref="Off"/>
    /// disables (null back), anything else is that directory (made absolute).
    /// </summary>
    internal static string? For(string? requested) =>
        requested is null ? Resolve() : requested.Trim().Equals(Off, StringComparison.OrdinalIgnoreCase) ? null : Path.GetFullPath(requested);
}
