using System.Text.Json;
using System.Text.RegularExpressions;
using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// The files operators install: systemd units (systemd-analyze verify, sysusers/tmpfiles on a
/// scratch root), Prometheus rules and config (promtool), the Grafana dashboard, the
/// Dockerfile and the Kubernetes manifests, checked against each other and the daemon.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = TestEnvironment.RepositoryRoot;
    private static readonly string Systemd = Path.Join(Root, "deploy", "systemd");
    private static readonly string Prometheus = Path.Join(Root, "deploy", "prometheus");

    [RequiresToolsFact("systemd-analyze")]
    public async Task Units_pass_systemd_analyze_verify()
    {
        // verify insists that ExecStart= exists, so a copy points it at the daemon just built.
        var scratch = Directory.CreateTempSubdirectory("mapd-it-units-").FullName;
        try
        {
            var apphost = Path.Join(Path.GetDirectoryName(TestEnvironment.DaemonDll), "mapd");
            Assert.True(File.Exists(apphost), $"{apphost} is missing");
            File.WriteAllText(
                Path.Join(scratch, "mapd.service"),
                ExecStart().Replace(File.ReadAllText(Path.Join(Root, "mapd.service")), $"ExecStart={apphost}"));
            File.Copy(Path.Join(Systemd, "mapd.socket"), Path.Join(scratch, "mapd.socket"));
            File.Copy(Path.Join(Systemd, "run-mapd-storage.mount"), Path.Join(scratch, "run-mapd-storage.mount"));

            var (exit, output) = await TestTools.RunAsync(
                TestTools.Require("systemd-analyze"),
                ["verify", "--man=no", .. new[] { "mapd.service", "mapd.socket", "run-mapd-storage.mount" }.Select(u => Path.Join(scratch, u))]);
            Assert.True(exit == 0 && output.Trim().Length == 0, $"systemd-analyze verify exited {exit}:\n{output}");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void Units_agree_with_each_other_and_with_the_contract()
    {
        var service = UnitFile.Read(Path.Join(Root, "mapd.service"));
        var socket = UnitFile.Read(Path.Join(Systemd, "mapd.socket"));
        var mount = UnitFile.Read(Path.Join(Systemd, "run-mapd-storage.mount"));

        Assert.Equal("notify", service.Get("Service", "Type"));
        Assert.Equal("mapd", service.Get("Service", "User"));
        Assert.Equal("mapd", service.Get("Service", "RuntimeDirectory"));
        Assert.Equal("on-failure", service.Get("Service", "Restart"));
        Assert.NotNull(service.Get("Service", "LimitNOFILE"));
        foreach (var (key, value) in new[] { ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("CapabilityBoundingSet", string.Empty) })
        {
            Assert.Equal(value, service.Get("Service", key));
        }

        // A restart cannot cure a bad setting (78), unusable storage (73) or a bad command line (64).
        Assert.Equal(["64", "73", "78"], service.Get("Service", "RestartPreventExitStatus")!.Split(' ').Order());
        Assert.Equal("@system-service", service.All("Service", "SystemCallFilter")[0]);
        Assert.Equal("any", service.Get("Service", "IPAddressDeny"));
        Assert.Equal("localhost", service.Get("Service", "IPAddressAllow"));

        var environment = service.Environment();
        Assert.All(environment.Keys.Where(k => k.StartsWith("Mapd__", StringComparison.Ordinal)), k => Assert.Contains(k, KnownSettings.EnvironmentVariables));
        var sockets = environment["Mapd__SocketDirectory"];
        var storage = environment["Mapd__Storage__Path"];
        Assert.Contains(sockets, service.Get("Service", "ReadWritePaths")!.Split(' '));
        Assert.Equal(storage, service.Get("Unit", "RequiresMountsFor"));

        Assert.Equal(Path.Join(sockets, "mapd.sock"), socket.Get("Socket", "ListenStream"));
        Assert.Equal(Path.Join(sockets, "mapd-fd.sock"), socket.Get("Socket", "ListenSequentialPacket"));
        Assert.Equal("0660", socket.Get("Socket", "SocketMode"));

        Assert.Equal(storage, mount.Get("Mount", "Where"));
        Assert.Equal("tmpfs", mount.Get("Mount", "Type"));
        var options = mount.Get("Mount", "Options")!.Split(',');
        // uid=/gid=, not X-mount.owner=, which Debian 12's mount(8) ignores (the system tests
        // check the mounted result in a guest).
        foreach (var option in new[] { "huge=within_size", "nosuid", "nodev", "noexec", "mode=0700", "uid=mapd", "gid=mapd" })
        {
            Assert.Contains(option, options);
        }

        Assert.Contains($"size={environment["Mapd__Storage__Size"]}", options);
    }

    [RequiresToolsFact("systemd-sysusers", "systemd-tmpfiles")]
    public async Task Sysusers_and_tmpfiles_entries_create_the_user_and_directories()
    {
        var scratch = Directory.CreateTempSubdirectory("mapd-it-root-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Join(scratch, "etc"));
            var (exit, output) = await TestTools.RunAsync(TestTools.Require("systemd-sysusers"), [$"--root={scratch}", Path.Join(Systemd, "mapd.sysusers.conf")]);
            Assert.True(exit == 0, output);
            var passwd = File.ReadAllLines(Path.Join(scratch, "etc", "passwd"));
            Assert.Single(passwd, l => l.StartsWith("mapd:", StringComparison.Ordinal) && l.EndsWith(":/usr/sbin/nologin", StringComparison.Ordinal));

            (exit, output) = await TestTools.RunAsync(TestTools.Require("systemd-tmpfiles"), [$"--root={scratch}", "--create", Path.Join(Systemd, "mapd.tmpfiles.conf")]);
            Assert.True(exit == 0, output);
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Join(scratch, "run", "mapd")));
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.Join(scratch, "run", "mapd", "storage")));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [RequiresToolsFact("promtool")]
    public async Task Alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        var promtool = TestTools.Require("promtool");
        var (exit, output) = await TestTools.RunAsync(promtool, ["check", "rules", Path.Join(Prometheus, "mapd-alerts.yml")]);
        Assert.True(exit == 0, output);

        (exit, output) = await TestTools.RunAsync(promtool, ["test", "rules", Path.Join(Prometheus, "mapd-alerts.test.yml")]);
        Assert.True(exit == 0, output);

        var rules = File.ReadAllText(Path.Join(Prometheus, "mapd-alerts.yml"));
        foreach (var alert in new[] { "MapdDown", "MapdStorageNearlyFull", "MapdGraceStuck" })
        {
            Assert.Contains($"alert: {alert}", rules, StringComparison.Ordinal);
        }
    }

    [RequiresToolsFact("promtool")]
    public async Task Scrape_config_passes_promtool_check_config()
    {
        var (exit, output) = await TestTools.RunAsync(TestTools.Require("promtool"), ["check", "config", Path.Join(Prometheus, "prometheus.yml")]);
        Assert.True(exit == 0, output);
        Assert.Contains("127.0.0.1:9464", File.ReadAllText(Path.Join(Prometheus, "prometheus.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_and_alerts_query_only_metrics_the_daemon_exports()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:Metrics:PerRegion"] = "true" });
        string text;
        await using (daemon)
        await using (var client = await daemon.ConnectAsync())
        using (await client.CreateAsync("dashboard", 4096))
        {
            // Histograms appear with their first observation: a grow, and a shrink with a grace period.
            await Status.Of(() => client.OpenAsync("dashboard-missing"));

            // Counters appear with their first increment: an open granted on the session socket.
            using (await client.OpenAsync("dashboard", RegionAccess.ReadOnly))
            {
            }

            await client.ResizeAsync("dashboard", 8192);
            await client.ResizeAsync("dashboard", 4096);
            text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
            for (var i = 0; i < 100 && !text.Contains("mapd_grace_duration_seconds_count", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
                text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
            }
        }

        var exported = PrometheusText.Families(text);
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Join(Root, "deploy", "grafana", "mapd.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Append(File.ReadAllText(Path.Join(Prometheus, "mapd-alerts.yml")))
            .ToList();
        Assert.True(expressions.Count > 10);

        var used = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("mapd_regions", used);
        Assert.Contains("mapd_quota_refusals_total", used);
        Assert.Contains("mapd_descriptor_exhausted_total", used);
        Assert.Contains("mapd_session_opens_total", used);
        Assert.All(used, name => Assert.True(
            exported.Contains(name) || exported.Contains(HistogramSuffix().Replace(name, string.Empty)),
            $"{name} is queried but the daemon does not export it"));
    }

    [Fact]
    public void Dockerfile_builds_from_paths_that_exist_and_runs_unprivileged()
    {
        var lines = File.ReadAllLines(Path.Join(Root, "Dockerfile"));
        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "multi-stage");
        // The bases are build arguments (the system tests build from local ones) that default to the official images.
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0", lines);
        Assert.Contains("ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0", lines);
        Assert.Contains("FROM ${SDK_IMAGE} AS build", lines);
        Assert.Contains("FROM ${RUNTIME_IMAGE} AS runtime", lines);

        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[1..^1])
            {
                Assert.True(File.Exists(Path.Join(Root, source)) || Directory.Exists(Path.Join(Root, source)), $"{copy}: {source} does not exist");
            }
        }

        var user = Assert.Single(lines, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.EndsWith("CMD [\"mapd\", \"healthcheck\"]", StringComparison.Ordinal));
        var volume = Assert.Single(lines, l => l.StartsWith("VOLUME ", StringComparison.Ordinal));
        Assert.Contains("\"/run/mapd\"", volume, StringComparison.Ordinal);

        var text = string.Join('\n', lines);
        var settings = DockerEnv().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("Mapd__Storage__Path", settings);
        Assert.All(settings, s => Assert.Contains(s, KnownSettings.EnvironmentVariables));

        // The restore layer copies each project file; a project added to src/ must be listed too.
        var dockerignore = File.ReadAllText(Path.Join(Root, ".dockerignore"));
        Assert.Contains("**/bin/", dockerignore, StringComparison.Ordinal);
    }

    [RequiresToolsFact("py:yaml")]
    public async Task Kubernetes_manifests_agree_with_the_image_and_the_daemon()
    {
        var documents = await YamlAsync(Path.Join(Root, "deploy", "k8s", "mapd.yaml"));
        var daemonSet = documents.Single(d => d.GetProperty("kind").GetString() == "DaemonSet");
        var pod = daemonSet.GetProperty("spec").GetProperty("template").GetProperty("spec");
        var mapd = pod.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "mapd");
        var env = mapd.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("value").GetString()!);
        Assert.All(env.Keys, k => Assert.Contains(k, KnownSettings.EnvironmentVariables));

        var volumes = pod.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        var mounts = mapd.GetProperty("volumeMounts").EnumerateArray().ToDictionary(m => m.GetProperty("mountPath").GetString()!, m => m.GetProperty("name").GetString()!);
        var socketVolume = volumes[mounts[env["Mapd__SocketDirectory"]]];
        Assert.Equal("/run/mapd", socketVolume.GetProperty("hostPath").GetProperty("path").GetString());
        var storageVolume = volumes[mounts[Path.GetDirectoryName(env["Mapd__Storage__Path"])!]];
        Assert.Equal("Memory", storageVolume.GetProperty("emptyDir").GetProperty("medium").GetString());

        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal(["mapd", "healthcheck"], mapd.GetProperty(probe).GetProperty("exec").GetProperty("command").EnumerateArray().Select(c => c.GetString()));
        }

        Assert.True(pod.GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        var dockerUid = DockerUid().Match(File.ReadAllText(Path.Join(Root, "Dockerfile"))).Groups[1].Value;
        Assert.Equal(dockerUid, pod.GetProperty("securityContext").GetProperty("runAsUser").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var container = mapd.GetProperty("securityContext");
        Assert.False(container.GetProperty("allowPrivilegeEscalation").GetBoolean());
        Assert.True(container.GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.Equal(["ALL"], container.GetProperty("capabilities").GetProperty("drop").EnumerateArray().Select(c => c.GetString()));

        var client = (await YamlAsync(Path.Join(Root, "deploy", "k8s", "client-pod.yaml"))).Single();
        Assert.Contains(int.Parse(dockerUid, System.Globalization.CultureInfo.InvariantCulture), client.GetProperty("spec").GetProperty("securityContext").GetProperty("supplementalGroups").EnumerateArray().Select(g => g.GetInt32()));
    }

    private static async Task<List<JsonElement>> YamlAsync(string path)
    {
        var (exit, output) = await TestTools.RunAsync(
            TestTools.DebianPython,
            ["-c", "import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))", path]);
        Assert.True(exit == 0, output);
        return [.. JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [GeneratedRegex(@"^ExecStart=.*$", RegexOptions.Multiline)]
    private static partial Regex ExecStart();

    [GeneratedRegex(@"\b(?:mapd|process|dotnet|http_server|kestrel|aspnetcore)_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"_(?:bucket|count|sum)$")]
    private static partial Regex HistogramSuffix();

    [GeneratedRegex(@"\b(Mapd__[A-Za-z_]+)=")]
    private static partial Regex DockerEnv();

    [GeneratedRegex(@"ARG MAPD_UID=(\d+)")]
    private static partial Regex DockerUid();
}
