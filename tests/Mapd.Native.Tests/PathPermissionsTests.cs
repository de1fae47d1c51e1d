namespace Mapd.Native.Tests;

public sealed class PathPermissionsTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Chmod_sets_the_mode_of_a_path()
    {
        var path = _scratch.Join("sock");
        File.WriteAllText(path, "");

        PathPermissions.Chmod(path, 0b110_110_000);

        using var directory = _scratch.Open();
        Assert.Equal(0b110_110_000u, directory.TryStat("sock")!.Value.Permissions);
    }

    [Fact]
    public void ChangeGroup_sets_only_the_group()
    {
        var path = _scratch.Join("sock");
        File.WriteAllText(path, "");
        // Root may give any group; anyone else may give their own.
        var gid = ProcessIdentity.Uid == 0 ? 4242u : ProcessIdentity.Gid;

        PathPermissions.ChangeGroup(path, gid);

        using var directory = _scratch.Open();
        var status = directory.TryStat("sock")!.Value;
        Assert.Equal(gid, status.Gid);
        Assert.Equal(ProcessIdentity.Uid, status.Uid);
    }

    [Fact]
    public void Chmod_of_a_missing_path_names_it()
    {
        var path = _scratch.Join("missing");

        var error = Assert.Throws<SystemCallException>(() => PathPermissions.Chmod(path, 0b110_000_000));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Equal(path, error.Target);
    }
}
