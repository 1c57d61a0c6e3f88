using System.Globalization;

namespace HipVision.IO;

/// <summary>
/// Parses the header of a .npy file: a Python dict literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }</c>, read by a small tokenizer
/// (strings in either quote, True/False, tuples of non-negative integers) rather than by searching for keys,
/// so a key's name inside another value cannot confuse it and every malformed header is one typed error.
/// </summary>
internal static class NpyHeader
{
    public static (string Dtype, int[] Shape) Parse(string header, string source)
    {
        var p = new Cursor(header, source);
        string? dtype = null;
        bool? fortran = null;
        int[]? shape = null;
        p.Expect('{');
        while (!p.TryTake('}'))
        {
            var key = p.String();
            p.Expect(':');
            switch (key)
            {
                case "descr":
                    if (!p.Peek('\'') && !p.Peek('"'))
                        throw p.Error("'descr' is not a simple dtype string (structured dtypes are not supported)");
                    dtype = p.String();
                    break;
                case "fortran_order": fortran = p.Bool(); break;
                case "shape": shape = p.Shape(); break;
                default: throw p.Error($"unexpected key '{Printable(key)}'");
            }
            if (!p.TryTake(','))
            {
                p.Expect('}');
                break;
            }
        }
        if (dtype == null) throw new HipVisionException($"{source}: .npy header lacks 'descr'");
        if (fortran == null) throw new HipVisionException($"{source}: .npy header lacks 'fortran_order'");
        if (shape == null) throw new HipVisionException($"{source}: .npy header lacks 'shape'");
        if (fortran.Value) throw new HipVisionException($"{source}: Fortran-order arrays are not supported");
        return (dtype, shape);
    }

    /// <summary>Bytes per element of a simple little-endian (or byte-sized) dtype such as &lt;f4, |u1, &lt;i8.</summary>
    public static int ItemSize(string dtype, string source)
    {
        if (dtype.Length < 3 || dtype[0] is not ('<' or '>' or '|' or '=') || !char.IsAsciiLetter(dtype[1])
            || !int.TryParse(dtype.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size is < 1 or > 16)
            throw new HipVisionException($"{source}: unsupported dtype '{Printable(dtype)}'");
        if (dtype[0] == '>' && size > 1)
            throw new HipVisionException($"{source}: big-endian dtype '{Printable(dtype)}' is not supported");
        return size;
    }

    static string Printable(string s) => Weights.PickleReader.Printable(s);

    sealed class Cursor(string text, string source)
    {
        int _pos;

        public HipVisionException Error(string what) => new($"{source}: malformed .npy header at character {_pos}: {what}");

        void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
        }

        public bool Peek(char c)
        {
            SkipSpace();
            return _pos < text.Length && text[_pos] == c;
        }

        public bool TryTake(char c)
        {
            if (!Peek(c)) return false;
            _pos++;
            return true;
        }

        public void Expect(char c)
        {
            if (!TryTake(c)) throw Error($"expected '{c}'");
        }

        public string String()
        {
            SkipSpace();
            if (_pos >= text.Length || text[_pos] is not ('\'' or '"')) throw Error("expected a quoted string");
            char quote = text[_pos];
            int end = text.IndexOf(quote, _pos + 1);
            if (end < 0) throw Error("unterminated string");
            var s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        public bool Bool()
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Error("expected True or False");
        }

        public int[] Shape()
        {
            Expect('(');
            var dims = new List<int>();
            while (!TryTake(')'))
            {
                if (dims.Count == NpyFile.MaxRank) throw Error($"more than {NpyFile.MaxRank} dimensions");
                SkipSpace();
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                if (_pos < text.Length && text[_pos] == 'L') _pos++; // Python 2 longs: (3L, 4L)
                var digits = text.AsSpan(start, _pos - start).TrimEnd('L');
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw Error($"dimension '{Printable(text.Substring(start, Math.Min(_pos - start + 1, text.Length - start)))}' is not a non-negative 32-bit integer");
                dims.Add(d);
                if (!TryTake(','))
                {
                    Expect(')');
                    break;
                }
            }
            return [.. dims];
        }
    }
}
