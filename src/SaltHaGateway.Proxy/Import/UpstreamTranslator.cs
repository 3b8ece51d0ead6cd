using System.Text;

namespace SaltHaGateway.Proxy.Import;

/// <summary>Turns one <c>upstream NAME { ... }</c> block into a cluster: servers, balancing, keepalive, active checks.</summary>
internal sealed class UpstreamTranslator(ImportDiagnostics diagnostics)
{
    private static readonly string[] ExpectAliveValues = ["http_2xx", "http_3xx", "http_4xx", "http_5xx"];

    public ClusterModel? Translate(NginxDirective upstream)
    {
        if (!diagnostics.RequireBlock(upstream) || !diagnostics.RequireArgs(upstream, 1, 1))
        {
            return null;
        }

        var cluster = new ClusterModel(upstream.Args[0], upstream);
        var balance = UpstreamBalance.RoundRobin;
        var servers = new List<UpstreamServer>();
        HealthCheckSpec? check = null;
        var checkSettings = new List<(NginxDirective Source, string Key, string Value)>();
        var ok = true;
        var untranslatedServers = 0;

        foreach (var d in upstream.Block!)
        {
            switch (d.Name)
            {
                case "server":
                    var server = UpstreamServer.Parse(d, balance, diagnostics);
                    if (server is not null)
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

                case "ip_hash":
                case "hash":
                case "least_conn":
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
                    if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1))
                    {
                        if (NginxNumber.TryParse(d.Args[0], out var n) && n > 0)
                        {
                            cluster.Metadata.Set("Keepalive", n.ToString());
                        }
                        else
                        {
                            diagnostics.Error(d, $"invalid value \"{d.Args[0]}\" in \"keepalive\" directive");
                            ok = false;
                        }
                    }
                    else
                    {
                        ok = false;
                    }

                    break;

                case "check":
                    if (check is not null)
                    {
                        diagnostics.Warning(d, "\"check\" given twice in this upstream; the last one is used");
                    }

                    check = HealthCheckSpec.Parse(d, diagnostics);
                    ok &= check is not null;
                    break;

                case "check_http_send":
                    if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1))
                    {
                        checkSettings.Add((d, "CheckHttpSend", Escape(d.Args[0])));
                    }
                    else
                    {
                        ok = false;
                    }

                    break;

                case "check_http_expect_alive":
                    var alive = ParseExpectAlive(d);
                    if (alive is null)
                    {
                        ok = false;
                    }
                    else
                    {
                        checkSettings.Add((d, "CheckHttpExpectAlive", alive));
                    }

                    break;

                case "check_keepalive_requests":
                    if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1) &&
                        NginxNumber.TryParse(d.Args[0], out var requests) && requests > 0)
                    {
                        checkSettings.Add((d, "CheckKeepaliveRequests", requests.ToString()));
                    }
                    else
                    {
                        if (d.Args.Count == 1 && !d.HasBlock)
                        {
                            diagnostics.Error(d, $"invalid value \"{d.Args[0]}\" in \"check_keepalive_requests\" directive");
                        }

                        ok = false;
                    }

                    break;

                case "location" or "listen" or "server_name" or "proxy_pass" or "upstream" or "http" or "events":
                    diagnostics.Error(d, $"\"{d.Name}\" directive is not allowed here");
                    ok = false;
                    break;

                default:
                    diagnostics.NotTranslated(d, d.HasBlock ? $"block with {d.Block!.Count} directive(s)" : null);
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
        ApplyCheck(cluster, upstream, check, checkSettings);
        AddDestinations(cluster, servers, check);
        return cluster;
    }

    private void ApplyCheck(ClusterModel cluster, NginxDirective upstream, HealthCheckSpec? check,
        List<(NginxDirective Source, string Key, string Value)> settings)
    {
        if (check is null)
        {
            foreach (var setting in settings)
            {
                diagnostics.Warning(setting.Source, "has no effect without a \"check\" directive in the same upstream; left out");
            }

            return;
        }

        if (!check.GatewaySupportsType)
        {
            diagnostics.Warning(upstream,
                $"upstream \"{cluster.Id}\": check type \"{check.Type}\" is not supported by the gateway (tcp, ssl_hello, http); the upstream is imported without active checks");
            return;
        }

        cluster.Metadata.Set("Check", check.Verbatim);
        foreach (var setting in settings)
        {
            cluster.Metadata.Set(setting.Key, setting.Value);
        }
    }

    private static void AddDestinations(ClusterModel cluster, List<UpstreamServer> servers, HealthCheckSpec? check)
    {
        foreach (var server in servers)
        {
            var id = server.Address;
            for (var n = 2; cluster.Destinations.Any(d => d.Id == id); n++)
            {
                id = $"{server.Address}#{n}";
            }

            var destination = new DestinationModel(id, server.Endpoint.Authority(80));
            if (check?.Port is { } port && check.GatewaySupportsType)
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

    private static void SetIf(OrderedMetadata metadata, string key, string? value)
    {
        if (value is not null)
        {
            metadata.Set(key, value);
        }
    }

    private string? ParseExpectAlive(NginxDirective d)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return null;
        }

        foreach (var arg in d.Args)
        {
            if (!ExpectAliveValues.Contains(arg, StringComparer.OrdinalIgnoreCase))
            {
                diagnostics.Error(d, $"invalid value \"{arg}\"");
                return null;
            }
        }

        return string.Join(' ', d.Args);
    }

    /// <summary>Back to nginx string escapes, as the contract keeps check_http_send ("\r\n" as two characters).</summary>
    internal static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            sb.Append(ch switch
            {
                '\\' => @"\\",
                '\r' => @"\r",
                '\n' => @"\n",
                '\t' => @"\t",
                _ => ch.ToString(),
            });
        }

        return sb.ToString();
    }
}
