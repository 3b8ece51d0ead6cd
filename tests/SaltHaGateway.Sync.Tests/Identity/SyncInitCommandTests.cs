using System.Security.Cryptography;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Identity;

public sealed class SyncInitCommandTests
{
    [Fact]
    public void Init_creates_a_private_identity_and_prints_its_fingerprint_last()
    {
        using var dir = new TempDir();
        var state = Path.Combine(dir.Path, "state");
        var output = new StringWriter();
        Assert.Equal(0, SyncInitCommand.Run(state, output, TextWriter.Null));

        var last = output.ToString().TrimEnd().Split('\n')[^1].Trim();
        Assert.Matches("^[0-9a-f]{64}$", last);
        var identity = NodeIdentity.Load(state);
        Assert.Equal(last, identity.Fingerprint);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(identity.Certificate.RawData)), last);
        Assert.True(identity.Certificate.HasPrivateKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(NodeIdentity.PathIn(state)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
    }

    [Fact]
    public void Running_init_again_keeps_the_identity()
    {
        using var dir = new TempDir();
        var first = new StringWriter();
        var second = new StringWriter();
        SyncInitCommand.Run(dir.Path, first, TextWriter.Null);
        SyncInitCommand.Run(dir.Path, second, TextWriter.Null);
        Assert.Equal(first.ToString().TrimEnd().Split('\n')[^1], second.ToString().TrimEnd().Split('\n')[^1]);
        Assert.Contains("kept", second.ToString());
    }

    [Fact]
    public void Relative_state_dir_is_an_error()
    {
        var err = new StringWriter();
        Assert.Equal(2, SyncInitCommand.Run("state", TextWriter.Null, err));
        Assert.Contains("absolute", err.ToString());
    }
}
