using System.Globalization;

namespace Mapd.Native.Tests;

public sealed class FileEventsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ScratchDirectory _scratch = new("mapd-native-test-");
    private readonly DirectoryHandle _directory;
    private readonly FileEvents _events = FileEvents.Create();

    public FileEventsTests() => _directory = _scratch.Open();

    public void Dispose()
    {
        _events.Dispose();
        _directory.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void A_truncate_and_a_fallocate_of_a_file_in_a_watched_directory_are_reported_by_name()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);
        var watch = _events.Watch(_scratch.Path, FileEvents.Modified);

        Files.Truncate(fd, 1 << 20, "f");
        var truncated = Next(e => e.Name == "f");
        Files.PunchHole(fd, 0, 4096, "f");
        var punched = Next(e => e.Name == "f");

        Assert.Equal(watch, truncated.Watch);
        Assert.NotEqual(0u, truncated.Mask & FileEvents.Modified);
        Assert.NotEqual(0u, punched.Mask & FileEvents.Modified);
    }

    [Fact]
    public void An_unlinked_file_is_followed_through_its_descriptor_until_its_last_holder_closes_it()
    {
        var held = _directory.CreateFile("gone", 0b110_000_000);
        var other = _directory.OpenFile("gone", writable: true);
        var watch = _events.Watch($"/proc/self/fd/{held.Value.ToString(CultureInfo.InvariantCulture)}", FileEvents.Modified | FileEvents.DeletedSelf);
        _directory.Unlink("gone");

        Files.Truncate(other, 8192, "gone");
        var modified = Next(e => e.Watch == watch && (e.Mask & FileEvents.Modified) != 0);
        held.Dispose();
        other.Dispose();
        var deleted = Next(e => e.Watch == watch && (e.Mask & FileEvents.DeletedSelf) != 0);

        Assert.Null(modified.Name);
        Assert.Null(deleted.Name);
    }

    [Fact]
    public void Without_events_a_read_returns_empty_after_its_timeout()
    {
        _events.Watch(_scratch.Path, FileEvents.Modified);

        Assert.Empty(_events.Read(new byte[4096], TimeSpan.FromMilliseconds(1)));
    }

    private FileEvent Next(Func<FileEvent, bool> match)
    {
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var e in _events.Read(buffer, TimeSpan.FromSeconds(1)))
            {
                if (match(e))
                {
                    return e;
                }
            }
        }

        throw new TimeoutException("no matching inotify event");
    }
}
