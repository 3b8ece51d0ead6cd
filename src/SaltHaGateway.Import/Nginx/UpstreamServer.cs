using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// A validated <c>server ADDRESS [parameters]</c> line of an upstream block, checked as ngx_http_upstream_server
/// does: weight=N (N &gt; 0), max_fails=N, fail_timeout=TIME, max_conns=N, backup, down; anything else is an
/// invalid parameter, and a parameter the upstream's balancing method does not allow is rejected.
/// </summary>
internal sealed record UpstreamServer(
    string Address,
    HostPort Endpoint,
    NginxDirective Source,
    string? Weight,
    string? MaxFails,
    string? FailTimeout,
    bool Backup,
    bool Down)
{
    public static UpstreamServer? Parse(NginxDirective d, UpstreamBalance balance, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return null;
        }

        string? weight = null, maxFails = null, failTimeout = null;
        bool backup = false, down = false;
        foreach (var arg in d.Args.Skip(1))
        {
            if (arg.StartsWith("weight=", StringComparison.Ordinal))
            {
                if (!NginxNumber.TryParse(arg[7..], out var w) || w == 0)
                {
                    return Invalid(d, arg, diagnostics);
                }

                weight = w.ToString();
            }
            else if (arg.StartsWith("max_conns=", StringComparison.Ordinal))
            {
                if (!NginxNumber.TryParse(arg[10..], out _))
                {
                    return Invalid(d, arg, diagnostics);
                }

                diagnostics.Warning(d, $"server parameter \"{arg}\" is not translated (the gateway has no per-server connection limit)");
            }
            else if (arg.StartsWith("max_fails=", StringComparison.Ordinal))
            {
                if (!NginxNumber.TryParse(arg[10..], out var f))
                {
                    return Invalid(d, arg, diagnostics);
                }

                maxFails = f.ToString();
            }
            else if (arg.StartsWith("fail_timeout=", StringComparison.Ordinal))
            {
                if (!NginxTime.TryParse(arg[13..], secondsResolution: true, out var ms))
                {
                    return Invalid(d, arg, diagnostics);
                }

                failTimeout = NginxTime.Format(ms);
            }
            else if (arg == "backup")
            {
                if (!balance.SupportsBackup)
                {
                    diagnostics.Error(d, $"balancing method does not support parameter \"{arg}\"");
                    return null;
                }

                backup = true;
            }
            else if (arg == "resolve")
            {
                diagnostics.Warning(d, "server parameter \"resolve\" is not translated; the gateway resolves host names per connection");
            }
            else if (arg == "down")
            {
                down = true;
            }
            else
            {
                return Invalid(d, arg, diagnostics);
            }
        }

        var address = d.Args[0];
        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            diagnostics.NotTranslated(d, "unix-domain socket servers are not supported");
            return null;
        }

        if (!HostPort.TryParse(address, out var endpoint, out var error))
        {
            diagnostics.Error(d, $"{error} in upstream \"{address}\"");
            return null;
        }

        if (!endpoint!.IsIpLiteral)
        {
            diagnostics.Warning(d,
                $"\"{address}\" is a host name: nginx resolves it once at start-up (every address becomes a peer), the gateway resolves it per connection");
        }

        return new UpstreamServer(address, endpoint, d, weight, maxFails, failTimeout, backup, down);
    }

    private static UpstreamServer? Invalid(NginxDirective d, string arg, ImportDiagnostics diagnostics)
    {
        diagnostics.Error(d, $"invalid parameter \"{arg}\"");
        return null;
    }
}
