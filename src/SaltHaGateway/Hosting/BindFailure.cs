using System.Net.Sockets;

namespace SaltHaGateway.Hosting;

/// <summary>Turns Kestrel's bind exceptions into a message that says what to do.</summary>
public static class BindFailure
{
    public static string? Explain(Exception e, GatewayOptions options)
    {
        var socket = Find<SocketException>(e);
        if (e is not IOException && socket is null) return null;
        var url = options.Listen.Concat([options.AdminListen]).FirstOrDefault(l => e.Message.Contains($":{l.Port}", StringComparison.Ordinal))?.Url ?? "a listener";
        return socket?.SocketErrorCode switch
        {
            SocketError.AccessDenied =>
                $"cannot listen on {url}: permission denied. Ports below 1024 need root or CAP_NET_BIND_SERVICE: run as root, " +
                "or grant the capability (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE; or setcap cap_net_bind_service=+ep on the binary), " +
                "or listen on another port, e.g. --Gateway:Listen:0=http://*:8080",
            SocketError.AddressAlreadyInUse =>
                $"cannot listen on {url}: the address is already in use (is nginx still running? `ss -ltnp` shows who holds it)",
            SocketError.AddressNotAvailable =>
                $"cannot listen on {url}: that address is not on this machine",
            _ => $"cannot listen on {url}: {e.Message}",
        };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is T t) return t;
        }
        return null;
    }
}
