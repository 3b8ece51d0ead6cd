namespace SaltHaGateway.Vrrp.Tests.Integration;

internal static class LabAssert
{
    /// <summary>Waits until the VIP is on <paramref name="owner"/> and not on the other node.</summary>
    public static async Task VipOnlyOn(NetnsLab lab, string owner, TimeSpan timeout, params NodeProcess[] nodes)
    {
        string other = owner == "a" ? "b" : "a";
        bool ok = await Shell.WaitUntil(() => lab.HasVip(owner) && !lab.HasVip(other), timeout);
        Assert.True(ok, $"VIP expected only on {owner} (a: {lab.HasVip("a")}, b: {lab.HasVip("b")})\n" + string.Join('\n', nodes.Select(n => n.ToString())));
    }

    /// <summary>Waits until the observer's neighbour entry for the VIP points at <paramref name="owner"/>'s MAC.</summary>
    public static async Task ObserverLearned(NetnsLab lab, string owner, TimeSpan timeout, params NodeProcess[] nodes)
    {
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
