namespace Mapd.Native.Tests;

public sealed class ProcessIdentityTests
{
    [Fact]
    public void Ids_match_what_the_kernel_reports_in_proc_self_status()
    {
        var status = File.ReadAllLines("/proc/self/status");
        static uint First(string[] lines, string key) =>
            uint.Parse(lines.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Split('\t', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(Environment.ProcessId, ProcessIdentity.Pid);
        Assert.Equal(First(status, "Uid:"), ProcessIdentity.Uid);
        Assert.Equal(First(status, "Gid:"), ProcessIdentity.Gid);
    }
}
