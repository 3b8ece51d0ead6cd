using System.Text;

namespace SaltHaGateway.Sync.Core;

/// <summary>
/// A path relative to a sync root, validated once at the boundary (peer message or directory
/// walk). Empty means the root itself. Segments are separated by '/', never empty, never "." or
/// "..", never contain NUL or '\\'; the text never starts with '/'. Because every consumer resolves
/// it segment by segment under an already-open root directory, a valid value cannot name anything
/// outside its root.
/// </summary>
public readonly record struct RelativePath
{
    public const int MaxBytes = 4096;
    public const int MaxSegmentBytes = 255;

    public string Value { get; }

    private RelativePath(string value) => Value = value;

    public static RelativePath Root => new("");

    public bool IsRoot => Value.Length == 0;

    public string[] Segments => IsRoot ? [] : Value.Split('/');

    public string Name => IsRoot ? "" : Value[(Value.LastIndexOf('/') + 1)..];

    public RelativePath Parent
    {
        get
        {
            var i = Value.LastIndexOf('/');
            return i < 0 ? Root : new RelativePath(Value[..i]);
        }
    }

    public int Depth => IsRoot ? 0 : Value.Count(c => c == '/') + 1;

    public RelativePath Append(string segment)
    {
        if (!IsValidSegment(segment, out var error)) throw new ArgumentException(error, nameof(segment));
        return new RelativePath(IsRoot ? segment : Value + "/" + segment);
    }

    /// <summary>True when this path equals <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsSameOrBelow(RelativePath ancestor) =>
        ancestor.IsRoot || Value == ancestor.Value || Value.StartsWith(ancestor.Value + "/", StringComparison.Ordinal);

    public static bool TryParse(string? text, out RelativePath path, out string error)
    {
        path = Root;
        error = "";
        if (text is null)
        {
            error = "path missing";
            return false;
        }
        if (text.Length == 0) return true;
        if (text[0] == '/')
        {
            error = $"absolute path '{Printable(text)}' refused";
            return false;
        }
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            error = "path longer than 4096 bytes";
            return false;
        }
        foreach (var segment in text.Split('/'))
        {
            if (!IsValidSegment(segment, out error))
            {
                error = $"path '{Printable(text)}': {error}";
                return false;
            }
        }
        path = new RelativePath(text);
        return true;
    }

    public static RelativePath Parse(string text) =>
        TryParse(text, out var p, out var error) ? p : throw new FormatException(error);

    public static bool IsValidSegment(string segment, out string error)
    {
        error = "";
        if (segment.Length == 0) error = "empty segment";
        else if (segment is "." or "..") error = $"'{segment}' segment refused";
        else if (segment.Contains('\0')) error = "NUL in name";
        else if (segment.Contains('/') || segment.Contains('\\')) error = "separator in name";
        else if (segment.Contains('\uFFFD')) error = "name is not valid UTF-8";
        else if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes) error = "name longer than 255 bytes";
        return error.Length == 0;
    }

    public override string ToString() => Value;

    private static string Printable(string s) =>
        new(s.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
