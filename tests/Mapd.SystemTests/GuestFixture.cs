using System.Diagnostics;
using Mapd.SystemTests.Infrastructure;

namespace Mapd.SystemTests;

/// <summary>
/// One Debian 12 guest for every guest test (booting is the slow part): the cached root, the
/// .deb built from this checkout, installed with apt exactly as docs/operations.md says, and two
/// users, <c>alice</c> in group <c>mapd</c> and <c>bob</c> outside it.
/// </summary>
public sealed class GuestFixture : IAsyncLifetime
{
    /// <summary>Where the guest sees the host's directory of the .deb.</summary>
    public const string PackageDirectory = "/opt/mapd-test/deb";

    /// <summary>Where the guest sees the test client's build output.</summary>
    public const string ClientDirectory = "/opt/mapd-test/client";

    private Guest? _guest;

    /// <summary>The booted guest.</summary>
    public Guest Guest => _guest ?? throw new InvalidOperationException("the guest did not boot");

    /// <summary>The package's version.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>The package's file name.</summary>
    public string PackageFile { get; private set; } = string.Empty;

    /// <summary>What <c>apt-get install ./mapd_*.deb</c> said.</summary>
    public CommandResult? Install { get; private set; }

    /// <summary>Facts read right after the install, before any test touched the guest.</summary>
    public IReadOnlyDictionary<string, string> AfterInstall { get; private set; } = new Dictionary<string, string>();

    /// <summary>How long each preparation step took, for the record.</summary>
    public IReadOnlyList<(string Step, TimeSpan Took)> Timings => _timings;

    private readonly List<(string Step, TimeSpan Took)> _timings = [];

    private string DotnetRoot { get; } = Path.GetDirectoryName(File.ResolveLinkTarget(TestEnvironment.DotnetHost, returnFinalTarget: true)?.FullName ?? TestEnvironment.DotnetHost)!;

    /// <summary>Runs the test client as <paramref name="user"/> in the guest against the system daemon.</summary>
    public Task<CommandResult> ClientAsync(string user, params string[] arguments) =>
        Guest.RunAsAsync(user, [Path.Join(DotnetRoot, "dotnet"), Path.Join(ClientDirectory, "Mapd.TestClient.dll"), "/run/mapd", .. arguments]);

    /// <summary>Starts the test client as <paramref name="user"/> and leaves it running.</summary>
    public Process StartClient(string user, params string[] arguments) =>
        Guest.StartAs(user, [Path.Join(DotnetRoot, "dotnet"), Path.Join(ClientDirectory, "Mapd.TestClient.dll"), "/run/mapd", .. arguments]);

    /// <summary>Installs the package as docs/operations.md says: <c>apt install ./mapd_*.deb</c> (apt-get, for a script).</summary>
    public Task<CommandResult> InstallAsync(params string[] options) =>
        Guest.RunAsync(["sh", "-c", $"cd {PackageDirectory} && apt-get install -y {string.Join(' ', options)} ./{PackageFile}"], TimeSpan.FromMinutes(5));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (RequiresSystemFactAttribute.SkipReason(SystemNeed.Guest) is not null)
        {
            return;
        }

        var root = await Timed("debian root (cached after the first run)", DebianRoot.EnsureAsync);
        var deb = await Timed("deploy/debian/build.sh", DebianPackage.PathAsync);
        Version = DebianPackage.VersionOf(deb);
        PackageFile = Path.GetFileName(deb);

        _guest = await Timed("guest boot", () => Guest.BootAsync(root, [
            (Path.GetDirectoryName(deb)!, PackageDirectory),
            (Path.GetDirectoryName(TestEnvironment.TestClientDll)!, ClientDirectory),
            (DotnetRoot, DotnetRoot),
        ]));
        _timings.Add(("  of which systemd to running", Guest.BootTime));

        Install = await Timed("apt-get install ./" + PackageFile, () => InstallAsync());
        AfterInstall = new Dictionary<string, string>
        {
            ["socket enabled"] = (await Guest.RunAsync("systemctl", "is-enabled", "mapd.socket")).Output.Trim(),
            ["socket active"] = (await Guest.RunAsync("systemctl", "is-active", "mapd.socket")).Output.Trim(),
            ["service active"] = (await Guest.RunAsync("systemctl", "is-active", "mapd.service")).Output.Trim(),
            ["passwd"] = (await Guest.RunAsync("getent", "passwd", "mapd")).Output.Trim(),
            ["sockets"] = (await Guest.RunAsync("stat", "-c", "%n %F %a %U %G", "/run/mapd/mapd.sock", "/run/mapd/mapd-fd.sock")).Output.Trim(),
        };

        (await Guest.RunAsync("useradd", "--create-home", "--groups", "mapd", "alice")).EnsureSuccess();
        (await Guest.RunAsync("useradd", "--create-home", "bob")).EnsureSuccess();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_guest is not null)
        {
            await _guest.DisposeAsync();
        }
    }

    private async Task<T> Timed<T>(string step, Func<Task<T>> action)
    {
        var clock = Stopwatch.StartNew();
        var result = await action();
        _timings.Add((step, clock.Elapsed));
        return result;
    }
}
