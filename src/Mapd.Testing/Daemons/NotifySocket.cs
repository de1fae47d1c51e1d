using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Mapd.Testing;

/// <summary>
/// A NOTIFY_SOCKET of the test's own, as systemd provides one: a Unix datagram socket that
/// collects every sd_notify message the daemon sends.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _all = [];

    /// <summary>Binds a datagram socket at a fresh path in <paramref name="directory"/>.</summary>
    public NotifySocket(string directory)
    {
        Path = System.IO.Path.Join(directory, $"notify-{Guid.NewGuid():N}"[..20]);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = ReceiveAsync();
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Path { get; }

    /// <summary>Every message line received so far, in order.</summary>
    public IReadOnlyList<string> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Every line received so far and to come; waits up to <paramref name="timeout"/> for one matching <paramref name="match"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout, List<string>? seen = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _messages.Reader.ReadAsync(cancel.Token);
                seen?.Add(line);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching sd_notify message within {timeout}; saw: {string.Join(" | ", seen ?? [])}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
        if (File.Exists(Path))
        {
            File.Delete(Path);
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                foreach (var line in Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    lock (_all)
                    {
                        _all.Add(line);
                    }

                    _messages.Writer.TryWrite(line);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            _messages.Writer.TryComplete();
        }
    }
}
