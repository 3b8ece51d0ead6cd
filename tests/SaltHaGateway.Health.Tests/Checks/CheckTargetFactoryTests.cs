namespace SaltHaGateway.Health.Tests.Checks;

public sealed class CheckTargetFactoryTests
{
    private static readonly CheckSpec Act2 = Parse("interval=3000 rise=2 fall=5 timeout=1000 type=tcp");

    private static CheckSpec Parse(string line)
    {
        Assert.True(CheckSpec.TryParse(line, null, null, null, out var spec, out _));
        return spec!;
    }

    [Fact]
    public void Destination_address_gives_host_and_port()
    {
        Assert.True(CheckTargetFactory.TryCreate("act2", "192.168.1.19:6868", "http://192.168.1.19:6868", null, null, Act2, out var t, out _));
        Assert.Equal(new CheckTarget("act2", "192.168.1.19:6868", "192.168.1.19", 6868, null, Act2), t);
        Assert.Equal(6868, t!.CheckPort);
        Assert.Equal(0, t.Spec.Port);
    }

    [Fact]
    public void Health_address_port_becomes_the_check_port()
    {
        Assert.True(CheckTargetFactory.TryCreate("api", "s1", "http://[::1]:8090", "http://[::1]:8091", "salt.example", Act2, out var t, out _));
        Assert.Equal("::1", t!.Host);
        Assert.Equal(8090, t.Port);
        Assert.Equal(8091, t.CheckPort);
        Assert.Equal(8091, t.Spec.Port);
        Assert.Equal("salt.example", t.HostHeader);
    }

    [Fact]
    public void Default_ports_follow_the_scheme_and_bad_addresses_are_rejected()
    {
        Assert.True(CheckTargetFactory.TryCreate("a", "n", "https://master-a.example", null, "", Act2, out var t, out _));
        Assert.Equal(443, t!.Port);
        Assert.Null(t.HostHeader);
        Assert.False(CheckTargetFactory.TryCreate("a", "n", "192.168.1.19:6868", null, null, Act2, out _, out var error));
        Assert.Contains("192.168.1.19:6868", error);
        Assert.False(CheckTargetFactory.TryCreate("a", "n", "http://10.0.0.1:1", "ftp://x", null, Act2, out _, out error));
        Assert.StartsWith("health address", error);
    }
}
