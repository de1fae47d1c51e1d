namespace Mapd.Native.Tests;

public sealed class OpenFileLimitTests
{
    [Fact]
    public void The_limit_is_read_and_raising_it_ends_at_the_hard_limit()
    {
        var before = OpenFileLimit.Current();

        var raised = OpenFileLimit.RaiseToHard();

        Assert.True(before.Soft <= before.Hard);
        Assert.Equal(before.Hard, raised.Hard);
        Assert.Equal(raised.Hard, raised.Soft);
        Assert.Equal(raised, OpenFileLimit.Current());
    }

    [Theory]
    [InlineData(Errnos.EMFILE, true)]
    [InlineData(Errnos.ENFILE, true)]
    [InlineData(Errnos.ENOMEM, false)]
    public void EMFILE_and_ENFILE_are_exhaustion(int errno, bool exhausted) =>
        Assert.Equal(exhausted, OpenFileLimit.IsExhaustion(errno));
}
