namespace SaltHaGateway.Import.Nginx;

/// <summary>Reads one <c>server { ... }</c> block: listeners, names, server-level settings and locations.</summary>
/// <param name="confPrefix">What relative ssl_certificate paths resolve against.</param>
internal sealed class ServerTranslator(ImportDiagnostics diagnostics, AccessLogSelector accessLogs, string confPrefix)
{
    /// <summary>nginx's usual plain server that sends every request to https.</summary>
    private static readonly string[] HttpsRedirectTargets = ["https://$host$request_uri", "https://$server_name$request_uri"];

    // Directives nginx knows but rejects in these contexts ("is not allowed here"), as opposed to unknown ones.
    private static readonly string[] NotInServer =
        ["http", "events", "upstream", "server", "proxy_pass", .. UpstreamTranslator.UpstreamOnly];

    private static readonly string[] NotInLocation =
        ["http", "events", "upstream", "server", "listen", "server_name", .. UpstreamTranslator.UpstreamOnly];

    public ServerModel? Translate(NginxDirective server, ProxySettings inherited, TlsSettings inheritedTls)
    {
        if (!diagnostics.RequireBlock(server) || !diagnostics.RequireArgs(server, 0, 0))
        {
            return null;
        }

        var listens = new List<ListenAddress>();
        var listenDirectives = 0;
        var names = new List<string>();
        var settings = new ProxySettingsBuilder(diagnostics, confPrefix);
        var tls = new TlsSettingsBuilder(diagnostics, confPrefix);
        NginxDirective? redirect = null;
        var locations = new List<NginxDirective>();
        foreach (var d in server.Block!)
        {
            switch (d.Name)
            {
                case "listen":
                    listenDirectives++;
                    if (ListenAddress.Parse(d, diagnostics) is { } listen)
                    {
                        listens.Add(listen);
                    }

                    break;
                case "server_name":
                    names.AddRange(ServerNames.Parse(d, diagnostics).Where(n => !names.Contains(n)));
                    break;
                case "location":
                    locations.Add(d);
                    break;
                case "access_log":
                    accessLogs.Add(d);
                    break;
                case "return" when redirect is null && !d.HasBlock && d.Args.Count == 2 && d.Args[0] == "301" && HttpsRedirectTargets.Contains(d.Args[1]):
                    redirect = d;
                    break;
                default:
                    if (!tls.TryApply(d))
                    {
                        Other(d, settings, NotInServer);
                    }

                    break;
            }
        }

        if (listenDirectives == 0)
        {
            listens.Add(new ListenAddress("http://*:80", 80, "*", DefaultServer: false));
        }
        else if (listens.Count == 0)
        {
            diagnostics.Warning(server, "server has no listener the gateway can serve; its locations are not translated");
            return null;
        }

        if (redirect is not null)
        {
            return Redirect(server, redirect, listens, names, locations);
        }

        var serverSettings = settings.Build(inherited);
        var models = new List<LocationModel>();
        foreach (var location in locations)
        {
            var model = TranslateLocation(location, serverSettings);
            if (model is null)
            {
                continue;
            }

            if (models.FirstOrDefault(m => m.Pattern == model.Pattern) is { } first)
            {
                diagnostics.Error(location, $"duplicate location \"{model.Pattern.Path}\" (first at line {first.Source.Line})");
                continue;
            }

            models.Add(model);
        }

        return new ServerModel(server, listens, names, models, tls.Build(inheritedTls));
    }

    /// <summary>A server-level <c>return 301 https://…</c> answers before any location is looked at.</summary>
    private ServerModel? Redirect(NginxDirective server, NginxDirective redirect, List<ListenAddress> listens, List<string> names, List<NginxDirective> locations)
    {
        if (listens.Any(l => l.Ssl))
        {
            diagnostics.NotTranslated(redirect, "a redirect on an ssl listener; the gateway redirects plain listeners only");
            diagnostics.Warning(server, "server has no listener the gateway can serve; its locations are not translated");
            return null;
        }

        if (redirect.Args[1].Contains("$server_name", StringComparison.Ordinal) && names.Count > 1)
        {
            diagnostics.Warning(redirect, "$server_name is taken as $host: the gateway redirects to the name the client asked for");
        }

        foreach (var location in locations)
        {
            diagnostics.NotTranslated(location, "the server's \"return 301\" answers every request first");
        }

        return new ServerModel(server, listens, names, [], Redirect: redirect);
    }

    private LocationModel? TranslateLocation(NginxDirective location, ProxySettings inherited)
    {
        var pattern = LocationPattern.Parse(location, diagnostics);
        if (pattern is null)
        {
            return null;
        }

        if (pattern.Kind is LocationKind.Regex or LocationKind.Named)
        {
            diagnostics.NotTranslated(location,
                $"{(pattern.Kind == LocationKind.Regex ? "regex" : "named")} location \"{pattern.Path}\" and its {location.Block!.Count} directive(s)");
            return null;
        }

        var settings = new ProxySettingsBuilder(diagnostics, confPrefix);
        ProxyPassTarget? proxyPass = null;
        NginxDirective? checkStatus = null;
        var proxyPassSeen = false;
        foreach (var d in location.Block!)
        {
            switch (d.Name)
            {
                case "proxy_pass":
                    if (proxyPassSeen)
                    {
                        diagnostics.Error(d, "\"proxy_pass\" directive is duplicate");
                        break;
                    }

                    proxyPassSeen = true;
                    proxyPass = ProxyPassTarget.Parse(d, diagnostics);
                    break;
                case "check_status":
                    if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 0, 1))
                    {
                        checkStatus = d;
                    }

                    break;
                case "access_log":
                    accessLogs.Add(d);
                    break;
                case "location":
                    diagnostics.NotTranslated(d, "nested locations");
                    break;
                default:
                    Other(d, settings, NotInLocation);
                    break;
            }
        }

        if (proxyPass is null && checkStatus is null && !proxyPassSeen)
        {
            diagnostics.Warning(location, $"location \"{pattern.Path}\" has no proxy_pass or check_status; no route is created");
        }

        return new LocationModel(pattern, location, settings.Build(inherited), proxyPass, checkStatus);
    }

    private void Other(NginxDirective d, ProxySettingsBuilder settings, string[] notAllowed)
    {
        if (notAllowed.Contains(d.Name))
        {
            diagnostics.Error(d, $"\"{d.Name}\" directive is not allowed here");
        }
        else if (!settings.TryApply(d))
        {
            diagnostics.NotTranslated(d, d.HasBlock ? $"block with {d.Block!.Count} directive(s)" : null);
        }
    }
}
