namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// Walks the directive tree: a full nginx.conf (main context with http{} and events{}) or a file holding
/// what would sit inside http{} (upstream and server blocks, as in conf.d/ or sites-enabled/). Every
/// directive is either translated or reported. Relative certificate paths are taken from <paramref name="confPrefix"/>.
/// </summary>
/// <param name="confPrefix">What relative ssl_certificate paths resolve against (nginx's conf prefix).</param>
internal sealed class NginxConfigTranslator(ImportDiagnostics diagnostics, string confPrefix)
{
    public GatewayModel Translate(IReadOnlyList<NginxDirective> root)
    {
        var http = root.Where(d => d.Name == "http").ToList();
        if (http.Count == 0)
        {
            return TranslateHttp(root);
        }

        foreach (var extra in http.Skip(1))
        {
            diagnostics.Error(extra, "\"http\" directive is duplicate");
        }

        foreach (var d in root.Where(d => d.Name != "http"))
        {
            if (d.Name is "server" or "upstream" or "location")
            {
                diagnostics.Error(d, $"\"{d.Name}\" directive is not allowed here");
            }
            else
            {
                diagnostics.NotTranslated(d, d.HasBlock ? $"block with {d.Block!.Count} directive(s)" : null);
            }
        }

        return diagnostics.RequireBlock(http[0]) && diagnostics.RequireArgs(http[0], 0, 0)
            ? TranslateHttp(http[0].Block!)
            : new GatewayModel();
    }

    private GatewayModel TranslateHttp(IReadOnlyList<NginxDirective> block)
    {
        var model = new GatewayModel();
        var accessLogs = new AccessLogSelector(diagnostics);
        var settings = new ProxySettingsBuilder(diagnostics, confPrefix);
        var tls = new TlsSettingsBuilder(diagnostics, confPrefix);
        var upstreams = new UpstreamTranslator(diagnostics);
        var serverBlocks = new List<NginxDirective>();

        // Upstreams first: proxy_pass may name an upstream defined further down, as nginx allows.
        foreach (var d in block)
        {
            switch (d.Name)
            {
                case "upstream":
                    if (upstreams.Translate(d) is not { } cluster)
                    {
                        break;
                    }

                    if (model.Clusters.FirstOrDefault(c => string.Equals(c.Id, cluster.Id, StringComparison.OrdinalIgnoreCase)) is { } dup)
                    {
                        diagnostics.Error(d, $"duplicate upstream \"{cluster.Id}\" (first at line {dup.Source!.Line})");
                        break;
                    }

                    model.Clusters.Add(cluster);
                    break;
                case "server":
                    serverBlocks.Add(d);
                    break;
                case "access_log":
                    accessLogs.Add(d);
                    break;
                case "location" or "listen" or "server_name" or "proxy_pass" or "check_status" or "events":
                case var name when UpstreamTranslator.UpstreamOnly.Contains(name) && name != "server":
                    diagnostics.Error(d, $"\"{d.Name}\" directive is not allowed here");
                    break;
                default:
                    if (!tls.TryApply(d) && !settings.TryApply(d))
                    {
                        diagnostics.NotTranslated(d, d.HasBlock ? $"block with {d.Block!.Count} directive(s)" : null);
                    }

                    break;
            }
        }

        var httpSettings = settings.Build(ProxySettings.Empty);
        var httpTls = tls.Build(TlsSettings.Empty);
        var servers = new ServerTranslator(diagnostics, accessLogs, confPrefix);
        var serverModels = serverBlocks.Select(s => servers.Translate(s, httpSettings, httpTls)).OfType<ServerModel>().ToList();
        new RouteBuilder(diagnostics, model).Build(serverModels);
        model.AccessLog = accessLogs.Select();
        return model;
    }
}
