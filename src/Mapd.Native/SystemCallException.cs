using System.Runtime.InteropServices;

namespace Mapd.Native;

/// <summary>A system call failed. The message names the call, the path or object, and the errno.</summary>
public sealed class SystemCallException : IOException
{
    /// <summary>Creates the exception for <paramref name="call"/> on <paramref name="target"/>.</summary>
    public SystemCallException(string call, string? target, int errno)
        : base(Format(call, target, errno))
    {
        Call = call;
        Target = target;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>The failed call, e.g. <c>openat</c>.</summary>
    public string Call { get; }

    /// <summary>The path or object the call worked on, if any.</summary>
    public string? Target { get; }

    /// <summary>The errno value.</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name, e.g. <c>ENOENT</c>.</summary>
    public string ErrnoName => Errnos.Name(Errno);

    /// <summary>Throws for the calling thread's last P/Invoke error.</summary>
    public static SystemCallException FromLastError(string call, string? target = null)
        => new(call, target, Marshal.GetLastPInvokeError());

    private static string Format(string call, string? target, int errno)
    {
        var what = target is null ? call : $"{call}({target})";
        return $"{what} failed: {Errnos.Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
    }
}
