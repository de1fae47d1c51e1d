using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Hosting;

/// <summary>
/// sd_notify as libsystemd does it: a notification that cannot be delivered (the manager went
/// away, the socket was removed) is reported and dropped, never allowed to crash the daemon,
/// least of all while it shuts down.
/// </summary>
public sealed partial class BestEffortSystemdNotifier(ILogger<BestEffortSystemdNotifier> logger) : ISystemdNotifier
{
    private readonly SystemdNotifier _inner = new();
    private int _warned;

    /// <inheritdoc />
    public bool IsEnabled => _inner.IsEnabled;

    /// <inheritdoc />
    public void Notify(ServiceState state)
    {
        try
        {
            _inner.Notify(state);
        }
        catch (SocketException e)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                Log.NotifyFailed(logger, state.ToString(), e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4, EventName = "NotifyFailed", Level = LogLevel.Warning, Message = "Could not send '{State}' to NOTIFY_SOCKET ({Error}); notifications are best effort and the daemon carries on")]
        public static partial void NotifyFailed(ILogger logger, string state, string error);
    }
}
