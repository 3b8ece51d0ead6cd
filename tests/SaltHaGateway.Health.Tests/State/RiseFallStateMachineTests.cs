namespace SaltHaGateway.Health.Tests.State;

public sealed class RiseFallStateMachineTests
{
    [Fact]
    public void Default_down_needs_rise_consecutive_successes_in_module_mode()
    {
        var m = new RiseFallStateMachine(rise: 2, fall: 5, startUp: false, firstSuccessMarksUp: false);
        Assert.Equal(HealthTransition.None, m.Record(true));
        Assert.False(m.IsUp);
        Assert.Equal(HealthTransition.WentUp, m.Record(true));
        Assert.True(m.IsUp);
        Assert.Equal(2, m.Rise);
    }

    [Fact]
    public void A_failure_resets_the_success_streak_and_the_reverse()
    {
        var m = new RiseFallStateMachine(rise: 2, fall: 5, startUp: false, firstSuccessMarksUp: false);
        m.Record(true);
        m.Record(false);
        Assert.Equal(0, m.Rise);
        Assert.Equal(1, m.Fall);
        Assert.Equal(HealthTransition.None, m.Record(true));
        Assert.False(m.IsUp);
        Assert.Equal(0, m.Fall);
    }

    [Fact]
    public void Up_server_goes_down_at_exactly_fall_consecutive_failures()
    {
        var m = new RiseFallStateMachine(rise: 2, fall: 5, startUp: true, firstSuccessMarksUp: false);
        for (var i = 0; i < 4; i++) Assert.Equal(HealthTransition.None, m.Record(false));
        Assert.True(m.IsUp);
        Assert.True(m.InTransition);
        Assert.Equal(HealthTransition.WentDown, m.Record(false));
        Assert.False(m.IsUp);
        // Streaks keep counting past the threshold, as the module's status page shows.
        m.Record(false);
        Assert.Equal(6, m.Fall);
        Assert.False(m.InTransition);
    }

    [Fact]
    public void Flapping_server_with_a_success_between_failures_stays_up()
    {
        var m = new RiseFallStateMachine(rise: 2, fall: 3, startUp: true, firstSuccessMarksUp: false);
        for (var i = 0; i < 10; i++)
        {
            m.Record(false);
            m.Record(false);
            m.Record(true);
        }
        Assert.True(m.IsUp);
    }

    [Fact]
    public void Warm_start_marks_a_never_checked_server_up_on_its_first_success_only()
    {
        var m = new RiseFallStateMachine(rise: 2, fall: 5, startUp: false, firstSuccessMarksUp: true);
        Assert.Equal(HealthTransition.WentUp, m.Record(true));
        Assert.Equal(1, m.Rise);

        var failedFirst = new RiseFallStateMachine(rise: 2, fall: 5, startUp: false, firstSuccessMarksUp: true);
        failedFirst.Record(false);
        Assert.Equal(HealthTransition.None, failedFirst.Record(true));
        Assert.False(failedFirst.IsUp);
        Assert.Equal(HealthTransition.WentUp, failedFirst.Record(true));
    }

    [Fact]
    public void Default_up_server_stays_up_until_fall_failures()
    {
        var m = new RiseFallStateMachine(rise: 2, fall: 2, startUp: true, firstSuccessMarksUp: true);
        Assert.True(m.IsUp);
        Assert.Equal(HealthTransition.None, m.Record(false));
        Assert.Equal(HealthTransition.WentDown, m.Record(false));
    }
}
