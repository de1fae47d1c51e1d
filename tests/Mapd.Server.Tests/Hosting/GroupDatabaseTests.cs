using Mapd.Server.Hosting;

namespace Mapd.Server.Tests.Hosting;

public sealed class GroupDatabaseTests : IDisposable
{
    private readonly string _path = Path.Join(Path.GetTempPath(), $"mapd-group-test-{Guid.NewGuid():N}");

    public GroupDatabaseTests() => File.WriteAllLines(_path,
    [
        "root:x:0:",
        "wheel:x:10:alice,bob",
        "mapd:x:990:",
        "mapd-users:x:991:carol",
        "broken line",
        "badgid:x:notanumber:",
        "negative:x:-5:",
        "mapd:x:12345:",
    ]);

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("root", 0u)]
    [InlineData("wheel", 10u)]
    [InlineData("mapd", 990u)]
    [InlineData("mapd-users", 991u)]
    public void FindGid_finds_a_group_by_name(string group, uint gid)
    {
        Assert.Equal(gid, GroupDatabase.FindGid(group, _path));
    }

    [Fact]
    public void FindGid_takes_the_first_entry_of_a_name()
    {
        Assert.Equal(990u, GroupDatabase.FindGid("mapd", _path));
    }

    [Theory]
    [InlineData("nobody-here")]
    [InlineData("map")]
    [InlineData("MAPD")]
    [InlineData("broken line")]
    [InlineData("badgid")]
    [InlineData("negative")]
    [InlineData("x")]
    public void FindGid_returns_null_for_unknown_names_and_unusable_entries(string group)
    {
        Assert.Null(GroupDatabase.FindGid(group, _path));
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("4242", 4242u)]
    [InlineData("4294967295", uint.MaxValue)]
    public void FindGid_takes_a_number_as_the_gid_itself(string group, uint gid)
    {
        Assert.Equal(gid, GroupDatabase.FindGid(group, "/nonexistent/group"));
    }

    [Fact]
    public void FindGid_does_not_take_a_number_out_of_range_as_a_gid()
    {
        Assert.Null(GroupDatabase.FindGid("4294967296", _path));
        Assert.Null(GroupDatabase.FindGid("-1", _path));
    }

    [Fact]
    public void FindGid_without_a_group_file_returns_null_for_a_name()
    {
        Assert.Null(GroupDatabase.FindGid("wheel", "/nonexistent/group"));
    }
}
