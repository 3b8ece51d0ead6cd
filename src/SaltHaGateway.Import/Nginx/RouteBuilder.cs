namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// Turns the translated server blocks into routes, listeners and status pages, and pushes the per-location
/// proxy settings that the gateway keeps per cluster onto the clusters.
/// </summary>
/// <remarks>Which hosts each server's routes match is worked out by <see cref="ServerHostPlan"/>.</remarks>
internal sealed class RouteBuilder(ImportDiagnostics diagnostics, GatewayModel model)
{
    private readonly ClusterSettingsMerger _clusterSettings = new(diagnostics);
    private readonly HashSet<string> _routeKeys = [];

    public void Build(IReadOnlyList<ServerModel> servers)
    {
        CollectListen(servers);
        var proxied = servers.Where(s => s.Redirect is null).ToList();
        CollectRedirects(servers.Where(s => s.Redirect is not null).ToList(), proxied);
        CollectTls(proxied);
        if (proxied.Count > 0)
        {
            var plan = new ServerHostPlan(proxied, diagnostics);
            foreach (var server in proxied)
            {
                foreach (var location in server.Locations)
                {
                    AddLocation(location, plan.For(server));
                }
            }
        }

        FinishClusters();
    }

    private void CollectListen(IReadOnlyList<ServerModel> servers)
    {
        foreach (var server in servers)
        {
            foreach (var listen in server.Listens)
            {
                if (model.Listen.Contains(listen.Url))
                {
                    continue;
                }

                // Kestrel's http://*:P already takes IPv6 as well; a second [::]:P bind would fail.
                var scheme = listen.Ssl ? "https" : "http";
                var any = $"{scheme}://*:{listen.Port}";
                var v6 = $"{scheme}://[::]:{listen.Port}";
                if (listen.Url == v6 && servers.Any(s => s.Listens.Any(l => l.Url == any)))
                {
                    diagnostics.Warning(server.Source, $"\"[::]:{listen.Port}\" is covered by \"*:{listen.Port}\" (the gateway listens on IPv4 and IPv6 there)");
                    continue;
                }

                model.Listen.Add(listen.Url);
            }
        }
    }

