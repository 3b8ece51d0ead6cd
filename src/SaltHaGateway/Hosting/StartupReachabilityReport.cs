using System.Net.Sockets;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Hosting;

/// <summary>Right after start, tries one TCP connect to every server and says which cannot be reached, so an operator
/// running the gateway for the first time sees at once whether the upstream addresses are right.</summary>
public sealed partial class StartupReachabilityReport(UpstreamTable upstreams, IHostApplicationLifetime lifetime, ILogger<StartupReachabilityReport> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var checks = upstreams.All.SelectMany(u => u.All.Select(s => CheckAsync(u.Name, s, stoppingToken)));
        await Task.WhenAll(checks);
    }

    private async Task CheckAsync(string upstream, UpstreamServer server, CancellationToken ct)
    {
        if (!Uri.TryCreate(server.Destination.Model.Config.Address, UriKind.Absolute, out var uri)) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(uri.Host, uri.Port, timeout.Token);
            LogReachable(logger, upstream, server.Name);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            LogUnreachable(logger, upstream, server.Name, "no answer within 1s");
        }
        catch (SocketException e)
        {
            LogUnreachable(logger, upstream, server.Name, e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Upstream {Upstream} server {Server} is reachable")]
    private static partial void LogReachable(ILogger logger, string upstream, string server);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Upstream {Upstream} server {Server} cannot be reached: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string upstream, string server, string reason);
}
