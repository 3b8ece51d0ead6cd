using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tests.Configuration;

public sealed class VrrpOptionsValidatorTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build().GetSection("Vrrp");

    [Fact]
    public void Errors_name_the_key_path()
    {
        var section = Section(
            ("Vrrp:Instances:VI_1:Interface", "eth0"),
            ("Vrrp:Instances:VI_1:VirtualRouterId", "0"),
            ("Vrrp:Instances:VI_1:Version", "2"),
            ("Vrrp:Instances:VI_1:AdvertIntervalSeconds", "0.5"),
            ("Vrrp:Instances:VI_1:VirtualAddresses:0", "10.0.0.300"),
            ("Vrrp:Instances:VI_1:Authentication:Password", "muchtoolong"),
            ("Vrrp:Instances:VI_1:Track:0:Script", "nope"));
        var e = Assert.Throws<VrrpConfigurationException>(() => new ServiceCollection().AddVrrp(section));
        Assert.Contains("Vrrp:Instances:VI_1:VirtualRouterId: must be 1..255, got 0", e.Errors);
        Assert.Contains(e.Errors, m => m.StartsWith("Vrrp:Instances:VI_1:AdvertIntervalSeconds: VRRPv2 needs whole seconds", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("Vrrp:Instances:VI_1:VirtualAddresses:0:", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("Vrrp:Instances:VI_1:Authentication:Password:", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("Vrrp:Instances:VI_1:Track:0:Script: no script named 'nope'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AdvertIntervalSeconds", "NaN", "AdvertIntervalSeconds: VRRPv2 needs whole seconds")]
    [InlineData("PreemptDelaySeconds", "NaN", "PreemptDelaySeconds: must be 0..1000")]
    [InlineData("StartupListenSeconds", "NaN", "StartupListenSeconds: must be 0..3600")]
    [InlineData("Garp:MasterDelaySeconds", "1e300", "Garp:MasterDelaySeconds: must be 0..86400")]
    [InlineData("Garp:MasterRefreshSeconds", "NaN", "Garp:MasterRefreshSeconds: must be 0..86400")]
    [InlineData("Notify:TimeoutSeconds", "1e300", "Notify:TimeoutSeconds: must be in (0, 3600]")]
    public void NaN_and_huge_seconds_are_errors_not_exceptions(string key, string value, string error)
    {
        var options = Section(
            ("Vrrp:Instances:VI_1:Interface", "eth0"),
            ("Vrrp:Instances:VI_1:VirtualRouterId", "51"),
            ("Vrrp:Instances:VI_1:VirtualAddresses:0", "10.0.0.100"),
            ("Vrrp:Instances:VI_1:" + key, value)).Get<VrrpOptions>()!;
        var errors = new List<string>();
        Assert.Empty(VrrpOptionsValidator.Validate(options, errors));
        Assert.Contains("Vrrp:Instances:VI_1:" + error, string.Join("\n", errors));
    }

    [Fact]
    public void A_v3_interval_of_NaN_is_an_error_not_zero()
    {
        var options = Section(
            ("Vrrp:Instances:VI_1:Interface", "eth0"),
            ("Vrrp:Instances:VI_1:VirtualRouterId", "51"),
            ("Vrrp:Instances:VI_1:Version", "3"),
            ("Vrrp:Instances:VI_1:AdvertIntervalSeconds", "NaN"),
            ("Vrrp:Instances:VI_1:VirtualAddresses:0", "10.0.0.100"),
            ("Vrrp:Scripts:chk:Command", "/bin/true"),
            ("Vrrp:Scripts:chk:TimeoutSeconds", "NaN")).Get<VrrpOptions>()!;
        var errors = new List<string>();
        Assert.Empty(VrrpOptionsValidator.Validate(options, errors));
        Assert.Contains(errors, e => e.StartsWith("Vrrp:Instances:VI_1:AdvertIntervalSeconds: VRRPv3 needs 0.01..40.95", StringComparison.Ordinal));
        Assert.Contains("Vrrp:Scripts:chk:TimeoutSeconds: must be in (0, 3600]", errors);
    }

    [Fact]
    public void ValidateVrrp_reports_without_throwing()
    {
        // The stock binder would silently drop instance X because "abc" does not convert; we report it.
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(("Vrrp:Instances:X:Interface", "eth0"), ("Vrrp:Instances:X:VirtualRouterId", "abc")));
        Assert.Single(errors);
        Assert.StartsWith("Vrrp:Instances:X:", errors[0], StringComparison.Ordinal);
        Assert.Contains("VirtualRouterId", errors[0]);
        var typo = VrrpServiceCollectionExtensions.ValidateVrrp(Section(("Vrrp:Instances:X:Interface", "eth0"), ("Vrrp:Instances:X:Priorty", "10")));
        Assert.Contains(typo, e => e.StartsWith("Vrrp:Instances:X:", StringComparison.Ordinal) && e.Contains("Priorty", StringComparison.Ordinal));
        Assert.Empty(VrrpServiceCollectionExtensions.ValidateVrrp(Section()));
    }

    [Fact]
    public void No_instances_registers_nothing()
    {
        var services = new ServiceCollection();
        services.AddVrrp(Section());
        Assert.Empty(services);
    }

    [Fact]
    public void Valid_v3_instance_yields_settings()
    {
        var options = new VrrpOptions
        {
            Instances =
            {
                ["VI_1"] = new VrrpInstanceOptions
                {
                    Interface = "eth0", VirtualRouterId = 52, Version = 3, AdvertIntervalSeconds = 0.1,
                    VirtualAddresses = ["10.0.0.100/24"], UnicastPeers = ["10.0.0.2"],
                    Track = [new VrrpTrackOptions { Condition = "upstream:act2", Weight = -50 }],
                },
            },
        };
        var errors = new List<string>();
        var defs = VrrpOptionsValidator.Validate(options, errors);
        Assert.Empty(errors);
        var s = defs[0].Settings;
        Assert.Equal(10, s.IntervalCentiseconds);
        Assert.Equal(24, s.VirtualAddresses[0].PrefixLength);
        Assert.True(s.IsUnicast);
        // The instance's own interface is tracked implicitly (weight 0 = fault), like keepalived.
        Assert.Equal(new TrackDefinition(TrackKind.Interface, "eth0", 0), defs[0].Track[0]);
        Assert.Equal(-50, defs[0].Track[1].Weight);
    }
}