    /// <summary>Servers that only <c>return 301 https://$host$request_uri</c> become <c>Gateway:RedirectHttps</c>
    /// ports, which the gateway redirects as a whole.</summary>
    private void CollectRedirects(IReadOnlyList<ServerModel> redirects, IReadOnlyList<ServerModel> proxied)
    {
        var httpsPort = model.Listen.Where(u => u.StartsWith("https://", StringComparison.Ordinal))
            .Select(u => int.Parse(u[(u.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(443);
        foreach (var server in redirects)
        {
            foreach (var port in server.Listens.Select(l => l.Port).Distinct())
            {
                if (proxied.FirstOrDefault(s => s.Listens.Any(l => l.Port == port)) is { } other)
                {
                    diagnostics.NotTranslated(server.Redirect!,
                        $"port {port} also serves the server at line {other.Source.Line}; the gateway redirects whole ports, so that server's routes stay on it");
                }
                else if (!model.RedirectHttps.Contains(port))
                {
                    model.RedirectHttps.Add(port);
                }
            }

            if (httpsPort != 443)
            {
                diagnostics.Warning(server.Redirect!, $"nginx redirects to port 443; the gateway redirects to its https listener on port {httpsPort}");
            }
        }
    }

    /// <summary>One certificate for all https listeners: that of the first ssl server; the others must agree.</summary>
    private void CollectTls(IReadOnlyList<ServerModel> servers)
    {
        ServerModel? first = null;
        foreach (var server in servers.Where(s => s.Listens.Any(l => l.Ssl)))
        {
            var tls = server.Tls ?? TlsSettings.Empty;
            if (tls.Certificate is not { } certificate || tls.Key is not { } key)
            {
                diagnostics.Error(server.Source,
                    $"no \"{(tls.Certificate is null ? "ssl_certificate" : "ssl_certificate_key")}\" is defined for the \"listen ... ssl\" directive");
                continue;
            }

            if (first is null)
            {
                first = server;
                model.Tls = new TlsModel(certificate.Path, key.Path, tls.Protocols?.Value, tls.Ciphers?.Value);
                continue;
            }

            if (certificate.Path != model.Tls!.Certificate || key.Path != model.Tls.CertificateKey)
            {
                diagnostics.Warning(certificate.Source,
                    $"a certificate per server (SNI) is not translated; every https listener uses {model.Tls.Certificate} of the server at line {first.Source.Line}");
            }

            if (tls.Protocols?.Value != model.Tls.Protocols || tls.Ciphers?.Value != model.Tls.Ciphers)
            {
                diagnostics.Warning(server.Source,
                    $"ssl_protocols/ssl_ciphers differ from the server at line {first.Source.Line}, whose settings every https listener uses");
            }
        }
    }

    private void AddLocation(LocationModel location, IReadOnlyList<HostMatch> matches)
    {
        if (matches.Count == 0)
        {
            return;
        }

        if (location.CheckStatus is { } status)
        {
            if (StatusPage.From(location, status, diagnostics) is { } page)
            {
                model.StatusPages.Add(page);
            }

            if (location.ProxyPass is not null)
            {
                diagnostics.Warning(location.ProxyPass.Source, "location also has check_status, which serves it; proxy_pass left out");
            }

            return;
        }

        if (location.ProxyPass is not { } target)
        {
            return;
        }

        if (!location.Pattern.Path.StartsWith('/'))
        {
            diagnostics.NotTranslated(location.Source, $"location \"{location.Pattern.Path}\" does not start with '/' and never matches");
            return;
        }

        var cluster = ResolveCluster(target);
        if (cluster is null)
        {
            return;
        }

        var transforms = LocationRoute.Transforms(location.Pattern, target.Uri);
        if (transforms is null)
        {
            diagnostics.NotTranslated(target.Source,
                $"replacing location \"{location.Pattern.Path}\" with URI \"{target.Uri}\" has no exact path transform (one ends in '/', the other does not)");
            return;
        }

        if (cluster.Scheme is not null && cluster.Scheme != target.Scheme)
        {
            diagnostics.NotTranslated(target.Source, $"cluster \"{cluster.Id}\" is already used over {cluster.Scheme}; one cluster cannot use both http and https");
            return;
        }

        var path = LocationRoute.Path(location.Pattern, location.Source, diagnostics);
        cluster.Scheme = target.Scheme;
        foreach (var match in matches)
        {
            var key = $"{match.Order}|{string.Join(",", match.Hosts ?? [])}|{path}";
            if (!_routeKeys.Add(key))
            {
                diagnostics.Warning(location.Source,
                    $"another server already has a route for \"{path}\" with the same hosts; nginx ignores this conflicting server name, so does the import");
                continue;
            }

            var route = new RouteModel(UniqueRouteId(cluster.Id), cluster.Id, path) { Hosts = match.Hosts, Order = match.Order };
            route.Transforms.AddRange(transforms);
            if (location.Settings.MaxBodySize is { } size)
            {
                route.MaxRequestBodySize = long.Parse(size.Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            foreach (var header in location.Settings.SetHeaders ?? [])
            {
                route.Metadata.Set($"ProxySetHeader.{header.Name}", header.Value);
            }

            if (location.Settings.AccessText is { } access)
            {
                route.Metadata.Set("Access", access);
            }

            model.Routes.Add(route);
        }

        _clusterSettings.Add(cluster, location);
    }

    private ClusterModel? ResolveCluster(ProxyPassTarget target)
    {
        var host = target.Endpoint.Host;
        var upstream = model.Clusters.FirstOrDefault(c => c.Source is not null && string.Equals(c.Id, host, StringComparison.OrdinalIgnoreCase));
        if (upstream is not null)
        {
            if (target.Endpoint.Port is { } port)
            {
                diagnostics.Error(target.Source, $"upstream \"{upstream.Id}\" may not have port {port}");
                return null;
            }

            return upstream;
        }

        if (!target.Endpoint.IsIpLiteral && host != "localhost")
        {
            diagnostics.Error(target.Source,
                $"host not found in upstream \"{host}\": no upstream block has this name, and the import does not resolve host names (define the upstream or use an IP address)");
            return null;
        }

        var authority = target.Endpoint.Authority(target.DefaultPort);

        // ':' separates sections in .NET configuration keys, so a cluster (and the routes named after it)
        // must not carry one in its id.
        var id = authority.Replace("[", "").Replace("]", "").Replace(':', '_');
        var cluster = model.Clusters.FirstOrDefault(c => c.Source is null && c.Id == id);
        if (cluster is null)
        {
            cluster = new ClusterModel(id, source: null);
            cluster.Metadata.Set("Balance", UpstreamBalance.RoundRobin.Value);
            cluster.Destinations.Add(new DestinationModel(authority, authority));
            model.Clusters.Add(cluster);
        }

        return cluster;
    }

    private void FinishClusters()
    {
        _clusterSettings.WriteTo(model.Clusters);
        foreach (var cluster in model.Clusters)
        {
            var scheme = cluster.Scheme ?? "http";
            foreach (var destination in cluster.Destinations)
            {
                destination.Address = $"{scheme}://{destination.Authority}";
            }
        }
    }

    private string UniqueRouteId(string baseId)
    {
        var id = baseId;
        for (var n = 2; model.Routes.Any(r => r.Id == id); n++)
        {
            id = $"{baseId}-{n}";
        }

        return id;
    }
}
