using System.Text.Json;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class UpstreamTranslatorTests
{
    private static JsonElement Cluster(string upstreamBody, string name = "u")
    {
        var (result, _) = TempNginxConfig.ImportText($"upstream {name} {{\n{upstreamBody}\n}}\n");
        return TempNginxConfig.Root(result).GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty(name);
    }

    private static void Rejected(string upstreamBody, int line, string message)
    {
        // Line 1 is "upstream u {", so the body starts on line 2.
        var (result, path) = TempNginxConfig.ImportText($"upstream u {{\n{upstreamBody}\n}}\n");
        TempNginxConfig.SingleError(result, path, line, message);
    }

    [Fact]
    public void ServerParametersBecomeDestinationMetadata()
    {
        var cluster = Cluster("server 10.0.0.1:8080 weight=3 max_fails=2 fail_timeout=30;\nserver 10.0.0.2 backup;\nserver [::1]:81 down fail_timeout=1m;");
        var destinations = cluster.GetProperty("Destinations");
        var first = destinations.GetProperty("10.0.0.1:8080");
        Assert.Equal("http://10.0.0.1:8080", first.GetProperty("Address").GetString());
        var m = first.GetProperty("Metadata");
        Assert.Equal("3", m.GetProperty("Weight").GetString());
        Assert.Equal("2", m.GetProperty("MaxFails").GetString());
        Assert.Equal("30s", m.GetProperty("FailTimeout").GetString());

        var second = destinations.GetProperty("10.0.0.2");
        Assert.Equal("http://10.0.0.2:80", second.GetProperty("Address").GetString());
        Assert.Equal("true", second.GetProperty("Metadata").GetProperty("Backup").GetString());

        var third = destinations.GetProperty("[::1]:81");
        Assert.Equal("http://[::1]:81", third.GetProperty("Address").GetString());
        Assert.Equal("true", third.GetProperty("Metadata").GetProperty("Down").GetString());
        Assert.Equal("1m", third.GetProperty("Metadata").GetProperty("FailTimeout").GetString());
    }

    [Theory]
    [InlineData("server 10.0.0.1:80 weight=0;", "invalid parameter \"weight=0\"")]
    [InlineData("server 10.0.0.1:80 weight=-1;", "invalid parameter \"weight=-1\"")]
    [InlineData("server 10.0.0.1:80 max_fails=x;", "invalid parameter \"max_fails=x\"")]
    [InlineData("server 10.0.0.1:80 fail_timeout=10x;", "invalid parameter \"fail_timeout=10x\"")]
    [InlineData("server 10.0.0.1:80 fail_timeout=500ms;", "invalid parameter \"fail_timeout=500ms\"")]
    [InlineData("server 10.0.0.1:80 fail_timeout=1s1m;", "invalid parameter \"fail_timeout=1s1m\"")]
    [InlineData("server 10.0.0.1:80 slow;", "invalid parameter \"slow\"")]
    [InlineData("server 10.0.0.1:99999;", "invalid port in upstream \"10.0.0.1:99999\"")]
    [InlineData("server http://10.0.0.1;", "in upstream \"http://10.0.0.1\"")]
    [InlineData("server;", "invalid number of arguments in \"server\" directive")]
    public void InvalidServerLinesAreRejected(string line, string message) => Rejected(line, 2, message);

    [Theory]
    [InlineData("ip_hash;")]
    [InlineData("hash $remote_addr;")]
    [InlineData("hash $request_uri consistent;")]
    public void BackupAfterHashingMethodIsRejectedAsNginxDoes(string method) =>
        Rejected($"{method}\nserver 10.0.0.1:80;\nserver 10.0.0.2:80 backup;", 4, "balancing method does not support parameter \"backup\"");

    [Fact]
    public void HashingMethodAfterABackupServerIsRejectedToo() =>
        Rejected("server 10.0.0.1:80;\nserver 10.0.0.2:80 backup;\nip_hash;", 4, "balancing method does not support parameter \"backup\" (server \"10.0.0.2:80\" at line 3)");

    [Fact]
    public void LeastConnKeepsBackup()
    {
        var cluster = Cluster("least_conn;\nserver 10.0.0.1:80;\nserver 10.0.0.2:80 backup;");
        Assert.Equal("least_conn", cluster.GetProperty("Metadata").GetProperty("Balance").GetString());
    }

    [Theory]
    [InlineData("hash $remote_addr consistent;", "hash $remote_addr consistent")]
    [InlineData("hash $request_uri;", "hash $request_uri")]
    [InlineData("ip_hash;", "ip_hash")]
    [InlineData("least_conn;", "least_conn")]
    [InlineData("", "round_robin")]
    public void BalancingMethods(string directive, string balance) =>
        Assert.Equal(balance, Cluster($"{directive}\nserver 10.0.0.1:80;").GetProperty("Metadata").GetProperty("Balance").GetString());

    [Fact]
    public void HashWithUnknownFlagIsRejected() =>
        Rejected("hash $remote_addr sticky;\nserver 10.0.0.1:80;", 2, "invalid parameter \"sticky\"");

    [Fact]
    public void StickyIsCarriedOverAsWritten()
    {
        var m = Cluster("""
            server 10.0.0.1:8090;
            server 10.0.0.2:8090;
            sticky learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=saltapi:1m timeout=10h header sync;
            """).GetProperty("Metadata");
        Assert.Equal("learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=saltapi:1m timeout=10h header sync",
            m.GetProperty("Sticky").GetString());
    }

    [Theory]
    [InlineData("sticky learn create=$upstream_http_x zone=z:1m;", 3, "\"lookup\" is missing")]
    [InlineData("sticky route $route_cookie;", 3, "not supported")]
    [InlineData("sticky cookie a;\nsticky cookie b;", 4, "duplicate")]
    public void InvalidStickyIsAnError(string directive, int line, string message) =>
        Rejected($"server 10.0.0.1:80;\n{directive}", line, message);

    [Fact]
    public void KeepaliveAndCheckSettingsAreKept()
    {
        var cluster = Cluster("""
            server 10.0.0.1:80;
            keepalive 32;
            check interval=3000 rise=2 fall=5 timeout=1000 type=http default_down=false port=8081;
            check_http_send "GET /health HTTP/1.0\r\n\r\n";
            check_http_expect_alive http_2xx HTTP_3XX;
            check_keepalive_requests 10;
            """);
        var m = cluster.GetProperty("Metadata");
        Assert.Equal("32", m.GetProperty("Keepalive").GetString());
        Assert.Equal("interval=3000 rise=2 fall=5 timeout=1000 type=http default_down=false port=8081", m.GetProperty("Check").GetString());
        Assert.Equal(@"GET /health HTTP/1.0\r\n\r\n", m.GetProperty("CheckHttpSend").GetString());
        Assert.Equal("http_2xx HTTP_3XX", m.GetProperty("CheckHttpExpectAlive").GetString());
        Assert.Equal("10", m.GetProperty("CheckKeepaliveRequests").GetString());
        Assert.Equal("http://10.0.0.1:8081", cluster.GetProperty("Destinations").GetProperty("10.0.0.1:80").GetProperty("Health").GetString());
        Assert.Equal(["Balance", "Keepalive", "Check", "CheckHttpSend", "CheckHttpExpectAlive", "CheckKeepaliveRequests"],
            m.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("check interval=0;", "invalid parameter \"interval=0\"")]
    [InlineData("check interval=3s;", "invalid parameter \"interval=3s\"")]
    [InlineData("check rise=-1;", "invalid parameter \"rise=-1\"")]
    [InlineData("check fall=x;", "invalid parameter \"fall=x\"")]
    [InlineData("check timeout=;", "invalid parameter \"timeout=\"")]
    [InlineData("check type=udp;", "invalid parameter \"type=udp\"")]
    [InlineData("check type=HTTP;", "invalid parameter \"type=HTTP\"")]
    [InlineData("check type=https;", "invalid parameter \"type=https\"")]
    [InlineData("check port=0;", "invalid parameter \"port=0\"")]
    [InlineData("check default_down=maybe;", "invalid value \"default_down=maybe\", it must be \"true\" or \"false\"")]
    [InlineData("check interval=1000 every=2;", "invalid parameter \"every=2\"")]
    [InlineData("check;", "invalid number of arguments in \"check\" directive")]
    [InlineData("check_http_expect_alive http_2xx http_6xx;", "invalid value \"http_6xx\"")]
    [InlineData("check_keepalive_requests many;", "invalid value \"many\"")]
    [InlineData("keepalive 0;", "invalid value \"0\" in \"keepalive\" directive")]
    public void InvalidCheckAndKeepaliveValuesAreRejected(string line, string message) =>
        Rejected($"server 10.0.0.1:80;\n{line}", 3, message);

    [Theory]
    [InlineData("mysql")]
    [InlineData("ajp")]
    [InlineData("fastcgi")]
    public void CheckTypesTheGatewayLacksAreReportedAndLeftOut(string type)
    {
        var (result, path) = TempNginxConfig.ImportText($"upstream u {{\nserver 10.0.0.1:80;\ncheck type={type};\n}}\n");
        var m = TempNginxConfig.Root(result).GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("u").GetProperty("Metadata");
        Assert.False(m.TryGetProperty("Check", out _));
        Assert.Contains(result.Diagnostics, d => !d.IsError && d.File == path && d.Line == 1 && d.Message.Contains($"\"{type}\" is not supported"));
    }

    [Theory]
    [InlineData("ssl_hello")]
    [InlineData("tcp")]
    [InlineData("http")]
    public void SupportedCheckTypesAreKeptVerbatim(string type) =>
        Assert.Equal($"type={type} interval=500", Cluster($"server 10.0.0.1:80;\ncheck type={type} interval=500;")
            .GetProperty("Metadata").GetProperty("Check").GetString());

    [Fact]
    public void CheckSettingsWithoutCheckAreReported()
    {
        var (result, path) = TempNginxConfig.ImportText("upstream u {\nserver 10.0.0.1:80;\ncheck_http_send \"GET / HTTP/1.0\\r\\n\\r\\n\";\n}\n");
        Assert.True(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Directive == "check_http_send" && d.Line == 3 && d.File == path);
        Assert.DoesNotContain("CheckHttpSend", result.Json);
    }

    [Fact]
    public void EmptyUpstreamIsRejected()
    {
        var (result, path) = TempNginxConfig.ImportText("\nupstream u {\n}\n");
        TempNginxConfig.SingleError(result, path, 2, "no servers are inside upstream \"u\"");
    }

    [Fact]
    public void DuplicateUpstreamIsRejected()
    {
        var (result, path) = TempNginxConfig.ImportText("upstream u { server 10.0.0.1:80; }\nupstream U { server 10.0.0.2:80; }\n");
        TempNginxConfig.SingleError(result, path, 2, "duplicate upstream \"U\"");
    }

    [Fact]
    public void HostNameServersAreKeptWithAWarning()
    {
        var (result, path) = TempNginxConfig.ImportText("upstream u {\nserver master-a.example:6868;\n}\n");
        var cluster = TempNginxConfig.Root(result).GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("u");
        Assert.Equal("http://master-a.example:6868", cluster.GetProperty("Destinations").GetProperty("master-a.example:6868").GetProperty("Address").GetString());
        Assert.Contains(result.Diagnostics, d => !d.IsError && d.Line == 2 && d.File == path && d.Message.Contains("host name"));
    }
}
