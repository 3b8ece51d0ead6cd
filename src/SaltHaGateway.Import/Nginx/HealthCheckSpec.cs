using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// The nginx_upstream_check_module <c>check</c> directive, validated as the module does: interval, rise, fall,
/// timeout and port are positive integers, default_down is true|false (any case), type is one of the module's
/// types; any other parameter is fatal. The contract keeps the parameters verbatim.
/// </summary>
internal sealed record HealthCheckSpec(string Verbatim, string Type, int? Port)
{
    private static readonly string[] ModuleTypes = ["tcp", "ssl_hello", "http", "mysql", "ajp", "fastcgi"];
    private static readonly string[] GatewayTypes = ["tcp", "ssl_hello", "http"];

    public bool GatewaySupportsType => GatewayTypes.Contains(Type);

    public static HealthCheckSpec? Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return null;
        }

        var type = "tcp";
        int? port = null;
        foreach (var arg in d.Args)
        {
            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg : arg[..(eq + 1)];
            var value = eq < 0 ? "" : arg[(eq + 1)..];
            switch (name)
            {
                case "interval=":
                case "timeout=":
                case "rise=":
                case "fall=":
                    if (!NginxNumber.TryParse(value, out var n) || n == 0)
                    {
                        return Invalid(d, arg, diagnostics);
                    }

                    break;
                case "port=":
                    if (!NginxNumber.TryParse(value, out var p) || p is 0 or > 65535)
                    {
                        return Invalid(d, arg, diagnostics);
                    }

                    port = (int)p;
                    break;
                case "type=":
                    if (!ModuleTypes.Contains(value))
                    {
                        return Invalid(d, arg, diagnostics);
                    }

                    type = value;
                    break;
                case "default_down=":
                    if (!value.Equals("true", StringComparison.OrdinalIgnoreCase) &&
                        !value.Equals("false", StringComparison.OrdinalIgnoreCase))
                    {
                        diagnostics.Error(d, $"invalid value \"{arg}\", it must be \"true\" or \"false\"");
                        return null;
                    }

                    break;
                default:
                    return Invalid(d, arg, diagnostics);
            }
        }

        return new HealthCheckSpec(string.Join(' ', d.Args), type, port);
    }

    private static HealthCheckSpec? Invalid(NginxDirective d, string arg, ImportDiagnostics diagnostics)
    {
        diagnostics.Error(d, $"invalid parameter \"{arg}\"");
        return null;
    }
}
