namespace HipVision.Hub;

/// <summary>
/// A Hugging Face model repository id, <c>owner/name</c>, validated as the hub validates it (letters, digits,
/// '-', '_', '.'; no "--" or ".."; neither part starts or ends with '-' or '.'; at most 96 characters), which
/// also keeps the cache folder name <c>models--owner--name</c> unambiguous.
/// </summary>
public readonly record struct HubRepoId
{
    const int MaxLength = 96;

    HubRepoId(string owner, string name) => (Owner, Name) = (owner, name);

    /// <summary>The user or organisation.</summary>
    public string Owner { get; }

    /// <summary>The repository name.</summary>
    public string Name { get; }

    /// <summary>The repository's folder in a huggingface_hub cache: <c>models--owner--name</c>.</summary>
    public string CacheFolderName => $"models--{Owner}--{Name}";

    /// <summary>Parses <c>owner/name</c>; false for anything else (a path with more parts, an absolute path, ".", bad characters).</summary>
    public static bool TryParse(string? text, out HubRepoId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || text.Contains("--") || text.Contains("..")) return false;
        var parts = text.Split('/');
        if (parts.Length != 2 || !ValidPart(parts[0]) || !ValidPart(parts[1])) return false;
        id = new HubRepoId(parts[0], parts[1]);
        return true;
    }

    /// <exception cref="HipVisionException"><paramref name="text"/> is not <c>owner/name</c>.</exception>
    public static HubRepoId Parse(string text) => TryParse(text, out var id)
        ? id
        : throw new HipVisionException($"'{text}': not a Hugging Face repo id (expected owner/name: letters, digits, '-', '_', '.')");

    static bool ValidPart(string part) =>
        part.Length > 0
        && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && part[0] is not ('-' or '.') && part[^1] is not ('-' or '.');

    /// <summary><c>owner/name</c>.</summary>
    public override string ToString() => $"{Owner}/{Name}";
}
