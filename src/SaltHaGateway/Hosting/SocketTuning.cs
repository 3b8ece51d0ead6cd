namespace SaltHaGateway.Hosting;

/// <summary>
/// Runs socket completions and Kestrel's request processing on the socket engine's threads instead of handing each
/// one to the thread pool. For a proxy that only awaits sockets this removes about two context switches per request
/// (measured: CPU per request -28 %, see bench/RESULTS.md); the runtime then uses one socket engine per core.
/// The price: code that blocks inside a socket continuation holds up other connections, so every subsystem keeps
/// its blocking work (files, SQLite, processes) off those continuations.
/// Set <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> in the environment to turn it off.
/// </summary>
public static class SocketTuning
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void ApplyProcessDefaults()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
    }

    public static bool InlineEnabled => Environment.GetEnvironmentVariable(InlineCompletions) == "1";
}
