namespace SaltHaGateway.Import.Nginx;

internal enum LocationKind
{
    Prefix,
    Exact,
    Regex,
    Named,
}

/// <summary>The match part of a <c>location</c>: "= /x", "^~ /x", "~ re", "~* re", "@name" or a plain prefix.</summary>
internal sealed record LocationPattern(LocationKind Kind, string Path)
{
    public static LocationPattern? Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireBlock(d) || !diagnostics.RequireArgs(d, 1, 2))
        {
            return null;
        }

        if (d.Args.Count == 2)
        {
            return d.Args[0] switch
            {
                "=" => new LocationPattern(LocationKind.Exact, d.Args[1]),
                "^~" => new LocationPattern(LocationKind.Prefix, d.Args[1]),
                "~" or "~*" => new LocationPattern(LocationKind.Regex, $"{d.Args[0]} {d.Args[1]}"),
                _ => Invalid(d, diagnostics),
            };
        }

        var arg = d.Args[0];
        if (arg.StartsWith('@'))
        {
            return new LocationPattern(LocationKind.Named, arg);
        }

        if (arg.StartsWith("^~", StringComparison.Ordinal))
        {
            return new LocationPattern(LocationKind.Prefix, arg[2..]);
        }

        if (arg.StartsWith('='))
        {
            return new LocationPattern(LocationKind.Exact, arg[1..]);
        }

        return arg.StartsWith('~') ? new LocationPattern(LocationKind.Regex, arg) : new LocationPattern(LocationKind.Prefix, arg);
    }

    private static LocationPattern? Invalid(NginxDirective d, ImportDiagnostics diagnostics)
    {
        diagnostics.Error(d, $"invalid location modifier \"{d.Args[0]}\"");
        return null;
    }
}
