using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Hosting;
using Mapd.Server.Meters;
using Mapd.Server.Quotas;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Sessions;

/// <summary>
/// Serves <c>mapd-fd.sock</c>: accepts connections, has <see cref="SessionAdmission"/> decide
/// each one (quota, HELLO deadline), sends WELCOME, then hands the session to the
/// <see cref="SessionReader"/>, and ends it (releasing what it mapped) when the reader says the
/// connection closed.
/// </summary>
public sealed partial class SessionSocketListener(
    SocketDirectory sockets,
    SocketActivation activation,
    SessionRegistry registry,
    RegionMappings mappings,
    ISessionRequests requests,
    PeerQuotas quotas,
    SessionLimits limits,
    TimeProvider time,
    ILogger<SessionSocketListener> logger) : BackgroundService
{
    // The kernel's queue of connections not yet accepted: a burst of clients waits there.
    private const int Backlog = 512;
    private readonly SessionAdmission _admission = new(quotas, limits, time, logger);
    private Socket? _listener;
    private SessionReader? _reader;

    private SessionReader Reader => _reader ?? throw new InvalidOperationException("the listener has not started");

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (sockets.GroupWritable)
        {
            Log.GroupWritableDirectory(logger, sockets.Path, sockets.GroupText);
        }

        foreach (var quota in (PeerQuota[])[quotas.Sessions, quotas.Connections, quotas.Watches])
        {
            var planned = quota.Limits;
            Log.Quota(logger, planned.Noun, planned.Total, planned.PerUid, planned.Privileged, planned.Reserve);
        }

        var path = sockets.SessionSocket;
        _reader = new SessionReader(mappings, requests, logger);
        if (activation.TakeSessionListener() is { } inherited)
        {
            _listener = inherited;
            Log.Inherited(logger, path);
            return base.StartAsync(cancellationToken);
        }

        SocketDirectory.ClearStale(path, SocketType.Seqpacket);
        var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));

            // Permissions are set before listen(), so nobody ever connects under the wrong mode.
            sockets.ApplyPermissions(path);
            listener.Listen(Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        Log.Listening(logger, path, sockets.ModeText, sockets.GroupText);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Cancel the accept loop first, so closing the listener is not reported as a failed accept.
        await base.StopAsync(cancellationToken);
        _listener?.Dispose();
        _reader?.Dispose();

        // A session still in its handshake ends when its WELCOME fails to go.
        foreach (var session in registry.All)
        {
            session.Dispose();
        }

        if (!activation.HasSession)
        {
            // An inherited socket's file belongs to mapd.socket, which keeps listening while the daemon restarts.
            File.Delete(sockets.SessionSocket);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener!;
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors (EMFILE/ENFILE) or a connection that died in the queue: this one
                // connection is lost, the daemon carries on, and the pause keeps it from spinning.
                if (e.SocketErrorCode == SocketError.TooManyOpenSockets || OpenFileLimit.IsExhaustion(e.NativeErrorCode))
                {
                    MapdMetrics.DescriptorsExhausted("accept");
                }

                Log.AcceptFailed(logger, e.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            _ = ServeAsync(connection, stoppingToken);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken stoppingToken)
    {
        Session? session = null;
        QuotaLease? lease = null;
        try
        {
            if (await _admission.AdmitAsync(connection, stoppingToken) is not { } admitted)
            {
                // Turned away or gone quiet: there is no session.
                connection.Dispose();
                return;
            }

            (session, lease) = admitted;

            // Registered before WELCOME leaves, so the client's first call finds its session.
            registry.Add(session);
            var welcome = new byte[SessionFrames.WelcomeLength];
            SessionFrames.WriteWelcome(welcome, session.IdBytes);
            await connection.SendAsync(welcome, SocketFlags.None, stoppingToken);
            Log.SessionStarted(logger, session.Id, session.Pid, session.Uid);
            var (started, held) = (session, lease);
            Reader.Add(session, () => End(started, held));
            return;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away or the daemon is stopping during the handshake.
        }
        catch (Exception e)
        {
            Log.SessionFailed(logger, session?.Id ?? "(handshake)", e);
        }

        if (session is not null)
        {
            End(session, lease);
        }
        else
        {
            connection.Dispose();
            lease?.Dispose();
        }
    }

    /// <summary>The session is over: everything it mapped is released, and its quota given back.</summary>
    private void End(Session session, QuotaLease? lease)
    {
        registry.Remove(session);
        mappings.RemoveMapper(session);
        session.Dispose();
        lease?.Dispose();
        Log.SessionEnded(logger, session.Id, session.Pid);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, EventName = "Listening", Level = LogLevel.Information, Message = "Session socket listening on {Path} (mode {Mode}, group {Group})")]
        public static partial void Listening(ILogger logger, string path, string mode, string group);

        [LoggerMessage(EventId = 301, EventName = "AcceptFailed", Level = LogLevel.Warning, Message = "accept on the session socket failed: {Error}")]
        public static partial void AcceptFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 302, EventName = "SessionStarted", Level = LogLevel.Debug, Message = "Session {Id} started by pid {Pid} uid {Uid}")]
        public static partial void SessionStarted(ILogger logger, string id, int pid, uint uid);

        [LoggerMessage(EventId = 303, EventName = "SessionEnded", Level = LogLevel.Debug, Message = "Session {Id} of pid {Pid} ended")]
        public static partial void SessionEnded(ILogger logger, string id, int pid);

        [LoggerMessage(EventId = 306, EventName = "SessionFailed", Level = LogLevel.Error, Message = "Session {Id} failed")]
        public static partial void SessionFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(EventId = 310, EventName = "Quota", Level = LogLevel.Information, Message = "At most {Total} {What}: {PerUid} per uid; {Privileged} for root and for mapd's uid, {Reserve} of them kept from other uids")]
        public static partial void Quota(ILogger logger, string what, int total, int perUid, int privileged, int reserve);

        [LoggerMessage(EventId = 309, EventName = "GroupWritableDirectory", Level = LogLevel.Warning, Message = "Socket directory {Path} is writable by group {Group} (Mapd:SocketGroup): its members can replace mapd's sockets while the daemon is down")]
        public static partial void GroupWritableDirectory(ILogger logger, string path, string group);

        [LoggerMessage(EventId = 307, EventName = "Inherited", Level = LogLevel.Information, Message = "Session socket {Path} inherited from systemd (mapd.socket sets its mode and group)")]
        public static partial void Inherited(ILogger logger, string path);
    }
}
