using System.Text.Json;
using SaltHaGateway.Import.Keepalived;

namespace SaltHaGateway.Import.Tests.Keepalived;

/// <summary>
/// One keepalived.conf for both nodes: conditional lines (@ID, @^ID) and parameters ($NAME=VALUE, $NAME, ${NAME}),
/// with keepalived 2.2.7's rules, imported for the node whose config id is given.
/// </summary>
public sealed class KeepalivedConditionalImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-import-cond-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The two salt masters of a pair from one file, the way keepalived's manual writes it.
    private const string Pair = """
        global_defs {
            @salt1 router_id salt1
            @salt2 router_id salt2
        }
        @salt1 $PRIORITY=150
        @salt2 $PRIORITY=100
        $NET=10.0.${SUBNET}
        $SUBNET=7
        vrrp_script chk_master {
            script "/usr/bin/pgrep -f '$UNDEFINED salt-master'"
            interval 2
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority $PRIORITY
            @salt1 unicast_src_ip ${NET}.1
            @salt2 unicast_src_ip ${NET}.2
            unicast_peer {
                @^salt1 ${NET}.1
                @^salt2 ${NET}.2
            }
            virtual_ipaddress {
                ${NET}.100/24
            }
            track_script {
                chk_master
            }
        }
        """;

    private (int Exit, string Out, string Err, JsonElement Vrrp) Import(string text, string? configId)
    {
        var input = Path.Combine(_dir, "keepalived.conf");
        var output = Path.Combine(_dir, "out.json");
        File.Delete(output);
        File.WriteAllText(input, text);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = KeepalivedImportCommand.Run(input, output, stdout, stderr, configId);
        var vrrp = File.Exists(output) ? JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("Vrrp") : default;
        return (exit, stdout.ToString(), stderr.ToString(), vrrp);
    }

    private static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();

    [Theory]
    [InlineData("salt1", 150, "10.0.7.1", "10.0.7.2")]
    [InlineData("salt2", 100, "10.0.7.2", "10.0.7.1")]
    public void One_file_imports_as_either_node(string id, int priority, string source, string peer)
    {
        var (exit, _, err, vrrp) = Import(Pair, id);
        var vi = vrrp.GetProperty("Instances").GetProperty("VI_1");
        Assert.Equal(priority, vi.GetProperty("Priority").GetInt32());
        Assert.Equal(source, vi.GetProperty("UnicastSource").GetString());
        Assert.Equal([peer], Strings(vi, "UnicastPeers"));
        // ${NET} expands at use, after $SUBNET was defined (keepalived substitutes at replacement time).
        Assert.Equal(["10.0.7.100/24"], Strings(vi, "VirtualAddresses"));
        // An undefined parameter stays as written, so a script with a '$' of its own is untouched.
        Assert.Equal("/usr/bin/pgrep -f '$UNDEFINED salt-master'", vrrp.GetProperty("Scripts").GetProperty("chk_master").GetProperty("Command").GetString());
        Assert.Contains($"config id '{id}': 4 conditional line(s) kept, 4 skipped", err, StringComparison.Ordinal);
        // Only router_id (kept for this node) is left, as for any file.
        var notTranslated = err.Split('\n').Where(l => l.Contains("not translated", StringComparison.Ordinal)).ToArray();
        Assert.True(notTranslated.Length == 1 && notTranslated[0].Contains($"router_id", StringComparison.Ordinal), err);
        Assert.Equal(2, exit);
    }

    [Fact]
    public void Without_a_config_id_the_host_name_is_the_id_and_the_output_says_so()
    {
        string host = KeepalivedPreprocessor.DefaultConfigId();
        Assert.DoesNotContain('.', host);
        var (exit, _, err, vrrp) = Import($"vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 9\n @{host} priority 201\n @^{host} priority 99\n virtual_ipaddress {{\n  10.0.0.9\n }}\n}}\n", null);
        Assert.True(exit == 0, err);
        Assert.Equal(201, vrrp.GetProperty("Instances").GetProperty("VI_1").GetProperty("Priority").GetInt32());
        Assert.Contains($"config id '{host}' (the host name; --config-id to choose): 1 conditional line(s) kept, 1 skipped", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("high", 170, "/etc/keepalived/scripts/check_high_VI_0.sh")]
    [InlineData("low", 85, "/etc/keepalived/scripts/check_low_VI_0.sh")]
    public void Keepalived_shipped_conditional_sample_imports_for_each_id(string id, int priority, string script)
    {
        const string sample = "/usr/share/doc/keepalived/samples/keepalived.conf.conditional_conf";
        Assert.True(File.Exists(sample), "the keepalived package (installed by tests/run.sh) ships this sample");
        var (_, _, err, vrrp) = Import(File.ReadAllText(sample), id);
        var vi = vrrp.GetProperty("Instances").GetProperty("VI_0");
        Assert.Equal(priority, vi.GetProperty("Priority").GetInt32());
        Assert.True(vi.GetProperty("UseVmac").GetBoolean());
        Assert.Equal(script, vrrp.GetProperty("Scripts").GetProperty("check_VI_0").GetProperty("Command").GetString());
        // What is left is keepalived's own network namespace (this id's line only): nothing VRRP-related.
        var notTranslated = err.Split('\n').Where(l => l.Contains("not translated", StringComparison.Ordinal)).ToArray();
        Assert.True(notTranslated.Length == 1 && notTranslated[0].Contains($"net_namespace {id} (line {(id == "high" ? 3 : 4)})", StringComparison.Ordinal), err);
        Assert.DoesNotContain("result needs attention", err, StringComparison.Ordinal);
    }

    [Fact]
    public void What_is_not_supported_is_named_with_its_line_and_line_numbers_stay_true()
    {
        var (_, _, err, _) = Import("""
            $INSTANCE= \
            vrrp_instance VI_${NUM} { \
            }
            ~SEQ(NUM, 0, 3)
            $SELF=x${SELF}
            vrrp_instance VI_1 {
                interface eth0
                nonsense_keyword 1
                priority ${SELF}
                virtual_ipaddress {
                    10.0.0.1
                }
            }
            """, "a");
        Assert.Contains("$INSTANCE (line 1): multi-line parameter definitions are not supported", err, StringComparison.Ordinal);
        Assert.Contains("~SEQ (line 4): sequences are not supported", err, StringComparison.Ordinal);
        Assert.Contains("line 9: parameters still expand after 32 substitutions", err, StringComparison.Ordinal);
        Assert.Contains("vrrp_instance VI_1: nonsense_keyword (line 8): not supported", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_that_double_at_each_level_stop_at_a_bound()
    {
        var text = string.Join('\n', Enumerable.Range(0, 30).Select(i => $"$P{i}=${{P{i + 1}}}${{P{i + 1}}}")) + "\n$P30=xxxxxxxx\npriority ${P0}";
        var notTranslated = new List<string>();
        var result = KeepalivedPreprocessor.Apply(text, "a", notTranslated);
        Assert.Equal("", result.Text.Split('\n')[^1]);
        Assert.Equal(["line 32: parameters expand it beyond 65536 characters; the line is left out"], notTranslated);
    }

    [Theory]
    [InlineData("@a priority 1", "a", "priority 1")]
    [InlineData("@a priority 1", "ab", "")]
    [InlineData("@^a priority 1", "a", "")]
    [InlineData("@^a priority 1", "b", "priority 1")]
    [InlineData("@a", "a", "")]                         // nothing after the id: keepalived drops the line
    [InlineData("  @a\tpriority 1", "a", "priority 1")]
    [InlineData("$X=@a priority 2\n$X", "a", "\npriority 2")]   // a substituted '@' is checked again
    [InlineData("$X=@a priority 2\n$X", "b", "\n")]
    [InlineData("$P=5\npriority $Pextra $P", "a", "\npriority $Pextra 5")]
    public void Line_rules_follow_keepalived(string input, string id, string expected)
    {
        var notTranslated = new List<string>();
        Assert.Equal(expected, KeepalivedPreprocessor.Apply(input, id, notTranslated).Text);
        Assert.Empty(notTranslated);
    }
}
