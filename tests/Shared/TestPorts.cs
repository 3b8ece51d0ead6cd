using System.Net;
using System.Net.Sockets;

namespace SaltHaGateway.TestSupport;

public static class TestPorts
{
    // Ports handed to servers the tests start come from below the kernel's ephemeral range. A port the kernel picked
    // for a bind to port 0 is ephemeral: between the check and the server's own bind, any outgoing connection of a
    // test running in parallel may take it as its source port ("address already in use"). Below the range only
    // listeners take ports, and this counter keeps the tests of one run from handing out the same one twice.
    private static readonly (int Low, int High) Range = PortsBelowEphemeral();
    private static int _next = Random.Shared.Next(Range.Low, Range.High);

    /// <summary>A port below the ephemeral range that was free a moment ago on 127.0.0.1, and not handed out before in
    /// this run.</summary>
    public static int Free()
    {
        int span = Range.High - Range.Low;
        for (int i = 0; i < span; i++)
        {
            int port = Range.Low + (int)((uint)(Interlocked.Increment(ref _next) - Range.Low) % (uint)span);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken by a listener of something else: the next one
            }
        }
        throw new InvalidOperationException($"no free loopback port in {Range.Low}..{Range.High - 1}");
    }

    /// <summary>[10000, first ephemeral port) from net.ipv4.ip_local_port_range (32768 when it cannot be read).</summary>
    private static (int, int) PortsBelowEphemeral()
    {
        int first = 32768;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && int.TryParse(fields[0], out int low) && low > 11000) first = low;
        }
        catch (IOException)
        {
        }
        return (10000, first);
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
