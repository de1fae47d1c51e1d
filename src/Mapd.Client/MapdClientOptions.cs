using Microsoft.Extensions.Logging;

namespace Mapd.Client;

/// <summary>How to reach the daemon.</summary>
public sealed record MapdClientOptions
{
    /// <summary>
    /// The daemon's socket directory. Null finds it by the contract's rule
    /// (<see cref="SocketDiscovery"/>): <c>MAPD_SOCKET_DIR</c>, else the user's own directory
    /// (<c>$XDG_RUNTIME_DIR/mapd</c>, else <c>/tmp/mapd-&lt;uid&gt;</c>) when a daemon serves there,
    /// else the system daemon's <c>/run/mapd</c>.
    /// </summary>
    public string? SocketDirectory { get; init; }

    /// <summary>How long connecting waits for the daemon (in <see cref="MapdClient.ConnectAsync"/> and on every reconnect): for the gRPC connection, and for the session socket's answer to HELLO.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Without a region <c>max_size</c> hint, address space reserved per mapping as a multiple of
    /// its size (at least <see cref="MinimumReservation"/>), so it can grow that far in place. Reserved space costs no memory.
    /// </summary>
    public long ReservationFactor { get; init; } = 4;

    /// <summary>Without a <c>max_size</c> hint, the least address space reserved per mapping.</summary>
    public long MinimumReservation { get; init; } = 1L << 30;

    /// <summary>
    /// The most address space reserved per mapping (default 1 TiB, about 1/128 of what x86-64
    /// user space has), whatever <c>max_size</c> a region's creator hinted: a hint near 2^62
    /// would otherwise ask for an exabyte. A region larger than this is mapped at its size. If
    /// the kernel refuses a reservation for want of address space, the region is mapped without
    /// room to grow in place, and a grow remaps it.
    /// </summary>
    public long MaximumReservation { get; init; } = 1L << 40;

    /// <summary>Fault in the pages in use after remapping to a new address (MADV_POPULATE_READ/_WRITE), so readers there do not pay for it.</summary>
    public bool PrefaultOnRemap { get; init; } = true;

    /// <summary>How long a call waits for the session to come back after the daemon restarted, before it fails with UNAVAILABLE.</summary>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after the last mapping of a region is disposed the daemon is told this process
    /// no longer maps it. Re-opening within that time costs one call instead of two; a shrink
    /// of the region cuts the wait short. Zero closes at once.
    /// </summary>
    public TimeSpan CloseLinger { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Ask for opens on the session socket (an OPEN message answered with the descriptor) rather
    /// than as Open calls over gRPC: the descriptor travels on that socket anyway, so an open
    /// costs one message each way instead of a call plus a message. Used only with a daemon that
    /// serves it (it says so when Ping answers); false always sends Open calls. Creates are calls either way.
    /// </summary>
    public bool OpenOnSessionSocket { get; init; } = true;

    /// <summary>
    /// Where the client logs what it does on its own: losing, re-establishing and replacing its
    /// session, re-registering regions after a daemon restart, restarting its watch, and calls
    /// that fail in the background (Close, Release). Null logs nothing.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The directory actually used.</summary>
    public string ResolveSocketDirectory() => FindSocketDirectory().Directory;

    /// <summary>The directory actually used, and every place looked on the way (for error messages).</summary>
    public SocketSearch FindSocketDirectory() => SocketDiscovery.Find(SocketDirectory, Native.ProcessIdentity.Uid);
}
