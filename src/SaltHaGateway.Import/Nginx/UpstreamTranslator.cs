using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>Turns one <c>upstream NAME { ... }</c> block into a cluster: servers, balancing, keepalive, active checks.</summary>
internal sealed class UpstreamTranslator(ImportDiagnostics diagnostics)
{
    /// <summary>Directives nginx accepts only inside an upstream block.</summary>
    internal static readonly string[] UpstreamOnly =
    [
        "server", "ip_hash", "hash", "least_conn", "random", "keepalive", "zone", "check", "check_http_send",
        "check_http_expect_alive", "check_keepalive_requests", "check_fastcgi_param", "sticky",
    ];

    private static readonly string[] NotInUpstream = ["location", "listen", "server_name", "proxy_pass", "upstream", "http", "events"];

    /// <summary>The cluster (also when some lines had errors, so later references still resolve); null if unusable.</summary>
    public ClusterModel? Translate(NginxDirective upstream)
    {
        if (!diagnostics.RequireBlock(upstream) || !diagnostics.RequireArgs(upstream, 1, 1))
        {
            return null;
        }

        var cluster = new ClusterModel(upstream.Args[0], upstream);
        var balance = UpstreamBalance.RoundRobin;
        var servers = new List<UpstreamServer>();
        var checks = new UpstreamCheckBuilder(diagnostics);
        var ok = true;
        var untranslatedServers = 0;

        foreach (var d in upstream.Block!)
        {
            if (checks.TryApply(d, out var valid))
            {
                ok &= valid;
                continue;
            }

            switch (d.Name)
            {
                case "server":
                    if (UpstreamServer.Parse(d, balance, diagnostics) is { } server)
                    {
                        servers.Add(server);
                    }
                    else if (d.Args.FirstOrDefault("").StartsWith("unix:", StringComparison.Ordinal))
                    {
                        untranslatedServers++;
                    }
                    else
                    {
                        ok = false;
                    }

                    break;

                case "ip_hash" or "hash" or "least_conn":
                    var parsed = UpstreamBalance.Parse(d, diagnostics);
                    if (parsed is null)
                    {
                        ok = false;
                        break;
                    }

                    if (!balance.IsDefault)
                    {
                        diagnostics.Warning(d, "load balancing method redefined");
                    }

                    // nginx checks "backup" only against the method declared before the server line; a backup
                    // server followed by ip_hash/hash is accepted by nginx but then never used as a backup, so
                    // it is rejected here rather than silently changing meaning.
                    if (!parsed.SupportsBackup && servers.FirstOrDefault(s => s.Backup) is { } backup)
                    {
                        diagnostics.Error(d,
                            $"balancing method does not support parameter \"backup\" (server \"{backup.Address}\" at line {backup.Source.Line})");
                        ok = false;
                    }

                    balance = parsed;
                    break;

                case "keepalive":
                    ok &= Keepalive(d, cluster);
                    break;

                case "sticky":
                    ok &= Sticky(d, cluster);
                    break;

                default:
                    if (NotInUpstream.Contains(d.Name))
                    {
                        diagnostics.Error(d, $"\"{d.Name}\" directive is not allowed here");
                        ok = false;
                    }
                    else
                    {
                        diagnostics.NotTranslated(d, d.HasBlock ? $"block with {d.Block!.Count} directive(s)" : null);
                    }

                    break;
            }
        }

        if (servers.Count == 0 && ok)
        {
            if (untranslatedServers > 0)
            {
                diagnostics.NotTranslated(upstream, $"upstream \"{cluster.Id}\" has no server the gateway can use");
            }
            else
            {
                diagnostics.Error(upstream, $"no servers are inside upstream \"{cluster.Id}\"");
            }

            return null;
        }

        cluster.Metadata.Set("Balance", balance.Value);
        checks.WriteTo(cluster, upstream);
        AddDestinations(cluster, servers, checks.Active ? checks.Check!.Port : null);
        return cluster;
    }

    private bool Keepalive(NginxDirective d, ClusterModel cluster)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1, 1))
        {
            return false;
        }

        if (!NginxNumber.TryParse(d.Args[0], out var n) || n == 0)
        {
            diagnostics.Error(d, $"invalid value \"{d.Args[0]}\" in \"keepalive\" directive");
            return false;
        }

        cluster.Metadata.Set("Keepalive", n.ToString());
        return true;
    }

    private static void AddDestinations(ClusterModel cluster, List<UpstreamServer> servers, int? checkPort)
    {
        foreach (var server in servers)
        {
            // The contract names destinations after the address as written; a repeated address gets "#2", "#3".
            var id = server.Address;
            for (var n = 2; cluster.Destinations.Any(d => d.Id == id); n++)
            {
                id = $"{server.Address}#{n}";
            }

            var destination = new DestinationModel(id, server.Endpoint.Authority(80));
            if (checkPort is { } port)
            {
                destination.Health = $"http://{server.Endpoint.UrlHost}:{port}";
            }

            SetIf(destination.Metadata, "Weight", server.Weight);
            SetIf(destination.Metadata, "MaxFails", server.MaxFails);
            SetIf(destination.Metadata, "FailTimeout", server.FailTimeout);
            SetIf(destination.Metadata, "Backup", server.Backup ? "true" : null);
            SetIf(destination.Metadata, "Down", server.Down ? "true" : null);
            cluster.Destinations.Add(destination);
        }
    }

    /// <summary><c>sticky learn …;</c> / <c>sticky cookie …;</c>: carried over as written, after the same checks the
    /// gateway makes at load (an invalid directive is an error, as in nginx).</summary>
    private bool Sticky(NginxDirective d, ClusterModel cluster)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return false;
        }

        var text = string.Join(' ', d.Args);
        if (!SaltHaGateway.Proxy.Sticky.StickyOptions.TryParse(text, out _, out var error))
        {
            diagnostics.Error(d, error!);
            return false;
        }

        if (cluster.Metadata["Sticky"] is not null)
        {
            diagnostics.Error(d, "\"sticky\" directive is duplicate");
            return false;
        }

        cluster.Metadata.Set("Sticky", text);
        return true;
    }

    private static void SetIf(OrderedMetadata metadata, string key, string? value)
    {
        if (value is not null)
        {
            metadata.Set(key, value);
        }
    }
}
