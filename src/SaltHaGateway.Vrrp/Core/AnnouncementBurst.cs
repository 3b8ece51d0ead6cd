namespace SaltHaGateway.Vrrp.Core;

/// <summary>
/// Paces one burst of gratuitous ARPs or unsolicited Neighbour Advertisements: the first goes out at once (it is on
/// the failover path), the rest <c>interval</c> apart — keepalived's vrrp_garp_interval for ARP and vrrp_gna_interval
/// for NA, kept separate as keepalived keeps them.
/// </summary>
internal static class AnnouncementBurst
{
    /// <returns>A task that completes once the last announcement is out (or the burst was cancelled).</returns>
    public static Task Send<T>(IReadOnlyList<T> burst, TimeSpan interval, Action<T> send, TimeProvider time, CancellationToken ct)
    {
        if (interval <= TimeSpan.Zero || burst.Count <= 1)
        {
            foreach (var item in burst)
            {
                send(item);
            }
            return Task.CompletedTask;
        }
        send(burst[0]);
        return Task.Run(async () =>
        {
            for (int i = 1; i < burst.Count; i++)
            {
                await Task.Delay(interval, time, ct).ConfigureAwait(false);
                send(burst[i]);
            }
        }, ct).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
