namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// A <c>check_status [html|csv|json]</c> location as a Gateway:StatusPages entry: its path and the location's
/// allow/deny rules and its default format (clients can still ask for another with ?format=).
/// </summary>
internal static class StatusPage
{
    public static StatusPageModel? From(LocationModel location, NginxDirective status, ImportDiagnostics diagnostics)
    {
        string? format = null;
        if (status.Args.Count == 1 && status.Args[0] != "html")
        {
            if (status.Args[0] is not ("csv" or "json"))
            {
                diagnostics.Error(status, $"invalid value \"{status.Args[0]}\"");
                return null;
            }

            format = status.Args[0];
        }

        var path = location.Pattern.Path;
        if (location.Pattern.Kind == LocationKind.Prefix && path.Length > 1)
        {
            path = path.TrimEnd('/');
        }

        return new StatusPageModel(path, location.Settings.AccessText, format);
    }
}
