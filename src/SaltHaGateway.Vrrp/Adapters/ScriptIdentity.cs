using System.Globalization;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>keepalived's script_user [group]: the user (and group) scripts run as, resolved from /etc/passwd and /etc/group.</summary>
public sealed record ScriptIdentity(string User, int Uid, int Gid)
{
    /// <returns>Null with <paramref name="error"/> set when the user or group does not exist.</returns>
    public static ScriptIdentity? Resolve(string user, string? group, out string? error, string etc = "/etc")
    {
        error = null;
        var pw = Lookup(Path.Combine(etc, "passwd"), user);
        if (pw is null)
        {
            error = $"no user named '{user}' in {etc}/passwd";
            return null;
        }
        int gid = int.Parse(pw[3], CultureInfo.InvariantCulture);
        if (group is not null)
        {
            var gr = Lookup(Path.Combine(etc, "group"), group);
            if (gr is null)
            {
                error = $"no group named '{group}' in {etc}/group";
                return null;
            }
            gid = int.Parse(gr[2], CultureInfo.InvariantCulture);
        }
        return new ScriptIdentity(user, int.Parse(pw[2], CultureInfo.InvariantCulture), gid);
    }

    private static string[]? Lookup(string file, string name)
    {
        try
        {
            return File.ReadLines(file).Select(l => l.Split(':')).FirstOrDefault(f => f.Length >= 4 && f[0] == name
                && int.TryParse(f[2], CultureInfo.InvariantCulture, out _) && (f.Length < 7 || int.TryParse(f[3], CultureInfo.InvariantCulture, out _)));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
