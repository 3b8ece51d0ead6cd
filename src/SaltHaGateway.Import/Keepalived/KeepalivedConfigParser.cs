namespace SaltHaGateway.Import.Keepalived;

/// <summary>
/// Parses keepalived.conf syntax: one statement per line, "#" or "!" comments, double-quoted strings, and
/// braces that may open and close on the same line as statements ("authentication { auth_type PASS").
/// </summary>
public static class KeepalivedConfigParser
{
    public static List<KeepalivedConfigNode> Parse(string text, List<string> errors)
    {
        var root = new List<KeepalivedConfigNode>();
        var stack = new Stack<List<KeepalivedConfigNode>>();
        var current = root;
        KeepalivedConfigNode? last = null;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            List<string>? statement = null;
            foreach (var token in Tokenize(lines[i], lineNo, errors))
            {
                if (token == "{")
                {
                    Flush();
                    if (last is null || last.Children is not null)
                    {
                        errors.Add($"line {lineNo}: '{{' without a keyword before it");
                        last = new KeepalivedConfigNode("", [], lineNo, []);
                    }
                    else
                    {
                        last = last with { Children = [] };
                        current[^1] = last;
                    }
                    stack.Push(current);
                    current = last.Children!;
                    last = null;
                }
                else if (token == "}")
                {
                    Flush();
                    if (stack.Count == 0)
                    {
                        errors.Add($"line {lineNo}: unmatched '}}'");
                        continue;
                    }
                    current = stack.Pop();
                    last = null;
                }
                else
                {
                    (statement ??= []).Add(token);
                }
            }
            Flush();

            void Flush()
            {
                if (statement is { Count: > 0 })
                {
                    last = new KeepalivedConfigNode(statement[0], statement.Skip(1).ToArray(), lineNo, null);
                    current.Add(last);
                }
                statement = null;
            }
        }
        if (stack.Count > 0)
        {
            errors.Add($"end of file: {stack.Count} unclosed '{{'");
        }
        return root;
    }

    private static IEnumerable<string> Tokenize(string line, int lineNo, List<string> errors)
    {
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '#' or '!')
            {
                yield break;
            }
            else if (c is '{' or '}')
            {
                i++;
                yield return c.ToString();
            }
            else if (c == '"')
            {
                int end = line.IndexOf('"', i + 1);
                if (end < 0)
                {
                    errors.Add($"line {lineNo}: unterminated quoted string");
                    yield return line[(i + 1)..];
                    yield break;
                }
                yield return line[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                int start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}' or '"'))
                {
                    i++;
                }
                yield return line[start..i];
            }
        }
    }
}
