namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// The gateway has one access log while nginx has one per http/server/location level. Every
/// <c>access_log</c> is validated; the first translatable one becomes Gateway:AccessLog and any other that
/// says something different is reported.
/// </summary>
internal sealed class AccessLogSelector(ImportDiagnostics diagnostics)
{
    private readonly List<(AccessLogModel Log, NginxDirective Source)> _logs = [];

    public void Add(NginxDirective d)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return;
        }

        if (d.Args[0] == "off")
        {
            if (d.Args.Count > 1)
            {
                diagnostics.Error(d, $"invalid parameter \"{d.Args[1]}\"");
                return;
            }

            _logs.Add((new AccessLogModel("off", null), d));
            return;
        }

        var path = d.Args[0];
        if (path.StartsWith("syslog:", StringComparison.Ordinal) || path.Contains('$'))
        {
            diagnostics.NotTranslated(d, "syslog and variable log paths are not supported");
            return;
        }

        if (d.Args.Count > 1 && d.Args[1] != "combined")
        {
            diagnostics.NotTranslated(d, $"log format \"{d.Args[1]}\"; the gateway writes combined or json");
            return;
        }

        foreach (var extra in d.Args.Skip(2))
        {
            diagnostics.Warning(d, $"access_log parameter \"{extra}\" is not translated; ignored");
        }

        _logs.Add((new AccessLogModel("combined", path == "/dev/stdout" ? "stdout" : path), d));
    }

    public AccessLogModel? Select()
    {
        if (_logs.Count == 0)
        {
            return null;
        }

        var chosen = _logs[0];
        foreach (var other in _logs.Skip(1).Where(l => l.Log != chosen.Log))
        {
            diagnostics.Warning(other.Source,
                $"the gateway has a single access log; using the one at {Path.GetFileName(chosen.Source.File)}:{chosen.Source.Line} instead");
        }

        return chosen.Log;
    }
}
