using SaltHaGateway.Sync;
using SaltHaGateway.Vrrp;

namespace SaltHaGateway.Hosting;

/// <summary>The VRRP tracked condition <c>sync</c>: config sync is running and no root is paused by a safety check.
/// The sync engine has no change event, so its state is read once a second (a field read, no I/O).</summary>
public sealed class SyncHealthCondition(ISyncHealth health, TimeProvider time) : BackgroundService
{
    public TrackedCondition Condition { get; } = new("sync", initiallyUp: true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            do Condition.Set(health.IsHealthy);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) { }
    }
}
