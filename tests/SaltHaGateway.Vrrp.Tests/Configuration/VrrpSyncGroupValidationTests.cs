using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tests.Configuration;

/// <summary>Sync groups, track files and processes, and Global in the Vrrp section.</summary>
public sealed class VrrpSyncGroupValidationTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build().GetSection("Vrrp");

    private static (string, string)[] TwoInstances() =>
    [
        ("Vrrp:Instances:VI_1:Interface", "eth0"), ("Vrrp:Instances:VI_1:VirtualRouterId", "51"), ("Vrrp:Instances:VI_1:VirtualAddresses:0", "10.0.0.100"),
        ("Vrrp:Instances:VI_2:Interface", "eth1"), ("Vrrp:Instances:VI_2:VirtualRouterId", "52"), ("Vrrp:Instances:VI_2:VirtualAddresses:0", "10.1.0.100"),
    ];

    private static (IReadOnlyList<VrrpInstanceDefinition> Defs, List<string> Errors) Validate(params (string, string)[] extra)
    {
        var errors = new List<string>();
        var options = VrrpServiceCollectionExtensions.Bind(Section([.. TwoInstances(), .. extra]), errors);
        return (VrrpOptionsValidator.Validate(options, errors), errors);
    }

    [Fact]
    public void Group_tracking_goes_to_every_member_and_members_know_their_group()
    {
        var (defs, errors) = Validate(
            ("Vrrp:SyncGroups:G1:Instances:0", "VI_1"), ("Vrrp:SyncGroups:G1:Instances:1", "VI_2"),
            ("Vrrp:SyncGroups:G1:Track:0:File", "prio"), ("Vrrp:SyncGroups:G1:Track:0:Weight", "-10"),
            ("Vrrp:SyncGroups:G1:Track:1:Process", "salt"),
            ("Vrrp:TrackFiles:prio:Path", "/run/prio"),
            ("Vrrp:TrackProcesses:salt:Process", "salt-master"), ("Vrrp:TrackProcesses:salt:Weight", "0"));
        Assert.Empty(errors);
        foreach (var d in defs)
        {
            Assert.Equal("G1", d.SyncGroup);
            Assert.Contains(d.Track, t => t.Kind == TrackKind.File && t.Target == "prio" && t.Weight == -10);
            Assert.Contains(d.Track, t => t.Kind == TrackKind.Process && t.Target == "salt" && t.Weight == 0);
        }
    }

    [Fact]
    public void Group_errors_name_the_key()
    {
        var (_, errors) = Validate(
            ("Vrrp:SyncGroups:G1:Instances:0", "VI_1"), ("Vrrp:SyncGroups:G1:Instances:1", "VI_9"),
            ("Vrrp:SyncGroups:G2:Instances:0", "VI_1"),
            ("Vrrp:Instances:VI_1:Track:0:Interface", "eth5"), ("Vrrp:Instances:VI_1:Track:0:Weight", "-20"));
        Assert.Contains("Vrrp:SyncGroups:G1:Instances:1: no instance named 'VI_9' under Vrrp:Instances", errors);
        Assert.Contains("Vrrp:SyncGroups:G2:Instances:0: 'VI_1' is already in sync group G1 (keepalived allows one)", errors);
        Assert.Contains(errors, e => e.StartsWith("Vrrp:Instances:VI_1:Track:0:Weight: instance is in sync group G1", StringComparison.Ordinal));
    }

    [Fact]
    public void Tracking_weight_allows_weights_on_members()
    {
        var (_, errors) = Validate(
            ("Vrrp:SyncGroups:G1:Instances:0", "VI_1"), ("Vrrp:SyncGroups:G1:Instances:1", "VI_2"), ("Vrrp:SyncGroups:G1:TrackingWeight", "true"),
            ("Vrrp:Instances:VI_1:Track:0:Interface", "eth5"), ("Vrrp:Instances:VI_1:Track:0:Weight", "-20"));
        Assert.Empty(errors);
    }

    [Fact]
    public void Strict_refuses_unicast_auth_and_preempt_delay_and_forces_rfc_behaviour()
    {
        var (_, errors) = Validate(("Vrrp:Global:Strict", "true"),
            ("Vrrp:Instances:VI_1:UnicastPeers:0", "10.0.0.2"), ("Vrrp:Instances:VI_1:Authentication:Password", "x"),
            ("Vrrp:Instances:VI_1:PreemptDelaySeconds", "5"));
        Assert.Contains("Vrrp:Instances:VI_1:UnicastPeers: unicast is not allowed with Strict (vrrp_strict)", errors);
        Assert.Contains("Vrrp:Instances:VI_1:Authentication: not allowed with Strict (vrrp_strict)", errors);
        Assert.Contains("Vrrp:Instances:VI_1:PreemptDelaySeconds: not allowed with Strict (vrrp_strict)", errors);

        var (defs, none) = Validate(("Vrrp:Global:Strict", "true"));
        Assert.Empty(none);
        Assert.All(defs, d =>
        {
            Assert.True(d.Settings.LowerPriorityNoAdvert);
            Assert.False(d.Settings.HigherPrioritySendAdvert);
            Assert.Equal(0, d.Settings.Garp.LowerPriorityRepeat);
        });
    }

    [Fact]
    public void Track_file_process_and_global_errors_name_the_key()
    {
        var (_, errors) = Validate(
            ("Vrrp:TrackFiles:f:Path", "relative"), ("Vrrp:TrackFiles:f:Weight", "300"),
            ("Vrrp:TrackProcesses:p:Process", "a-very-long-process-name"), ("Vrrp:TrackProcesses:p:QuorumMax", "0"),
            ("Vrrp:Global:NotifyFifoScript", "/bin/reader"),
            ("Vrrp:Instances:VI_2:Track:0:File", "nope"));
        Assert.Contains("Vrrp:TrackFiles:f:Path: an absolute path is required", errors);
        Assert.Contains("Vrrp:TrackFiles:f:Weight: must be in -254..254", errors);
        Assert.Contains(errors, e => e.StartsWith("Vrrp:TrackProcesses:p:Process: 'a-very-long-process-name' is longer than the 15 characters", StringComparison.Ordinal));
        Assert.Contains("Vrrp:TrackProcesses:p:QuorumMax: must be at least Quorum (1)", errors);
        Assert.Contains("Vrrp:Global:NotifyFifoScript: needs NotifyFifo (the script reads it)", errors);
        Assert.Contains("Vrrp:Instances:VI_2:Track:0:File: no track file named 'nope' under Vrrp:TrackFiles", errors);
    }

    [Fact]
    public void Unknown_keys_in_the_new_sections_are_errors()
    {
        var e = Assert.Throws<VrrpConfigurationException>(() => new ServiceCollection().AddVrrp(Section([.. TwoInstances(), ("Vrrp:Global:Strikt", "true")])));
        Assert.Contains(e.Errors, m => m.StartsWith("Vrrp:Global:", StringComparison.Ordinal));
    }
}
