namespace SaltHaGateway.Import.Nginx;

/// <summary>How a server's routes must match hosts: the Hosts list (null = any host) and the route Order.</summary>
internal sealed record HostMatch(List<string>? Hosts, int? Order);

/// <summary>
/// Works out, per server block, the host matches that reproduce nginx's server selection: nginx picks the
/// servers listening on the connection's socket, then the one whose server_name matches Host, else that
/// socket's default server (default_server, else the first). A default server sharing its socket matches any
/// host with a later Order, so named servers win for their names. When the listeners use more than one port,
/// hosts are qualified with the port ("name:8080", "*:8080"), which ASP.NET compares with the Host header's
/// port (nginx uses the socket). "[::]:P" counts as "*:P", which the gateway's listener already covers.
/// </summary>
internal sealed class ServerHostPlan
{
    private readonly Dictionary<ServerModel, List<HostMatch>> _plans = new(ReferenceEqualityComparer.Instance);

    public ServerHostPlan(IReadOnlyList<ServerModel> servers, ImportDiagnostics diagnostics)
    {
        var sockets = servers.SelectMany(s => s.Listens.Select(l => Socket(l.Url))).Distinct().ToList();
        var qualify = sockets.Select(Port).Distinct().Count() > 1;
        if (sockets.GroupBy(Port).Any(g => g.Count() > 1))
        {
            diagnostics.Warning(servers[0].Source,
                "servers listen on different addresses with the same port; the gateway cannot tell them apart (routes match by Host, not by local address)");
        }

        foreach (var server in servers)
        {
            var matches = new List<HostMatch>();
            foreach (var socket in server.Listens.Select(l => Socket(l.Url)).Distinct())
            {
                var members = servers.Where(s => s.Listens.Any(l => Socket(l.Url) == socket)).ToList();
                var defaultServer = members.FirstOrDefault(s => s.Listens.Any(l => Socket(l.Url) == socket && l.DefaultServer)) ?? members[0];
                var port = Port(socket);
                if (ReferenceEquals(server, defaultServer))
                {
                    Add(matches, qualify ? [$"*:{port}"] : null, members.Count > 1 ? 1 : null);
                }
                else if (server.Names.Count > 0)
                {
                    Add(matches, server.Names.Select(n => qualify ? $"{n}:{port}" : n).ToList(), null);
                }
            }

            if (matches.Count == 0)
            {
                diagnostics.Warning(server.Source,
                    "server has no usable server_name and is not the default server for its listeners; its locations are not translated");
            }

            _plans[server] = matches;
        }
    }

    public IReadOnlyList<HostMatch> For(ServerModel server) => _plans[server];

    // Host lists with the same Order merge into one route; "any host" absorbs the rest.
    private static void Add(List<HostMatch> matches, List<string>? hosts, int? order)
    {
        var index = matches.FindIndex(m => m.Order == order);
        if (index < 0)
        {
            matches.Add(new HostMatch(hosts, order));
            return;
        }

        var existing = matches[index];
        matches[index] = existing.Hosts is null || hosts is null
            ? existing with { Hosts = null }
            : existing with { Hosts = existing.Hosts.Union(hosts).ToList() };
    }

    private static string Socket(string url) => url.Replace("://[::]:", "://*:", StringComparison.Ordinal);

    private static string Port(string socket) => socket[(socket.LastIndexOf(':') + 1)..];
}
