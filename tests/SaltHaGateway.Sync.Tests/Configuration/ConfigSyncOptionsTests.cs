using Microsoft.Extensions.Configuration;
using SaltHaGateway.Sync.Configuration;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Configuration;

public sealed class ConfigSyncOptionsTests
{
    private const string Fp = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("ConfigSync");

    private static Dictionary<string, string?> Valid(string state) => new()
    {
        ["ConfigSync:Enabled"] = "true",
        ["ConfigSync:Listen"] = "https://127.0.0.1:4506",
        ["ConfigSync:StateDirectory"] = state,
        ["ConfigSync:Peers:0:Url"] = "https://127.0.0.2:4506",
        ["ConfigSync:Peers:0:Fingerprint"] = Fp,
    };

    [Fact]
    public void Disabled_section_registers_nothing_and_reports_nothing()
    {
        var options = ConfigSyncServiceCollectionExtensions.Bind(Section(new() { ["ConfigSync:Enabled"] = "false", ["ConfigSync:Listen"] = "junk" }), out var errors);
        Assert.False(options.Enabled);
        Assert.Empty(errors);
    }

    [Fact]
    public void Valid_options_use_the_five_default_roots()
    {
        using var dir = new TempDir();
        SyncInitCommand.Run(dir.Path, TextWriter.Null, TextWriter.Null);
        var options = ConfigSyncServiceCollectionExtensions.Bind(Section(Valid(dir.Path)), out var errors);
        Assert.Empty(errors);
        Assert.Equal(["/etc/salt/master", "/etc/salt/master.d", "/etc/salt/pki/master", "/srv/salt", "/srv/pillar"], options.EffectiveRoots);
    }

    [Theory]
    [InlineData("ConfigSync:Peers:0:Fingerprint", "abc", "ConfigSync:Peers:0:Fingerprint: ")]
    [InlineData("ConfigSync:Peers:0:Url", "http://x:1", "ConfigSync:Peers:0:Url: ")]
    [InlineData("ConfigSync:Listen", "http://0.0.0.0:4506", "ConfigSync:Listen: ")]
    [InlineData("ConfigSync:Listen", "https://master1.example:4506", "ConfigSync:Listen: ")]
    [InlineData("ConfigSync:Listen", "https://10.0.0.1", "ConfigSync:Listen: ")]
    [InlineData("ConfigSync:Roots:0", "srv/salt", "ConfigSync:Roots:0: ")]
    [InlineData("ConfigSync:Roots:0", "/srv/../etc", "ConfigSync:Roots:0: ")]
    [InlineData("ConfigSync:StateDirectory", "/srv/salt/.state", "ConfigSync:StateDirectory: ")]
    [InlineData("ConfigSync:Hooks:Nope:Command", "true", "ConfigSync:Hooks:Nope: ")]
    public void Errors_name_the_key_path(string key, string value, string expectedPrefix)
    {
        using var dir = new TempDir();
        var values = Valid(dir.Path);
        values[key] = value;
        ConfigSyncServiceCollectionExtensions.Bind(Section(values), out var errors);
        Assert.Contains(errors, e => e.StartsWith(expectedPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Nested_roots_and_duplicate_fingerprints_are_refused()
    {
        using var dir = new TempDir();
        var values = Valid(dir.Path);
        values["ConfigSync:Roots:0"] = "/srv";
        values["ConfigSync:Roots:1"] = "/srv/salt";
        values["ConfigSync:Peers:1:Url"] = "https://127.0.0.3:4506";
        values["ConfigSync:Peers:1:Fingerprint"] = Fp.ToUpperInvariant();
        ConfigSyncServiceCollectionExtensions.Bind(Section(values), out var errors);
        Assert.Contains(errors, e => e.StartsWith("ConfigSync:Roots:1: ", StringComparison.Ordinal) && e.Contains("inside another root"));
        Assert.Contains(errors, e => e.StartsWith("ConfigSync:Peers:1:Fingerprint: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_identity_tells_the_operator_to_run_sync_init()
    {
        using var dir = new TempDir();
        ConfigSyncServiceCollectionExtensions.Bind(Section(Valid(dir.Path)), out var errors);
        Assert.Contains(errors, e => e.StartsWith("ConfigSync:StateDirectory: ", StringComparison.Ordinal) && e.Contains("sync init"));
    }
}
