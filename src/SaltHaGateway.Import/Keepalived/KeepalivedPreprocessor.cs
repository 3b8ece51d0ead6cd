using System.Text.RegularExpressions;

namespace SaltHaGateway.Import.Keepalived;

/// <summary>
/// keepalived's line-level features, applied before parsing so one file can serve both nodes of a pair:
/// conditional lines (<c>@ID line</c> is kept only when ID is the config id, <c>@^ID line</c> only when it is not)
/// and parameters (<c>$NAME=VALUE</c>, then <c>$NAME</c> before whitespace or the end of a line, or <c>${NAME}</c>
/// anywhere, replaced recursively at use; an undefined one is left as it is). Lines keep their numbers: a line
/// that is skipped or holds a definition becomes empty.
/// </summary>
public static partial class KeepalivedPreprocessor
{
    private const int MaxSubstitutions = 32;
    private const int MaxLineLength = 65536;

    /// <summary>keepalived's default config id: the host name up to its first '.'.</summary>
    public static string DefaultConfigId()
    {
        var host = Environment.MachineName;
        int dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? host : host[..dot];
    }

    public sealed record Result(string Text, int ConditionalKept, int ConditionalSkipped);

    public static Result Apply(string text, string configId, List<string> notTranslated)
    {
        var lines = text.Split('\n');
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        int kept = 0, skipped = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = lines[i].TrimEnd('\r').TrimStart(' ', '\t');
            for (int pass = 0; ; pass++)
            {
                if (line.StartsWith('@'))
                {
                    bool reverse = line.Length > 1 && line[1] == '^';
                    int start = reverse ? 2 : 1;
                    int end = line.IndexOfAny([' ', '\t'], start);
                    bool match = end >= 0 && line[start..end] == configId;
                    if (end < 0 || match == reverse)
                    {
                        skipped++;
                        line = "";
                        break;
                    }
                    kept++;
                    line = line[end..].TrimStart(' ', '\t');
                }
                if (Definition().Match(line) is { Success: true } def)
                {
                    string value = def.Groups[2].Value.TrimEnd(' ', '\t');
                    if (value.EndsWith('\\'))
                    {
                        notTranslated.Add($"${def.Groups[1].Value} (line {lineNo}): multi-line parameter definitions are not supported; define it on one line");
                        while (i + 1 < lines.Length && lines[i].TrimEnd('\r', ' ', '\t').EndsWith('\\'))
                        {
                            lines[i++] = "";
                        }
                    }
                    else
                    {
                        parameters[def.Groups[1].Value] = value;
                    }
                    line = "";
                    break;
                }
                if (line.StartsWith("~SEQ", StringComparison.Ordinal) || line.StartsWith("~LST", StringComparison.Ordinal))
                {
                    notTranslated.Add($"{line.Split(' ', '\t', '(')[0]} (line {lineNo}): sequences are not supported; write the lines out");
                    line = "";
                    break;
                }
                if (parameters.Count == 0 || !line.Contains('$', StringComparison.Ordinal))
                {
                    break;
                }
                string replaced = Substitute(line, parameters);
                if (replaced == line)
                {
                    break;
                }
                line = replaced;
                if (line.Length > MaxLineLength)
                {
                    notTranslated.Add($"line {lineNo}: parameters expand it beyond {MaxLineLength} characters; the line is left out");
                    line = "";
                    break;
                }
                if (pass == MaxSubstitutions)
                {
                    notTranslated.Add($"line {lineNo}: parameters still expand after {MaxSubstitutions} substitutions (a definition that refers to itself?); the line is left out");
                    line = "";
                    break;
                }
            }
            lines[i] = line;
        }
        return new Result(string.Join('\n', lines), kept, skipped);
    }

    /// <summary>One round: every defined $NAME (before whitespace or the end) and ${NAME}; the rest stays.</summary>
    private static string Substitute(string line, Dictionary<string, string> parameters) =>
        Reference().Replace(line, m =>
        {
            string name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return parameters.TryGetValue(name, out var value) ? value : m.Value;
        });

    [GeneratedRegex(@"^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex Definition();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)(?=[ \t]|$)")]
    private static partial Regex Reference();
}
