namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// <c>salt-ha-gateway import-nginx FILE</c>: reads an nginx config (following includes) and produces the
/// gateway's JSON config plus a diagnostic for everything that is invalid or could not be carried over.
/// Never throws on bad input; read errors become diagnostics.
/// </summary>
public static class NginxConfigImporter
{
    /// <param name="path">The nginx file to import; relative includes resolve against its directory.</param>
    public static NginxImportResult Import(string path) => Import(path, confPrefix: null);

    /// <param name="path">The nginx file to import.</param>
    /// <param name="confPrefix">
    /// Directory that relative include and certificate paths are resolved against; nginx uses its conf prefix, which is the
    /// main file's directory under <c>nginx -c FILE</c>. Defaults to the directory of <paramref name="path"/>.
    /// </param>
    public static NginxImportResult Import(string path, string? confPrefix)
    {
        var diagnostics = new ImportDiagnostics();
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            diagnostics.Add(new ImportDiagnostic(path, 0, "", $"invalid path: {e.Message}", IsError: true));
            return new NginxImportResult("", diagnostics.Items);
        }

        var prefix = confPrefix is null ? Path.GetDirectoryName(fullPath) ?? "/" : Path.GetFullPath(confPrefix);
        IReadOnlyList<NginxDirective> tree;
        try
        {
            tree = new NginxConfigParser(prefix, diagnostics).ParseFile(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new ImportDiagnostic(fullPath, 0, "", $"cannot read the config: {e.Message}", IsError: true));
            return new NginxImportResult("", diagnostics.Items);
        }
        catch (NginxSyntaxException e)
        {
            diagnostics.Add(new ImportDiagnostic(e.File, e.Line, e.Directive, e.Message, IsError: true));
            return new NginxImportResult("", diagnostics.Items);
        }

        var model = new NginxConfigTranslator(diagnostics, prefix).Translate(tree);
        return new NginxImportResult(GatewayConfigJsonWriter.Write(model), InFileOrder(diagnostics.Items));
    }

    /// <summary>Files in the order they were first mentioned, lines ascending within a file.</summary>
    private static IReadOnlyList<ImportDiagnostic> InFileOrder(IReadOnlyList<ImportDiagnostic> items)
    {
        var files = items.Select(d => d.File).Distinct().ToList();
        return items.OrderBy(d => files.IndexOf(d.File)).ThenBy(d => d.Line).ToList();
    }
}
