namespace SaltHaGateway.Sync.Tests.Infrastructure;

public static class Wait
{
    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 20)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < end)
        {
            try
            {
                if (condition()) return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                last = e; // not there yet (file mid-replacement, status not ready)
            }
            await Task.Delay(50);
        }
        Assert.Fail($"timed out after {seconds}s waiting for: {what}{(last is null ? "" : $" (last error: {last.Message})")}");
    }
}
