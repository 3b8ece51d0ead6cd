namespace SaltHaGateway.Import.Nginx;

/// <summary>Collects diagnostics in the order they were found.</summary>
internal sealed class ImportDiagnostics
{
    private readonly List<ImportDiagnostic> _items = [];

    public IReadOnlyList<ImportDiagnostic> Items => _items;

    public void Error(NginxDirective d, string message) =>
        _items.Add(new ImportDiagnostic(d.File, d.Line, d.Name, message, IsError: true));

    public void Warning(NginxDirective d, string message) =>
        _items.Add(new ImportDiagnostic(d.File, d.Line, d.Name, message, IsError: false));

    public void NotTranslated(NginxDirective d, string? why = null) =>
        Warning(d, why is null ? "not translated; left out of the gateway config"
                               : $"not translated ({why}); left out of the gateway config");

    public void Add(ImportDiagnostic diagnostic) => _items.Add(diagnostic);

    /// <summary>Checks the argument count like nginx's NGX_CONF_TAKEn flags; false (and an error) when it is off.</summary>
    public bool RequireArgs(NginxDirective d, int min, int max = int.MaxValue)
    {
        if (d.Args.Count >= min && d.Args.Count <= max)
        {
            return true;
        }

        Error(d, $"invalid number of arguments in \"{d.Name}\" directive");
        return false;
    }

    /// <summary>nginx's "is not terminated by ;" / "has no opening {" checks.</summary>
    public bool RequireSimple(NginxDirective d)
    {
        if (!d.HasBlock)
        {
            return true;
        }

        Error(d, $"directive \"{d.Name}\" is not terminated by \";\"");
        return false;
    }

    public bool RequireBlock(NginxDirective d)
    {
        if (d.HasBlock)
        {
            return true;
        }

        Error(d, $"directive \"{d.Name}\" has no opening \"{{\"");
        return false;
    }
}
