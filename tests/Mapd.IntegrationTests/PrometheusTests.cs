using System.Diagnostics;
using System.Text.Json;
using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>A real Prometheus server on loopback scrapes the real daemon with the shipped alert rules loaded.</summary>
public sealed class PrometheusTests
{
    [RequiresToolsFact("prometheus")]
    public async Task Prometheus_scrapes_mapd_regions_equal_to_the_regions_created()
    {
        var (daemon, metricsUrl) = await MetricsDaemon.StartAsync();
        await using var _ = daemon;
        var scratch = Directory.CreateTempSubdirectory("mapd-it-prometheus-").FullName;
        var port = TestTools.FreePort();
        var regions = new List<MappedRegion>();
        Process? prometheus = null;
        try
        {
            await using var client = await daemon.ConnectAsync();
            for (var i = 0; i < 3; i++)
            {
                regions.Add(await client.CreateAsync($"scraped-{i}", 4096));
            }

            File.Copy(Path.Join(TestEnvironment.RepositoryRoot, "deploy", "prometheus", "mapd-alerts.yml"), Path.Join(scratch, "mapd-alerts.yml"));
            File.WriteAllText(Path.Join(scratch, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [mapd-alerts.yml]
                scrape_configs:
                  - job_name: mapd
                    static_configs:
                      - targets: ["{metricsUrl.Authority}"]
                """);
            var start = new ProcessStartInfo(TestTools.Require("prometheus"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = scratch,
            };
            foreach (var argument in new[]
            {
                $"--config.file={Path.Join(scratch, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Join(scratch, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            })
            {
                start.ArgumentList.Add(argument);
            }

            prometheus = Process.Start(start)!;
            var log = new System.Text.StringBuilder();
            prometheus.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            prometheus.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            prometheus.BeginErrorReadLine();
            prometheus.BeginOutputReadLine();

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var value = await PollAsync(http, "mapd_regions", "3", log);
            Assert.Equal("3", value);
            Assert.Equal("1", await PollAsync(http, "up{job=\"mapd\"}", "1", log));

            using var rules = JsonDocument.Parse(await http.GetStringAsync("/api/v1/rules"));
            var loaded = rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray())
                .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("health").GetString());
            Assert.Equal("ok", loaded["MapdDown"]);
            Assert.Equal("ok", loaded["MapdStorageNearlyFull"]);
            Assert.Equal("ok", loaded["MapdGraceStuck"]);
        }
        finally
        {
            regions.ForEach(r => r.Dispose());
            if (prometheus is { HasExited: false })
            {
                prometheus.Kill();
                await prometheus.WaitForExitAsync();
            }

            prometheus?.Dispose();
            Directory.Delete(scratch, recursive: true);
        }
    }

    // Polls an instant query until its first sample equals expected (60 s at most); returns the last value seen.
    private static async Task<string?> PollAsync(HttpClient http, string query, string expected, System.Text.StringBuilder log)
    {
        string? value = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var answer = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}"));
                var result = answer.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    value = result[0].GetProperty("value")[1].GetString();
                    if (value == expected)
                    {
                        return value;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }

            await Task.Delay(250);
        }

        lock (log)
        {
            Assert.Fail($"{query} never became {expected} (last {value ?? "no sample"}); prometheus said:\n{log}");
        }

        return value;
    }
}
