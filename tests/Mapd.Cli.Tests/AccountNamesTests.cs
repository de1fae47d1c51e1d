namespace Mapd.Cli.Tests;

public class AccountNamesTests
{
    [Fact]
    public void Ids_resolve_to_names_and_unknown_ids_to_numbers()
    {
        var accounts = Regions.Accounts();

        Assert.Equal("root", accounts.User(0));
        Assert.Equal("alice", accounts.User(1000));
        Assert.Equal("1001", accounts.User(1001));
        Assert.Equal("staff", accounts.Group(1001));
        Assert.Equal("4294967295", accounts.Group(uint.MaxValue));
    }

    [Fact]
    public void The_first_name_for_an_id_wins_and_junk_lines_are_skipped()
    {
        var accounts = new AccountNames(
            passwd: "toor:x:0:0::/:/bin/sh\r\nroot:x:0:0::/root:/bin/sh\n:x:5:5::/:\nbad:x:-1:0::/:\nnoid:x::0::/:\n",
            group: "");

        Assert.Equal("toor", accounts.User(0));
        Assert.Equal("5", accounts.User(5));
        Assert.Equal("0", accounts.Group(0));
    }

    [Fact]
    public void This_machine_knows_root()
    {
        Assert.Equal("root", AccountNames.Load().User(0));
    }
}
