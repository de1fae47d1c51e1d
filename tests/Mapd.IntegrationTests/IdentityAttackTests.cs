using System.Buffers.Binary;
using System.Globalization;
using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Native;
using Mapd.Protocol.V1;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// Issue 9, item 9: a session belongs to one process, not to a pid that the kernel may give to
/// another; and the bound on descriptors a session leaves unread holds whatever the client says.
/// </summary>
public sealed class IdentityAttackTests
{
    [AttackFact]
    public async Task A_process_that_reuses_the_pid_of_a_sessions_dead_owner_cannot_use_the_session()
    {
        await using var daemon = await MapdDaemon.StartAsync("64M", new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        await using var root = await daemon.ConnectAsync();
        var name = Status.UniqueName("stolen");
        string[] answer = [];
        string session = string.Empty;
        var pid = 0;

        // Another process on the machine may take the freed pid first: try again with a new one.
        for (var attempt = 0; attempt < 3 && answer.Length == 0; attempt++)
        {
            // The session's owner exits while a child keeps its socket: the session lives on and
            // the owner's pid is free for the kernel to reuse.
            await using var leak = Attacker.Start("leak_session.py", SwitchUser.Nobody, [Path.Join(daemon.SocketDirectory, "mapd-fd.sock")]);
            var leaked = (await leak.ReadLineAsync()).Split(' ');
            Assert.Equal("session", leaked[0]);
            (session, pid) = (leaked[1], int.Parse(leaked[3], CultureInfo.InvariantCulture));
            Assert.Equal(0, await leak.WaitForExitAsync());
            var live = await root.Grpc.ListSessionsAsync(new ListSessionsRequest());
            Assert.Contains(live.Sessions, s => s.Pid == pid && session.StartsWith(s.IdPrefix, StringComparison.Ordinal));

            // A new process of the same uid with exactly that pid (clone3 set_tid, as recycling
            // would give it) presents the session on its own gRPC connection.
            await using var recycled = Attacker.Start("recycle.py", null,
                [pid.ToString(CultureInfo.InvariantCulture), TestTools.Require("setpriv"), .. SwitchUser.Arguments(SwitchUser.Nobody),
                 TestEnvironment.DotnetHost, PublicCopy.Of(TestEnvironment.TestClientDll), daemon.SocketDirectory, "use-session", session, name]);
            var first = await recycled.ReadLineAsync();
            if (first.StartsWith("exited 3", StringComparison.Ordinal))
            {
                leak.CloseInput();
                continue;
            }

            answer = [first, await recycled.ReadLineAsync()];
            leak.CloseInput();
        }

        Assert.Equal($"pid {pid}", answer[0]);
        Assert.Equal($"error FailedPrecondition session {session} belongs to another process; each process must use the session it opened itself", answer[1]);
        Assert.Equal(StatusCode.NotFound, (await Status.Of(() => root.GetAsync(name))).Code);
    }

    [Fact]
    public async Task Taken_for_descriptors_never_read_does_not_lift_the_unread_bound()
    {
        const int bound = 64;
        await using var daemon = await MapdDaemon.StartAsync("64M", new Dictionary<string, string> { ["Mapd:Limits:MaxUnreadFds"] = bound.ToString(CultureInfo.InvariantCulture) });
        await using var mapd = await daemon.ConnectAsync();
        var name = Status.UniqueName("unread");
        await using (await mapd.CreateAsync(name, 4096))
        {
        }

        using var socket = UnixSockets.ConnectSeqPacket(Path.Join(daemon.SocketDirectory, "mapd-fd.sock"));
        UnixSockets.Send(socket, [.. "MAPD"u8, 1, 0], "hello");
        var buffer = new byte[SessionFrames.MaxLength];
        UnixSockets.Receive(socket, buffer, out _, "welcome");
        var headers = new Metadata { { "mapd-session", Convert.ToHexStringLower(buffer, 6, 16) } };

        // Acknowledge every descriptor at once, without reading any of them off the socket.
        var opened = 0;
        (StatusCode Code, string Message) refused;
        while (true)
        {
            OpenResponse? reply = null;
            refused = await Status.Of(async () => reply = await mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, headers));
            if (reply is null || opened > 10 * bound)
            {
                break;
            }

            opened++;
            var taken = new byte[SessionFrames.HandoffLength];
            SessionFrames.WriteTaken(taken, [reply.HandoffId]);
            UnixSockets.Send(socket, taken, "taken");
        }

        // Reading one descriptor off the socket makes room for exactly one more.
        Assert.Equal(12, UnixSockets.Receive(socket, buffer, out var fd, "fd"));
        fd?.Dispose();
        var afterRead = await Status.Of(() => mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, headers).ResponseAsync);
        var again = await Status.Of(() => mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, headers).ResponseAsync);

        Assert.Equal(bound, opened);
        Assert.Equal(StatusCode.ResourceExhausted, refused.Code);
        Assert.Contains("Mapd:Limits:MaxUnreadFds", refused.Message, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OK, afterRead.Code);
        Assert.Equal(StatusCode.ResourceExhausted, again.Code);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian("MAPF"u8), BinaryPrimitives.ReadUInt32LittleEndian(buffer));
    }
}
