using System.CommandLine;

namespace SaltHaGateway.Cli;

/// <summary>Verbs contributed by the subsystems (import-nginx, sync init, import-keepalived).</summary>
public static class GatewayCommands
{
    public static IEnumerable<Command> Extra()
    {
        yield break;
    }
}
