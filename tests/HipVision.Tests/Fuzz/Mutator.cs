using System.Text;

namespace HipVision.Tests.Fuzz;

/// <summary>
/// Turns a valid seed into a hostile variant with a few random edits, deterministically from one integer (so a
/// CsCheck seed replays a case exactly). Byte-level edits (bit flips, interesting bytes and integers of every
/// width, truncations, deletions, duplications, random insertions, splices with another seed) are mixed with
/// edits that aim at the text inside the formats (every reader here has some: safetensors' JSON header, the .npy
/// dict, pickle strings, config files): numbers replaced by boundary values, deep nesting, broken strings.
/// Half the positions fall in the first 1 KiB, where headers live.
/// </summary>
static class Mutator
{
    static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'{', (byte)'[', (byte)'"', (byte)'\'', (byte)',', (byte)':', (byte)'\n', (byte)'\\', (byte)'.', (byte)'('];

    static readonly ulong[] InterestingIntegers =
    [
        0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0x100000000, 1UL << 53, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, ulong.MaxValue, ulong.MaxValue - 1,
    ];

    static readonly string[] InterestingNumbers =
    [
        "0", "-1", "1", "-0", "65536", "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993",
        "9223372036854775807", "18446744073709551616", "99999999999999999999999999", "1e400", "-1e400", "1e-400",
        "1.5", "0.0", "NaN", "Infinity", "1e9", "46341", "100000",
    ];

    public static byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> all, int rngSeed, int edits)
    {
        var rng = new Random(rngSeed);
        var data = new List<byte>(seed);
        for (int e = 0; e < edits; e++)
            Edit(data, all, rng);
        return [.. data];
    }

    static int Pos(List<byte> data, Random rng, int extra = 0)
    {
        int n = data.Count + extra;
        if (n <= 0) return 0;
        return rng.Next(2) == 0 ? rng.Next(Math.Min(n, 1024)) : rng.Next(n);
    }

    static void Edit(List<byte> data, IReadOnlyList<byte[]> all, Random rng)
    {
        switch (rng.Next(14))
        {
            case 0 when data.Count > 0:
            {
                int p = Pos(data, rng);
                data[p] ^= (byte)(1 << rng.Next(8));
                break;
            }
            case 1 when data.Count > 0:
                data[Pos(data, rng)] = InterestingBytes[rng.Next(InterestingBytes.Length)];
                break;
            case 2 when data.Count > 0:
            {
                // An integer field of 2, 4 or 8 bytes, either byte order, set to a boundary value (or its negation).
                int width = 2 << rng.Next(3);
                ulong v = InterestingIntegers[rng.Next(InterestingIntegers.Length)];
                if (rng.Next(4) == 0) v = unchecked(0 - v);
                int p = Pos(data, rng);
                bool big = rng.Next(2) == 0;
                for (int i = 0; i < width && p + i < data.Count; i++)
                    data[p + i] = (byte)(v >> (8 * (big ? width - 1 - i : i)));
                break;
            }
            case 3:
                Truncate(data, rng);
                break;
            case 4 when data.Count > 1:
            {
                int p = Pos(data, rng), n = Math.Min(data.Count - p, 1 + rng.Next(rng.Next(2) == 0 ? 8 : 256));
                data.RemoveRange(p, n);
                break;
            }
            case 5 when data.Count > 1:
            {
                int p = Pos(data, rng), n = Math.Min(data.Count - p, 1 + rng.Next(64));
                var copy = data.GetRange(p, n);
                data.InsertRange(Pos(data, rng, 1), copy);
                break;
            }
            case 6:
            {
                var bytes = new byte[1 + rng.Next(16)];
                rng.NextBytes(bytes);
                data.InsertRange(Pos(data, rng, 1), bytes);
                break;
            }
            case 7:
            {
                // Splice: keep a prefix of this input, continue with the tail of another seed.
                var other = all[rng.Next(all.Count)];
                int p = Pos(data, rng, 1), q = other.Length == 0 ? 0 : rng.Next(other.Length);
                data.RemoveRange(p, data.Count - p);
                data.AddRange(other.AsSpan(q).ToArray());
                break;
            }
            case 8:
            case 9:
                ReplaceNumber(data, rng);
                break;
            case 10:
            {
                int depth = 1 + rng.Next(rng.Next(2) == 0 ? 40 : 2000);
                char open = rng.Next(2) == 0 ? '[' : '{';
                var text = open == '[' ? new string('[', depth) + new string(']', rng.Next(2) * depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', rng.Next(2) * depth);
                data.InsertRange(Pos(data, rng, 1), Encoding.ASCII.GetBytes(text));
                break;
            }
            case 11:
            {
                string[] pieces = ["\"", "\\", "\\u0000", "\\ud800", "\u00ff", "\n", "'", "\"\":", ",", "}", "]", "null", "true", "\"__metadata__\"", "{}", "[]"];
                data.InsertRange(Pos(data, rng, 1), Encoding.UTF8.GetBytes(pieces[rng.Next(pieces.Length)]));
                break;
            }
            case 12:
                // Repeat a chunk many times: long arrays, many keys, many opcodes.
                if (data.Count > 1)
                {
                    int p = Pos(data, rng), n = Math.Min(data.Count - p, 1 + rng.Next(16));
                    var chunk = data.GetRange(p, n);
                    int times = 1 + rng.Next(500);
                    var many = new List<byte>(chunk.Count * times);
                    for (int i = 0; i < times; i++) many.AddRange(chunk);
                    data.InsertRange(p, many);
                }
                break;
            default:
                ReplaceNumber(data, rng);
                break;
        }
    }

    static void Truncate(List<byte> data, Random rng)
    {
        if (data.Count == 0) return;
        int keep = rng.Next(3) == 0 ? rng.Next(Math.Min(data.Count, 64)) : rng.Next(data.Count);
        data.RemoveRange(keep, data.Count - keep);
    }

    /// <summary>Finds a run of ASCII digits (with sign, point, exponent) near a random position and swaps in a boundary number.</summary>
    static void ReplaceNumber(List<byte> data, Random rng)
    {
        if (data.Count == 0) return;
        int start = Pos(data, rng);
        int p = start;
        while (p < data.Count && !IsDigit(data[p])) p++;
        if (p == data.Count)
        {
            p = 0;
            while (p < start && !IsDigit(data[p])) p++;
            if (p == start) return;
        }
        int end = p;
        while (end < data.Count && (IsDigit(data[end]) || data[end] is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-')) end++;
        if (p > 0 && data[p - 1] == (byte)'-') p--;
        data.RemoveRange(p, end - p);
        data.InsertRange(p, Encoding.ASCII.GetBytes(InterestingNumbers[rng.Next(InterestingNumbers.Length)]));
    }

    static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
