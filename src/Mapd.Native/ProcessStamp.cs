using System.Globalization;
using System.Runtime.InteropServices;
using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>How a <see cref="ProcessStamp"/> was taken.</summary>
public enum ProcessStampKind
{
    /// <summary>The inode number of a pidfd on pidfs (Linux 6.9 and later): never reused while the system runs.</summary>
    PidfsInode,

    /// <summary>The process's start time in clock ticks after boot (field 22 of <c>/proc/PID/stat</c>).</summary>
    StartTime,
}

/// <summary>
/// Which process a pid named when it was taken. A pid is reused once its process is gone; a
/// stamp is not, so a pid and a stamp together name one process for the life of the system.
/// </summary>
/// <param name="Value">The pidfs inode number or the start time.</param>
/// <param name="Kind">Which of the two <paramref name="Value"/> is.</param>
public readonly record struct ProcessStamp(ulong Value, ProcessStampKind Kind)
{
    /// <summary>
    /// The stamp of the process at the other end of the connected Unix socket
    /// <paramref name="socket"/>, whose SO_PEERCRED pid is <paramref name="pid"/>; null when the
    /// kernel cannot tell (no SO_PEERPIDFD and <c>/proc/PID</c> hidden) or the process is gone.
    /// SO_PEERPIDFD names the very process that connected; without it a pid recycled between the
    /// connect and this call could be read instead.
    /// </summary>
    public static unsafe ProcessStamp? OfPeer(SafeHandle socket, int pid)
    {
        int raw;
        var length = (uint)sizeof(int);
        using var pidfd = Libc.GetSockOpt(socket, SOL_SOCKET, SO_PEERPIDFD, (byte*)&raw, &length) == 0 ? new FileDescriptor(raw) : null;
        if (pidfd is not null && Files.FileSystem(pidfd, $"pidfd of pid {pid}").Type == PIDFS_MAGIC)
        {
            return new ProcessStamp(Files.Stat(pidfd, $"pidfd of pid {pid}").Inode, ProcessStampKind.PidfsInode);
        }

        var started = StartTimeOf(pid);
        if (pidfd is not null && Libc.PidfdSendSignal(SYS_pidfd_send_signal, pidfd, 0, 0, 0) != 0)
        {
            // The connecting process is gone, so whatever /proc/PID said may be another process's.
            return null;
        }

        return started is { } ticks ? new ProcessStamp(ticks, ProcessStampKind.StartTime) : null;
    }

    /// <summary>The start time of process <paramref name="pid"/> in clock ticks after boot, or null when it is gone or hidden.</summary>
    public static ulong? StartTimeOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseStartTime(stat);
    }

    /// <summary>Field 22 of a <c>/proc/PID/stat</c> line; the command name (field 2) may hold spaces and parentheses.</summary>
    public static ulong? ParseStartTime(string stat)
    {
        var afterName = stat.LastIndexOf(')');
        if (afterName < 0)
        {
            return null;
        }

        // Fields 3 onwards follow the name; field 22 is the 20th of them.
        var fields = stat[(afterName + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    /// <inheritdoc />
    public override string ToString() => Kind == ProcessStampKind.PidfsInode ? $"pidfs inode {Value}" : $"start time {Value}";
}
