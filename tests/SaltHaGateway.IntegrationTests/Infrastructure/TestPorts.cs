using System.Net;
using System.Net.Sockets;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

public static class TestPorts
{
    /// <summary>A port that was free a moment ago on 127.0.0.1 (the kernel hands out ephemeral ports in order, so a
    /// reuse race with another test is unlikely).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
