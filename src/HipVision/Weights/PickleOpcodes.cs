namespace HipVision.Weights;

/// <summary>Names of the pickle opcodes (protocols 0 to 5, as Lib/pickletools.py lists them), for error messages.</summary>
internal static class PickleOpcodes
{
    static readonly Dictionary<byte, string> Names = new()
    {
        [(byte)'('] = "MARK", [(byte)'.'] = "STOP", [(byte)'0'] = "POP", [(byte)'1'] = "POP_MARK", [(byte)'2'] = "DUP",
        [(byte)'F'] = "FLOAT", [(byte)'I'] = "INT", [(byte)'J'] = "BININT", [(byte)'K'] = "BININT1", [(byte)'L'] = "LONG",
        [(byte)'M'] = "BININT2", [(byte)'N'] = "NONE", [(byte)'P'] = "PERSID", [(byte)'Q'] = "BINPERSID", [(byte)'R'] = "REDUCE",
        [(byte)'S'] = "STRING", [(byte)'T'] = "BINSTRING", [(byte)'U'] = "SHORT_BINSTRING", [(byte)'V'] = "UNICODE",
        [(byte)'X'] = "BINUNICODE", [(byte)'a'] = "APPEND", [(byte)'b'] = "BUILD", [(byte)'c'] = "GLOBAL", [(byte)'d'] = "DICT",
        [(byte)'}'] = "EMPTY_DICT", [(byte)'e'] = "APPENDS", [(byte)'g'] = "GET", [(byte)'h'] = "BINGET", [(byte)'i'] = "INST",
        [(byte)'j'] = "LONG_BINGET", [(byte)'l'] = "LIST", [(byte)']'] = "EMPTY_LIST", [(byte)'o'] = "OBJ", [(byte)'p'] = "PUT",
        [(byte)'q'] = "BINPUT", [(byte)'r'] = "LONG_BINPUT", [(byte)'s'] = "SETITEM", [(byte)'t'] = "TUPLE",
        [(byte)')'] = "EMPTY_TUPLE", [(byte)'u'] = "SETITEMS", [(byte)'G'] = "BINFLOAT",
        [0x80] = "PROTO", [0x81] = "NEWOBJ", [0x82] = "EXT1", [0x83] = "EXT2", [0x84] = "EXT4", [0x85] = "TUPLE1",
        [0x86] = "TUPLE2", [0x87] = "TUPLE3", [0x88] = "NEWTRUE", [0x89] = "NEWFALSE", [0x8a] = "LONG1", [0x8b] = "LONG4",
        [(byte)'B'] = "BINBYTES", [(byte)'C'] = "SHORT_BINBYTES",
        [0x8c] = "SHORT_BINUNICODE", [0x8d] = "BINUNICODE8", [0x8e] = "BINBYTES8", [0x8f] = "EMPTY_SET", [0x90] = "ADDITEMS",
        [0x91] = "FROZENSET", [0x92] = "NEWOBJ_EX", [0x93] = "STACK_GLOBAL", [0x94] = "MEMOIZE", [0x95] = "FRAME",
        [0x96] = "BYTEARRAY8", [0x97] = "NEXT_BUFFER", [0x98] = "READONLY_BUFFER",
    };

    /// <summary>"NEWOBJ (0x81)", or "0xfe (not a pickle opcode)".</summary>
    public static string Describe(byte op) =>
        Names.TryGetValue(op, out var name) ? $"{name} (0x{op:x2})" : $"0x{op:x2} (not a pickle opcode)";
}
