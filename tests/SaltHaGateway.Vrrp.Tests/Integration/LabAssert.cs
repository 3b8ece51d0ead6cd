namespace SaltHaGateway.Vrrp.Tests.Integration;

internal static class LabAssert
{
    /// <summary>
    /// Waits until every node has finished starting (or exited). A node's start-up is not what the tests time: on a
    /// loaded machine a .NET process can take many seconds to reach its first advert, and a timeout that starts at
    /// process start would measure that instead of the protocol.
    /// </summary>
    public static async Task Started(params NodeProcess[] nodes)
    {
        foreach (var n in nodes)
        {
            string mark = n.Label.StartsWith("keepalived", StringComparison.Ordinal) ? "Startup complete" : "Application started";
            Assert.True(await Shell.WaitUntil(() => n.OutputContains(mark) || n.HasExited, TimeSpan.FromSeconds(120)), n.ToString());
        }
    }

    /// <summary>Waits until the VIP is on <paramref name="owner"/> and not on the other node (timed from when all have started).</summary>
    public static async Task VipOnlyOn(NetnsLab lab, string owner, TimeSpan timeout, params NodeProcess[] nodes)
    {
        await Started(nodes);
        string other = owner == "a" ? "b" : "a";
        bool ok = await Shell.WaitUntil(() => lab.HasVip(owner) && !lab.HasVip(other), timeout);
        Assert.True(ok, $"VIP expected only on {owner} (a: {lab.HasVip("a")}, b: {lab.HasVip("b")})\n" + string.Join('\n', nodes.Select(n => n.ToString())));
    }

    /// <summary>Waits until the observer's neighbour entry for the VIP points at <paramref name="owner"/>'s MAC.</summary>
    public static async Task ObserverLearned(NetnsLab lab, string owner, TimeSpan timeout, params NodeProcess[] nodes)
    {
        await Started(nodes);
        string mac = lab.Mac(owner);
        bool ok = await Shell.WaitUntil(() => lab.ObserverNeighbour() == mac, timeout);
        Assert.True(ok, $"observer should have learned {mac} ({owner}) for the VIP from gratuitous ARP, has {lab.ObserverNeighbour() ?? "nothing"}\n"
            + string.Join('\n', nodes.Select(n => n.ToString())));
    }

    /// <summary>Checks for a whole period that the VIP stays where it is (a backup must not claim it).</summary>
    public static async Task VipStaysOn(NetnsLab lab, string owner, TimeSpan period, params NodeProcess[] nodes)
    {
        string other = owner == "a" ? "b" : "a";
        var until = DateTime.UtcNow + period;
        while (DateTime.UtcNow < until)
        {
            Assert.True(lab.HasVip(owner) && !lab.HasVip(other),
                $"VIP left {owner} (a: {lab.HasVip("a")}, b: {lab.HasVip("b")})\n" + string.Join('\n', nodes.Select(n => n.ToString())));
            await Task.Delay(100);
        }
    }
}
