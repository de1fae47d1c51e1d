using System.Runtime.InteropServices;

namespace Mapd.Native.Tests;

public sealed class SystemCallExceptionTests
{
    [Fact]
    public void Message_names_the_call_the_target_the_errno_and_its_description()
    {
        var error = new SystemCallException("openat", "/dev/shm/mapd/regions/a", Errnos.ENOENT);

        Assert.Equal($"openat(/dev/shm/mapd/regions/a) failed: ENOENT ({Marshal.GetPInvokeErrorMessage(Errnos.ENOENT)})", error.Message);
        Assert.Contains("No such file or directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_without_a_target_names_only_the_call()
    {
        var error = new SystemCallException("getsockopt(SO_PEERCRED)", null, Errnos.EBADF);

        Assert.StartsWith("getsockopt(SO_PEERCRED) failed: EBADF (", error.Message, StringComparison.Ordinal);
        Assert.Null(error.Target);
    }

    [Fact]
    public void Properties_keep_what_the_exception_was_built_from()
    {
        var error = new SystemCallException("ftruncate", "region 'a'", Errnos.ENOSPC);

        Assert.Equal("ftruncate", error.Call);
        Assert.Equal("region 'a'", error.Target);
        Assert.Equal(Errnos.ENOSPC, error.Errno);
        Assert.Equal("ENOSPC", error.ErrnoName);
        Assert.Equal(Errnos.ENOSPC, error.HResult);
        Assert.IsAssignableFrom<IOException>(error);
    }

    [Fact]
    public void An_errno_without_a_name_is_shown_as_a_number()
    {
        var error = new SystemCallException("ioctl", "x", 1234);

        Assert.Equal("errno 1234", error.ErrnoName);
        Assert.StartsWith("ioctl(x) failed: errno 1234 (", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "EPERM")]
    [InlineData(2, "ENOENT")]
    [InlineData(4, "EINTR")]
    [InlineData(9, "EBADF")]
    [InlineData(11, "EAGAIN")]
    [InlineData(12, "ENOMEM")]
    [InlineData(13, "EACCES")]
    [InlineData(16, "EBUSY")]
    [InlineData(17, "EEXIST")]
    [InlineData(20, "ENOTDIR")]
    [InlineData(22, "EINVAL")]
    [InlineData(28, "ENOSPC")]
    [InlineData(32, "EPIPE")]
    [InlineData(40, "ELOOP")]
    [InlineData(95, "EOPNOTSUPP")]
    [InlineData(104, "ECONNRESET")]
    [InlineData(111, "ECONNREFUSED")]
    public void Errno_names_match_the_Linux_numbers(int errno, string name)
    {
        Assert.Equal(name, Errnos.Name(errno));
    }

    [Fact]
    public void A_failed_call_reports_the_errno_the_kernel_set()
    {
        var missing = $"/dev/shm/mapd-native-test-missing-{Guid.NewGuid():N}";

        var error = Assert.Throws<SystemCallException>(() => DirectoryHandle.Open(missing));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Equal($"open({missing}) failed: ENOENT ({Marshal.GetPInvokeErrorMessage(Errnos.ENOENT)})", error.Message);
    }
}
