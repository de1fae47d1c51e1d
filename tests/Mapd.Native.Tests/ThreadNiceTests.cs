using System.Globalization;

namespace Mapd.Native.Tests;

public sealed class ThreadNiceTests
{
    [Fact]
    public void Sets_the_nice_value_of_the_calling_thread_and_no_other()
    {
        var before = NiceOfThisThread();
        int? set = null;

        // A thread of its own: without privilege a raised nice value never comes down again.
        var thread = new Thread(() =>
        {
            ThreadNice.SetForCurrentThread(Math.Min(19, before + 7));
            set = NiceOfThisThread();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(Math.Min(19, before + 7), set);
        Assert.Equal(before, NiceOfThisThread());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(20)]
    public void A_value_outside_0_to_19_is_refused(int nice) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadNice.SetForCurrentThread(nice));

    /// <summary>Field 19 of /proc/thread-self/stat, counted after the parenthesised command name.</summary>
    internal static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], CultureInfo.InvariantCulture);
    }
}
