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

    [Fact]
    public void MayExceedDescriptorsInFlight_is_CAP_SYS_RESOURCE_or_CAP_SYS_ADMIN_in_the_effective_set()
    {
        var effective = Convert.ToUInt64(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapEff:", StringComparison.Ordinal))["CapEff:".Length..].Trim(), 16);
        var expected = (effective & ((1UL << 24) | (1UL << 21))) != 0;

        Assert.Equal(expected, ProcessIdentity.MayExceedDescriptorsInFlight);
    }
}
