namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// Builds the directive tree of an nginx config, following <c>include</c> in place the way nginx does
/// (the included directives join the block the include is written in).
/// </summary>
/// <remarks>
/// Relative include paths are resolved against <paramref name="confPrefix"/>: nginx resolves them against its
/// conf prefix, which is the directory of the main file when started as <c>nginx -c FILE</c>, whichever file
/// the include is written in. Only when that finds nothing and the including file lives in another directory
/// is the including file's own directory tried, with a warning, because a snippet imported on its own has
/// lost the prefix nginx would have used. A pattern with wildcards that matches nothing is fine (as in nginx);
/// a plain path that does not exist is an error.
/// </remarks>
internal sealed class NginxConfigParser(string confPrefix, ImportDiagnostics diagnostics)
{
    private const int MaxIncludeDepth = 32;
    private const int MaxBlockDepth = 64;
    private readonly List<string> _open = [];

    public IReadOnlyList<NginxDirective> ParseFile(string path)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new NginxSyntaxException(full, 0, "", $"cannot read file: {e.Message}");
        }

        _open.Add(full);
        try
        {
            var tokenizer = new NginxTokenizer(text, full);
            return ParseBlock(tokenizer, full, depth: 0, openLine: 0);
        }
        finally
        {
            _open.RemoveAt(_open.Count - 1);
        }
    }

    private List<NginxDirective> ParseBlock(NginxTokenizer tokenizer, string file, int depth, int openLine)
    {
        var inBlock = depth > 0;
        var result = new List<NginxDirective>();
        var args = new List<NginxToken>();
        while (true)
        {
            var token = tokenizer.Next();
            switch (token.Kind)
            {
                case NginxTokenKind.Word:
                    args.Add(token);
                    break;

                case NginxTokenKind.Semicolon:
                    if (args.Count == 0)
                    {
                        throw new NginxSyntaxException(file, token.Line, "", "unexpected \";\"");
                    }

                    var simple = Make(args, file, block: null);
                    if (simple.Name == "include")
                    {
                        result.AddRange(Include(simple));
                    }
                    else
                    {
                        result.Add(simple);
                    }

                    args.Clear();
                    break;

                case NginxTokenKind.BlockStart:
                    if (args.Count == 0)
                    {
                        throw new NginxSyntaxException(file, token.Line, "", "unexpected \"{\"");
                    }

                    var name = args[0].Text;
                    if (name == "include")
                    {
                        throw new NginxSyntaxException(file, token.Line, name, "directive \"include\" is not terminated by \";\"");
                    }

                    if (depth >= MaxBlockDepth)
                    {
                        throw new NginxSyntaxException(file, token.Line, name, $"blocks nested deeper than {MaxBlockDepth} levels");
                    }

                    var headerArgs = args.ToList();
                    args.Clear();
                    var children = ParseBlock(tokenizer, file, depth + 1, openLine: token.Line);
                    result.Add(Make(headerArgs, file, children));
                    break;

                case NginxTokenKind.BlockEnd:
                    if (args.Count > 0 || !inBlock)
                    {
                        throw new NginxSyntaxException(file, token.Line, args.Count > 0 ? args[0].Text : "", "unexpected \"}\"");
                    }

                    return result;

                case NginxTokenKind.EndOfFile:
                    if (args.Count > 0)
                    {
                        throw new NginxSyntaxException(file, token.Line, args[0].Text,
                            $"unexpected end of file, expecting \";\" or \"}}\" (directive started on line {args[0].Line})");
                    }

                    if (inBlock)
                    {
                        throw new NginxSyntaxException(file, token.Line, "",
                            $"unexpected end of file, expecting \"}}\" (block opened on line {openLine})");
                    }

                    return result;
            }
        }
    }

    private static NginxDirective Make(List<NginxToken> args, string file, List<NginxDirective>? block) =>
        new(args[0].Text, args.Skip(1).Select(a => a.Text).ToArray(), file, args[0].Line, block);

    private IEnumerable<NginxDirective> Include(NginxDirective include)
    {
        if (include.Args.Count != 1)
        {
            throw new NginxSyntaxException(include.File, include.Line, "include", "invalid number of arguments in \"include\" directive");
        }

        if (_open.Count >= MaxIncludeDepth)
        {
            throw new NginxSyntaxException(include.File, include.Line, "include", $"includes nested deeper than {MaxIncludeDepth} levels");
        }

        IReadOnlyList<string> files;
        try
        {
            files = Resolve(include);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new NginxSyntaxException(include.File, include.Line, "include", $"cannot resolve \"{include.Args[0]}\": {e.Message}");
        }

        var result = new List<NginxDirective>();
        foreach (var file in files)
        {
            if (_open.Contains(file))
            {
                throw new NginxSyntaxException(include.File, include.Line, "include", $"\"{file}\" includes itself (include cycle)");
            }

            result.AddRange(ParseFile(file));
        }

        return result;
    }

    private IReadOnlyList<string> Resolve(NginxDirective include)
    {
        var pattern = include.Args[0];
        var glob = IncludeGlob.HasWildcards(pattern);
        var primary = Path.GetFullPath(Path.Combine(confPrefix, pattern));
        var found = Find(primary, glob);
        if (found.Count > 0 || Path.IsPathRooted(pattern))
        {
            return RequireFound(found, glob, primary, include);
        }

        var ownDir = Path.GetDirectoryName(include.File) ?? confPrefix;
        if (string.Equals(Path.GetFullPath(ownDir), Path.GetFullPath(confPrefix), StringComparison.Ordinal))
        {
            return RequireFound(found, glob, primary, include);
        }

        var fallback = Path.GetFullPath(Path.Combine(ownDir, pattern));
        var second = Find(fallback, glob);
        if (second.Count > 0)
        {
            diagnostics.Warning(include,
                $"\"{pattern}\" not found relative to the conf prefix \"{confPrefix}\"; used \"{fallback}\" (relative to the including file) instead");
            return second;
        }

        return RequireFound(found, glob, primary, include);
    }

    private static IReadOnlyList<string> Find(string fullPattern, bool glob) =>
        glob ? IncludeGlob.Expand(fullPattern) : File.Exists(fullPattern) ? [fullPattern] : [];

    private static IReadOnlyList<string> RequireFound(IReadOnlyList<string> found, bool glob, string primary, NginxDirective include)
    {
        if (found.Count == 0 && !glob)
        {
            throw new NginxSyntaxException(include.File, include.Line, "include", $"open() \"{primary}\" failed (No such file or directory)");
        }

        return found;
    }
}
