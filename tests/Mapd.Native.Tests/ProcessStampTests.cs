using System.Diagnostics;
using System.Net.Sockets;

namespace Mapd.Native.Tests;

public sealed class ProcessStampTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly Socket _listener;
    private readonly string _path;

    public ProcessStampTests()
    {
        _path = _scratch.Join("s.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(4);
        File.SetUnixFileMode(_scratch.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_path, (UnixFileMode)0b110_110_110);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void Two_connections_of_one_process_carry_the_same_stamp()
    {
        using var one = Connect();
        using var first = _listener.Accept();
        using var two = Connect();
        using var second = _listener.Accept();

        var a = ProcessStamp.OfPeer(first.SafeHandle, Environment.ProcessId);
        var b = ProcessStamp.OfPeer(second.SafeHandle, Environment.ProcessId);

        Assert.NotNull(a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void On_a_kernel_with_pidfs_the_stamp_is_the_pidfd_inode()
    {
        using var client = Connect();
        using var accepted = _listener.Accept();

        var stamp = ProcessStamp.OfPeer(accepted.SafeHandle, Environment.ProcessId);

        // pidfs came with Linux 6.9; before it the stamp is the start time from /proc.
        var kernel = Environment.OSVersion.Version;
        Assert.Equal(kernel >= new Version(6, 9) ? ProcessStampKind.PidfsInode : ProcessStampKind.StartTime, stamp!.Value.Kind);
    }

    [RequiresToolsFact("/usr/bin/python3")]
    public async Task Another_process_has_another_stamp()
    {
        using var python = Process.Start(new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-c", $"import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect({Quote(_path)}); sys.stdin.read()" },
            RedirectStandardInput = true,
        })!;
        try
        {
            using var accepted = await _listener.AcceptAsync().WaitAsync(TimeSpan.FromMinutes(1));
            using var mine = Connect();
            using var myAccepted = _listener.Accept();

            var theirs = ProcessStamp.OfPeer(accepted.SafeHandle, python.Id);
            var ours = ProcessStamp.OfPeer(myAccepted.SafeHandle, Environment.ProcessId);

            Assert.NotNull(theirs);
            Assert.NotEqual(ours, theirs);
        }
        finally
        {
            python.Kill();
            await python.WaitForExitAsync();
        }
    }

    [Fact]
    public void The_start_time_is_field_22_of_proc_pid_stat()
    {
        var fields = File.ReadAllText("/proc/self/stat");
        var expected = ulong.Parse(fields[(fields.LastIndexOf(')') + 2)..].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ProcessStamp.StartTimeOf(Environment.ProcessId));
    }

    [Theory]
    [InlineData("42 (a) b) R 1 42 42 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 987654 1000 10", 987654UL)]
    [InlineData("42 (plain) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 5 20", 5UL)]
    public void The_command_name_may_hold_spaces_and_parentheses(string stat, ulong started)
    {
        Assert.Equal(started, ProcessStamp.ParseStartTime(stat));
    }

    [Theory]
    [InlineData("")]
    [InlineData("42 (short) R 1 2")]
    [InlineData("no parenthesis at all")]
    public void A_stat_line_without_field_22_gives_no_start_time(string stat)
    {
        Assert.Null(ProcessStamp.ParseStartTime(stat));
    }

    [Fact]
    public void A_gone_process_has_no_start_time()
    {
        using var done = Process.Start("true")!;
        done.WaitForExit();
        var pid = done.Id;

        Assert.Null(ProcessStamp.StartTimeOf(pid));
    }

    private static string Quote(string text) => "'" + text.Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_path));
        return socket;
    }
}
