using System.Globalization;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>Reads samples out of the Prometheus text format.</summary>
public static class PrometheusText
{
    /// <summary>Fetches <paramref name="url"/>.</summary>
    public static async Task<string> ScrapeAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(url);
    }

    /// <summary>
    /// Scrapes <paramref name="url"/> until <paramref name="done"/> holds for the text, or
    /// <paramref name="deadline"/> passes; returns the last scrape either way, for the assertion.
    /// </summary>
    public static async Task<string> ScrapeUntilAsync(Uri url, Func<string, bool> done, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        var text = await ScrapeAsync(url);
        while (!done(text) && DateTime.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            text = await ScrapeAsync(url);
        }

        return text;
    }

    /// <summary>Metric family names declared by <c># TYPE</c> lines.</summary>
    public static IReadOnlySet<string> Families(string text) =>
        text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The value of the first sample of <paramref name="name"/> whose labels include every one of
    /// <paramref name="labels"/> (each written <c>key="value"</c>); null when there is none.
    /// </summary>
    public static double? Value(string text, string name, params string[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var valueStart = line.LastIndexOf(' ');
            var labelPart = line[name.Length..valueStart];
            if (labels.All(l => labelPart.Contains(l, StringComparison.Ordinal)))
            {
                return double.Parse(line[(valueStart + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
