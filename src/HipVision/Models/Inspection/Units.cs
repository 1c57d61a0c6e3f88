using System.Globalization;

namespace HipVision.Models.Inspection;

/// <summary>Number formats shared by the lessons and the CLI: MACs in SI units, bytes in MiB, counts with separators.</summary>
public static class Units
{
    /// <summary>"17.56 G", "348.65 M", "768.00 K", "12".</summary>
    public static string Si(double value) => Math.Abs(value) switch
    {
        >= 1e9 => (value / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " G",
        >= 1e6 => (value / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M",
        >= 1e3 => (value / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " K",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    /// <summary>"330.23 MiB".</summary>
    public static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F2", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>"86,567,656".</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"12.3%".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>"0.113", "8.85×" style plain numbers.</summary>
    public static string Number(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
