using SaltHaGateway.Vrrp.Adapters;

namespace SaltHaGateway.Vrrp.Tests.Tracking;

/// <summary>script_user and enable_script_security, against the real /etc/passwd, setpriv and file system.</summary>
public sealed class ScriptIdentityAndSecurityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("script-security-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Resolves_users_and_groups_and_names_what_is_missing()
    {
        var nobody = ScriptIdentity.Resolve("nobody", null, out var error);
        Assert.Null(error);
        Assert.Equal(65534, nobody!.Uid);
        Assert.Equal(0, ScriptIdentity.Resolve("nobody", "root", out _)!.Gid);
        Assert.Null(ScriptIdentity.Resolve("no-such-user-here", null, out error));
        Assert.Equal("no user named 'no-such-user-here' in /etc/passwd", error);
    }

    [Fact]
    public async Task Scripts_run_as_the_script_user()
    {
        var nobody = ScriptIdentity.Resolve("nobody", null, out _);
        Assert.Equal(0, await NotifyScriptRunner.RunAsync("test \"$(id -u)\" = 65534", [], TimeSpan.FromSeconds(10), CancellationToken.None, nobody));
        Assert.NotEqual(0, await NotifyScriptRunner.RunAsync("test \"$(id -u)\" = 65534", [], TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    [Fact]
    public void A_script_others_can_replace_is_unsafe()
    {
        Assert.Null(ScriptSecurity.Check("/bin/sh -c true"));
        Assert.Null(ScriptSecurity.Check("true"));   // found in PATH
        var script = Path.Combine(_dir, "notify.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite);
        Assert.Equal($"{script} is writable by everyone", ScriptSecurity.Check(script + " MASTER"));
        // A safe file in a directory anyone can write to can be swapped for another.
        var open = Directory.CreateDirectory(Path.Combine(_dir, "open")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111);
        var moved = Path.Combine(open, "notify.sh");
        File.Move(script, moved);
        File.SetUnixFileMode(moved, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal($"{open} is writable by everyone", ScriptSecurity.Check(moved));
        Assert.Equal("'no-such-program-here' is not found in PATH", ScriptSecurity.Check("no-such-program-here"));
    }
}
