using Mapd.Client.Internal.Sessions;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Sessions;

public sealed class SessionConnectionTests : IDisposable
{
    private readonly SeqPacketDaemon _daemon = new();
    private readonly ScratchFile _file = new(4096);

    public void Dispose()
    {
        _daemon.Dispose();
        _file.Dispose();
    }

    [Fact]
    public async Task A_descriptor_handed_over_reaches_the_call_waiting_for_it_and_nothing_answers_it()
    {
        using var session = await ConnectAsync();

        var taking = session.TakeAsync(5, CancellationToken.None);
        _daemon.Hand(5, _file.Descriptor);
        using var descriptor = await taking.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(session.TrySendClose(5, "region", wait: true));
        var next = await _daemon.NextFrameAsync();

        // The daemon counts unread descriptors in the kernel's queue: no TAKEN comes before the CLOSE.
        Assert.True(SessionFrames.TryReadClose(next, out var closed, out var name));
        Assert.Equal((5UL, "region"), (closed, name));
        Assert.Equal(Native.Files.Stat(_file.Descriptor, "region").Inode, Native.Files.Stat(descriptor, "region").Inode);
    }

    [Fact]
    public async Task An_open_asked_on_the_socket_gets_the_answer_with_that_request_id_and_its_descriptor()
    {
        using var session = await ConnectAsync();

        var first = session.TryOpen("a", Access.ReadOnly);
        var second = session.TryOpen("b", Access.ReadWrite);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.True(SessionOpenFrames.TryReadOpen(await _daemon.NextFrameAsync(), out var firstId, out var firstAccess, out var firstName));
        Assert.True(SessionOpenFrames.TryReadOpen(await _daemon.NextFrameAsync(), out var secondId, out _, out var secondName));
        var message = new byte[SessionFrames.MaxLength];

        // Answered out of order: each answer reaches the open that asked.
        _daemon.Send(message.AsSpan(0, SessionOpenFrames.WriteFailed(message, secondId, (uint)Grpc.Core.StatusCode.NotFound, "region 'b' does not exist")));
        _daemon.Send(message.AsSpan(0, SessionOpenFrames.WriteOpened(message, firstId, 77, Access.ReadOnly, new Region { Name = "a", Size = 4096 })), _file.Descriptor);
        var opened = await first!.WaitAsync(TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<MapdException>(() => second!.WaitAsync(TimeSpan.FromSeconds(30)));

        using (opened.Descriptor)
        {
            Assert.Equal(("a", Access.ReadOnly, "b"), (firstName, firstAccess, secondName));
            Assert.Equal(77UL, opened.Response.HandoffId);
            Assert.Equal("a", opened.Response.Region.Name);
            Assert.Equal(Native.Files.Stat(_file.Descriptor, "region").Inode, Native.Files.Stat(opened.Descriptor, "region").Inode);
            Assert.Equal(Grpc.Core.StatusCode.NotFound, refused.Code);
            Assert.Equal("region 'b' does not exist", refused.Message);
        }
    }

    [Fact]
    public async Task An_open_the_session_ended_under_fails_with_an_IOException()
    {
        using var session = await ConnectAsync();

        var opening = session.TryOpen("a", Access.ReadOnly);
        await _daemon.NextFrameAsync();
        _daemon.Leave();

        await Assert.ThrowsAsync<IOException>(() => opening!.WaitAsync(TimeSpan.FromSeconds(30)));
        await session.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<IOException>(() => session.TryOpen("b", Access.ReadOnly)!.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_answer_nobody_asked_for_has_its_descriptor_closed()
    {
        using var session = await ConnectAsync();
        var before = OpenCopies();
        var message = new byte[SessionFrames.MaxLength];

        _daemon.Send(message.AsSpan(0, SessionOpenFrames.WriteOpened(message, 12345, 1, Access.ReadOnly, new Region { Name = "a" })), _file.Descriptor);
        await _daemon.WaitUntilReadAsync();
        Assert.Equal(before, await WaitForOpenCopiesAsync(before));
        Assert.False(session.IsClosed);
    }

    [Fact]
    public async Task Disposing_after_the_daemon_went_away_is_clean_from_any_thread_and_more_than_once()
    {
        var session = await ConnectAsync();

        _daemon.Leave();
        await session.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        var disposals = Enumerable.Range(0, 4).Select(_ => Task.Run(session.Dispose)).ToArray();
        await Task.WhenAll(disposals).WaitAsync(TimeSpan.FromSeconds(30));
        session.Dispose();

        Assert.True(session.IsClosed);
        await Assert.ThrowsAsync<IOException>(() => session.TakeAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task A_descriptor_whose_open_was_cancelled_is_closed_when_it_arrives()
    {
        using var session = await ConnectAsync();
        using var cancel = new CancellationTokenSource();
        var taking = session.TakeAsync(9, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => taking);
        var before = OpenCopies();

        _daemon.Hand(9, _file.Descriptor);
        await _daemon.WaitUntilReadAsync();

        // The receiver closes it as soon as it read it.
        Assert.Equal(before, await WaitForOpenCopiesAsync(before));
    }

    [Fact]
    public async Task A_daemon_that_takes_the_connection_but_never_answers_HELLO_fails_the_connect_at_its_deadline()
    {
        var e = await Assert.ThrowsAsync<IOException>(() => Task.Run(() => SessionConnection.Connect(_daemon.Path, TimeSpan.FromMilliseconds(200), CancellationToken.None)));

        Assert.Contains("did not answer HELLO within 0.2 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connect_waiting_for_WELCOME_ends_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var connecting = Task.Run(() => SessionConnection.Connect(_daemon.Path, TimeSpan.FromMinutes(5), cancel.Token));
        await _daemon.AcceptAsync();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private async Task<SessionConnection> ConnectAsync()
    {
        var welcome = _daemon.WelcomeAsync();
        var session = await Task.Run(() => SessionConnection.Connect(_daemon.Path, TimeSpan.FromMinutes(1), CancellationToken.None));
        await welcome;
        return session;
    }

    /// <summary>How many descriptors of this process refer to the scratch file.</summary>
    /// <summary>The copies of the file open here, once they are down to <paramref name="expected"/> or 30 s passed.</summary>
    private async Task<int> WaitForOpenCopiesAsync(int expected)
    {
        var copies = OpenCopies();
        for (var i = 0; copies > expected && i < 3000; i++)
        {
            await Task.Delay(10);
            copies = OpenCopies();
        }

        return copies;
    }

    private int OpenCopies() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
    {
        try
        {
            return new FileInfo(fd).LinkTarget == _file.FilePath;
        }
        catch (IOException)
        {
            return false;
        }
    });
}
