namespace SaltHaGateway.Health.Tests;

/// <summary>Polls a condition in real time; fails after a generous limit instead of asserting on timing.</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {seconds}s waiting for: {what}");
            await Task.Delay(5);
        }
    }
}
