using System.Buffers.Binary;
using System.Diagnostics;
using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Native;
using Mapd.Protocol.V1;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>The session socket's wire protocol, spoken by hand, and the bounds it enforces.</summary>
public sealed class SessionTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private MapdDaemon Daemon => shared.Daemon;

    [Fact]
    public async Task The_fd_message_is_on_the_socket_before_the_reply_and_unread_fds_are_bounded()
    {
        await using var mapd = await Daemon.ConnectAsync();
        var name = Status.UniqueName("raw");
        await using (await mapd.CreateAsync(name, 8192))
        {
        }

        using var socket = UnixSockets.ConnectSeqPacket(Path.Join(Daemon.SocketDirectory, "mapd-fd.sock"));
        UnixSockets.Send(socket, [.. "MAPD"u8, 1, 0], "hello");
        var welcome = new byte[64];
        Assert.Equal(22, UnixSockets.Receive(socket, welcome, out var none, "welcome"));
        Assert.Null(none);
        Assert.Equal("MAPD"u8.ToArray(), welcome[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(welcome.AsSpan(4)));
        var headers = new Metadata { { "mapd-session", Convert.ToHexStringLower(welcome, 6, 16) } };

        // The shared daemon allows 4 unread descriptors (Mapd:Limits:MaxUnreadFds).
        var replies = new List<OpenResponse>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, headers));
        }

        var (code, message) = await Status.Of(() => mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, headers).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.Contains("not taken", message, StringComparison.Ordinal);

        // Each reply's descriptor is already queued, in order, with its handoff id.
        var buffer = new byte[64];
        foreach (var reply in replies)
        {
            Assert.Equal(12, UnixSockets.Receive(socket, buffer, out var fd, "fd"));
            using (fd)
            {
                Assert.NotNull(fd);
                Assert.Equal("MAPF"u8.ToArray(), buffer[..4]);
                Assert.Equal(reply.HandoffId, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(4)));
                Assert.Equal(8192, Files.Stat(fd, "received").Size);
            }
        }

        // TAKEN for one of them frees a slot.
        var taken = new byte[12];
        "MAPT"u8.CopyTo(taken);
        BinaryPrimitives.WriteUInt64LittleEndian(taken.AsSpan(4), replies[0].HandoffId);
        UnixSockets.Send(socket, taken, "taken");
        await Eventually(async () => (await Status.Of(() => mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, headers).ResponseAsync)).Code == StatusCode.OK);
    }

    [Fact]
    public async Task A_close_on_the_session_socket_closes_and_one_overtaken_by_a_newer_open_does_not()
    {
        await using var mapd = await Daemon.ConnectAsync();
        var name = Status.UniqueName("close");
        var barrier = Status.UniqueName("barrier");
        foreach (var region in (string[])[name, barrier])
        {
            await using (await mapd.CreateAsync(region, 8192))
            {
            }
        }

        using var socket = UnixSockets.ConnectSeqPacket(Path.Join(Daemon.SocketDirectory, "mapd-fd.sock"));
        UnixSockets.Send(socket, [.. "MAPD"u8, 1, 0], "hello");
        var buffer = new byte[64];
        UnixSockets.Receive(socket, buffer, out _, "welcome");
        var headers = new Metadata { { "mapd-session", Convert.ToHexStringLower(buffer, 6, 16) } };
        var first = await OpenAndTakeAsync(name);
        var second = await OpenAndTakeAsync(name);
        var barrierOpen = await OpenAndTakeAsync(barrier);

        // A CLOSE naming the first open arrives after the second open: it is stale. The daemon
        // reads a session's frames in order, so once the barrier's CLOSE took effect, so did it.
        SendClose(first, name);
        SendClose(first, "never-opened");
        SendClose(barrierOpen, barrier);
        await Eventually(async () => (await mapd.GetAsync(barrier)).Mappers == 0);
        var afterStale = (await mapd.GetAsync(name)).Mappers;
        SendClose(second, name);
        await Eventually(async () => (await mapd.GetAsync(name)).Mappers == 0);

        Assert.Equal(1, afterStale);
        Assert.True(second > first);

        async Task<ulong> OpenAndTakeAsync(string region)
        {
            var reply = await mapd.Grpc.OpenAsync(new OpenRequest { Name = region, Access = Access.ReadOnly }, headers);
            UnixSockets.Receive(socket, buffer, out var fd, "fd");
            fd?.Dispose();
            var taken = new byte[SessionFrames.HandoffLength];
            UnixSockets.Send(socket, taken.AsSpan(0, SessionFrames.WriteTaken(taken, [reply.HandoffId])), "taken");
            return reply.HandoffId;
        }

        void SendClose(ulong handoffId, string region)
        {
            var close = new byte[SessionFrames.MaxCloseLength];
            UnixSockets.Send(socket, close.AsSpan(0, SessionFrames.WriteClose(close, handoffId, region)), "close");
        }
    }

    [Fact]
    public async Task A_session_that_does_not_say_hello_gets_no_welcome()
    {
        using var socket = UnixSockets.ConnectSeqPacket(Path.Join(Daemon.SocketDirectory, "mapd-fd.sock"));
        UnixSockets.Send(socket, "HELO!!"u8, "bad hello");
        var buffer = new byte[64];
        var received = await Task.Run(() => UnixSockets.Receive(socket, buffer, out _, "welcome"));
        Assert.Equal(0, received);
    }

    [Fact]
    public async Task A_region_deleted_while_mapped_keeps_its_capacity_until_the_last_mapper_dies()
    {
        await using var mapd = await Daemon.ConnectAsync();
        var filler = Status.UniqueName("filler");
        await using (await mapd.CreateAsync(filler, 100 << 20))
        {
        }

        var held = Status.UniqueName("held");
        Assert.StartsWith("ok", await ClientProcess.RunAsync(Daemon, null, "create-write", held, (100 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), "9"));
        await using var holder = ClientProcess.Start(Daemon, null, "hold", held, "9");
        Assert.StartsWith("ok verified", await holder.ReadLineAsync());

        await mapd.DeleteAsync(held);
        Assert.Equal(StatusCode.NotFound, (await Status.Of(() => mapd.GetAsync(held))).Code);

        // Still mapped: its bytes still count, so a third 100M region does not fit in 256M.
        var next = Status.UniqueName("next");
        Assert.Equal(StatusCode.ResourceExhausted, (await Status.Of(() => mapd.CreateAsync(next, 100 << 20))).Code);

        // The holder still reads its bytes after the delete.
        await holder.WriteLineAsync("check");
        Assert.StartsWith("ok verified", await holder.ReadLineAsync());

        holder.Kill();
        await Eventually(async () => (await Status.Of(async () => { await using var r = await mapd.CreateAsync(next, 100 << 20); })).Code == StatusCode.OK);
        await mapd.DeleteAsync(next);
        await mapd.DeleteAsync(filler);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after a minute (enough for a loaded machine) with <paramref name="why"/>.</summary>
    internal static async Task Eventually(Func<Task<bool>> condition, Func<string>? why = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail(why?.Invoke() ?? "condition did not hold within 60 s");
            }

            await Task.Delay(50);
        }
    }
}
