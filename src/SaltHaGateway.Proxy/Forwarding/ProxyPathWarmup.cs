using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>
/// Sends a few requests through the whole proxy path once the listeners are bound, so the first client request after
/// this node takes the VIP does not pay for JIT compilation (about 0.2 s on a two-core node, measured: that is most
/// of what a backup that never served adds to a failover). The requests come from loopback and carry a per-process
/// token; instead of an upstream server they are forwarded to this gateway's own admin listener, so act2 never sees
/// them. The first one goes to a loopback port nobody listens on, so the connect-failure path (exceptions in the
/// socket handler and the forwarder, a first-time cost of about 15 ms, measured when act2 dies under load) is
/// compiled too. The check in the proxy pipeline is one volatile read once the warm-up is over.
/// </summary>
public sealed class ProxyPathWarmup
{
    public const string Header = "X-Saltha-Warmup";
    private readonly string _token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private volatile bool _active;
    private IReadOnlyList<DestinationState> _target = [];
    private IReadOnlyList<DestinationState> _refusing = [];

    /// <summary>True only for this process's own warm-up requests, and only while the warm-up runs.</summary>
    public bool Claims(HttpContext context, out IReadOnlyList<DestinationState> target)
    {
        target = _target;
        if (!_active || !context.Request.Headers.TryGetValue(Header, out var v) || v.Count != 1) return false;
        if (v[0] == _token) return true;
        target = _refusing;
        return v[0] == _token + RefusedSuffix;
    }

    private const string RefusedSuffix = ":refused";

    /// <param name="proxyUrl">A proxy listener as a loopback URL.</param>
    /// <param name="adminUrl">The admin listener as a loopback URL: the stand-in upstream.</param>
    /// <param name="route">A route of the running config, to pick a path and host it matches.</param>
    public async Task RunAsync(Uri proxyUrl, Uri adminUrl, RouteConfig? route, int requests, CancellationToken ct)
    {
        _target = [new DestinationState("warmup", new DestinationModel(new DestinationConfig { Address = adminUrl.ToString() }))];
        _refusing = [new DestinationState("warmup-refused", new DestinationModel(new DestinationConfig { Address = $"http://127.0.0.1:{ClosedPort()}/" }))];
        _active = true;
        try
        {
            var (host, path) = Target(route);
            for (var i = -1; i < requests; i++)
            {
                // A new connection each time: clients of the VIP usually open one per request.
                using var http = new HttpClient(Handler(proxyUrl)) { Timeout = TimeSpan.FromSeconds(2) };
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxyUrl, path));
                request.Headers.Add(Header, i < 0 ? _token + RefusedSuffix : _token);
                request.Headers.ConnectionClose = true;
                if (host is not null) request.Headers.Host = host;
                try
                {
                    using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return;   // nothing is lost: the first client request pays instead
                }
            }
        }
        finally
        {
            _active = false;
        }
    }

    /// <summary>For an https listener the certificate is not checked: the connection goes to this process on loopback,
    /// and the certificate names the public host, not 127.0.0.1.</summary>
    private static SocketsHttpHandler Handler(Uri proxyUrl)
    {
        var handler = new SocketsHttpHandler();
        if (proxyUrl.Scheme == Uri.UriSchemeHttps) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return handler;
    }

    /// <summary>A loopback port that refuses connections: bound by us a moment ago and closed again.</summary>
    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A host and path the route matches: its first plain host, and its path up to the first parameter.</summary>
    private static (string? Host, string Path) Target(RouteConfig? route)
    {
        var host = route?.Match.Hosts?.FirstOrDefault(h => !h.Contains('*', StringComparison.Ordinal));
        var path = route?.Match.Path ?? "/";
        var brace = path.IndexOf('{', StringComparison.Ordinal);
        if (brace >= 0) path = path[..brace];
        return (host, path.Length == 0 ? "/" : path);
    }
}
