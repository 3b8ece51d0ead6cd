namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition on a real system, with a generous deadline: tests assert that it happens, not how fast.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        T last;
        while (true)
        {
            last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what ?? "condition"}; last value: {last}");
            await Task.Delay(100);
        }
    }
}
