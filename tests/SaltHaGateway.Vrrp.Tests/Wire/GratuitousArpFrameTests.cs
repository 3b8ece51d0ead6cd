using System.Net;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Wire;

public sealed class GratuitousArpFrameTests
{
    [Fact]
    public void Builds_keepalived_style_broadcast_request()
    {
        byte[] mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
        var f = GratuitousArpFrame.Build(mac, IPAddress.Parse("10.99.0.100"));
        Assert.Equal(
            "FFFFFFFFFFFF" + "021122334455" + "0806" + "0001" + "0800" + "06" + "04" + "0001"
            + "021122334455" + "0A630064" + "FFFFFFFFFFFF" + "0A630064",
            Convert.ToHexString(f));
    }
}
