using System.Net.Sockets;
using System.Text;
using SaltHaGateway.Admin;
using SaltHaGateway.Hosting;
using SaltHaGateway.Maintenance;
using SaltHaGateway.Sync.Hosting;

namespace SaltHaGateway.Tests.Hosting;

public sealed class SdNotifyTests
{
    private static readonly MaintenanceState Normal = new(false, null, []);

    private static NodeSummary Node(IReadOnlyList<VrrpSummary> vrrp, IReadOnlyList<ServerSummary> servers, SyncSummary? sync = null,
        MaintenanceState? maintenance = null) =>
        new("m1", DateTimeOffset.UnixEpoch, 1, maintenance ?? Normal, vrrp, servers, sync);

    private static VrrpSummary Vrrp(string instance, string state) =>
        new(instance, state, 100, 100, "10.0.0.1", null, ["10.0.0.10"], state == "master", null);

    private static ServerSummary Server(string upstream, string server, bool up) => new(upstream, server, up, up, false, null, null);

    private static PeerStatus Peer(bool connected) => new("https://m2:4506/", "n2", connected, null, 0, 0, 0, null);

    private static RootStatus Root(string state) => new("srv-salt", state, null, 0, 0, null);

    [Fact]
    public void Fixed_messages_are_the_protocol_s_assignments()
    {
        Assert.Equal("READY=1", SdNotifyMessage.Ready);
        Assert.Equal("STOPPING=1", SdNotifyMessage.Stopping);
        Assert.Equal("WATCHDOG=1", SdNotifyMessage.Watchdog);
    }

    [Fact]
    public void Reloading_carries_the_monotonic_time_in_microseconds()
    {
        Assert.Equal("RELOADING=1\nMONOTONIC_USEC=123456789", SdNotifyMessage.Reloading(123456789));
    }

    [Fact]
    public void Monotonic_time_is_close_to_clock_monotonic_as_proc_uptime_shows_it()
    {
        // /proc/uptime counts from boot like CLOCK_BOOTTIME, which only runs ahead of CLOCK_MONOTONIC while suspended.
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var monotonic = SdNotifyMessage.MonotonicUsec() / 1e6;
        Assert.InRange(monotonic, 0, uptime + 1);
        Assert.True(monotonic > 0);
    }

    [Fact]
    public void Status_is_one_line()
    {
        Assert.Equal("STATUS=VIP master, act2 2/2 up", SdNotifyMessage.Status("VIP master, act2 2/2 up"));
        Assert.Equal("STATUS=a b", SdNotifyMessage.Status("a\nb"));
    }

    [Theory]
    [InlineData("20000000", null, 10.0)]
    [InlineData("20000000", "42", 10.0)]
    [InlineData("20000000", "43", null)]
    [InlineData("0", null, null)]
    [InlineData("x", null, null)]
    [InlineData(null, null, null)]
    public void Watchdog_pings_at_half_the_interval_and_only_for_this_process(string? usec, string? pid, double? seconds)
    {
        Assert.Equal(seconds, SdNotifyMessage.WatchdogInterval(usec, pid, ownPid: 42)?.TotalSeconds);
    }

    [Fact]
    public void Status_line_names_the_vip_state_each_upstream_and_the_sync()
    {
        var node = Node([Vrrp("VI_1", "master")], [Server("act2", "a", true), Server("act2", "b", true), Server("api", "a", false)],
            new SyncSummary(true, [Root("in-sync")], [Peer(true)], 0));
        Assert.Equal("VIP master, act2 2/2 up, api 0/1 up, sync in step", SdNotifyMessage.StatusLine(node));
    }

    [Fact]
    public void Status_line_shows_sync_problems_and_maintenance()
    {
        var node = Node([Vrrp("VI_1", "backup")], [Server("act2", "a", true), Server("act2", "b", false)],
            new SyncSummary(false, [Root("paused"), Root("pending")], [Peer(false)], 2), new MaintenanceState(true, null, []));
        Assert.Equal("maintenance, VIP backup, act2 1/2 up, sync paused 0/1 peers 2 conflicts pending", SdNotifyMessage.StatusLine(node));
    }

    [Fact]
    public void Status_line_lists_several_vrrp_instances_and_leaves_out_what_is_not_configured()
    {
        Assert.Equal("VIP VI_1=master VI_2=backup, act2 1/1 up",
            SdNotifyMessage.StatusLine(Node([Vrrp("VI_1", "master"), Vrrp("VI_2", "backup")], [Server("act2", "a", true)])));
        Assert.Equal("act2 1/1 up", SdNotifyMessage.StatusLine(Node([], [Server("act2", "a", true)])));
    }

    [Fact]
    public void Without_notify_socket_nothing_is_sent()
    {
        using var socket = new SdNotifySocket(null);
        Assert.False(socket.Enabled);
        Assert.False(socket.Send(SdNotifyMessage.Ready));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_message_arrives_as_one_datagram_on_a_path_or_an_abstract_socket(bool isAbstract)
    {
        var dir = Directory.CreateTempSubdirectory("shg-notify-").FullName;
        try
        {
            var address = isAbstract ? "@shg-notify-" + Guid.NewGuid().ToString("N") : Path.Combine(dir, "notify");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(isAbstract ? "\0" + address[1..] : address));
            listener.ReceiveTimeout = 5000;

            using var socket = new SdNotifySocket(address);
            Assert.True(socket.Send(SdNotifyMessage.Reloading(7)));
            var buffer = new byte[1024];
            var n = listener.Receive(buffer);
            Assert.Equal("RELOADING=1\nMONOTONIC_USEC=7", Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_socket_nobody_listens_on_fails_the_send_without_throwing()
    {
        using var socket = new SdNotifySocket(Path.Combine(Path.GetTempPath(), "shg-none-" + Guid.NewGuid().ToString("N")));
        Assert.True(socket.Enabled);
        Assert.False(socket.Send(SdNotifyMessage.Ready));
    }
}
