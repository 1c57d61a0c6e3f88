using System.Globalization;

namespace HipVision.Models.Inspection;

/// <summary>Number formats shared by the lessons and the CLI: MACs in SI units, bytes in binary units, counts with separators.</summary>
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

    /// <summary>"598.61 MiB", "2.94 KiB", "512 B": binary units, the largest that keeps the number at least 1.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("F2", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("F2", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>"86,567,656".</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"12.3%".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>"0.113", "8.85×" style plain numbers.</summary>
    public static string Number(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
