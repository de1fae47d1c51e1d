namespace Mapd.Fuzz.Tests;

/// <summary>
/// What fuzzing found interesting, run again on every build without a fuzzer: each committed
/// input and seed of each target passes, and so do a few thousand random mutations of them.
/// </summary>
public sealed class CorpusReplayTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_committed_input_runs_without_a_finding(string name)
    {
        var corpus = Corpus.Committed(name);
        Assert.True(corpus.Count >= 5, $"fuzz/corpus/{name} holds {corpus.Count} inputs; rebuild it with fuzz/run.sh {name} --update-corpus");
        using var targets = new FuzzTargets();
        var target = targets.Get(name);

        var findings = Corpus.All(name).Select(input => Run(target, input.Name, input.Bytes)).OfType<string>().ToList();

        Assert.True(findings.Count == 0, string.Join("\n\n", findings));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Random_mutations_of_the_corpus_run_without_a_finding(string name)
    {
        // A fixed seed: a failure here reproduces; fuzz/run.sh explores for real.
        var random = new Random(9);
        var corpus = Corpus.All(name);
        using var targets = new FuzzTargets();
        var target = targets.Get(name);

        var findings = Enumerable.Range(0, 3000)
            .Select(i => (Index: i, Bytes: Mutate(corpus[random.Next(corpus.Count)].Bytes, random)))
            .Select(input => Run(target, $"mutation {input.Index} ({Convert.ToHexString(input.Bytes)})", input.Bytes))
            .OfType<string>()
            .Take(5)
            .ToList();

        Assert.True(findings.Count == 0, string.Join("\n\n", findings));
    }

    private static string? Run(IFuzzTarget target, string name, byte[] input)
    {
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception e)
        {
            return $"{target.Name} {name}: {e}";
        }
    }

    /// <summary>A few of AFL's havoc steps: flip a bit, set a byte, insert one, delete a run, duplicate a run.</summary>
    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = input.ToList();
        for (var steps = random.Next(1, 8); steps > 0; steps--)
        {
            if (bytes.Count == 0)
            {
                bytes.Add((byte)random.Next(256));
                continue;
            }

            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at));
                    break;
                default:
                    bytes.InsertRange(at, bytes.Skip(random.Next(bytes.Count)).Take(random.Next(1, 9)).ToList());
                    break;
            }
        }

        return [.. bytes];
    }
}
