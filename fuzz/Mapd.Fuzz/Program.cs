using Mapd.Fuzz;

// Instrumented assemblies (fuzz/run.sh instruments mapd, Mapd.Protocol and Google.Protobuf) count
// branches in SharpFuzz's trace buffer from their first call on; under AFL, Fuzzer.Run swaps in
// the fork server's shared map before the first input.
TraceBuffer.Provide();

// mapd-fuzz TARGET                 the target under AFL++ (SharpFuzz's fork server); once on stdin without it
// mapd-fuzz TARGET PATH...         each file (or each file in each directory) once: exit 1 on a finding
// mapd-fuzz seed TARGET DIRECTORY  writes the target's seed inputs
if (args is ["seed", var seedTarget, var directory])
{
    Directory.CreateDirectory(directory);
    foreach (var (seedName, bytes) in Seeds.For(seedTarget))
    {
        await File.WriteAllBytesAsync(Path.Join(directory, seedName), bytes);
    }

    return 0;
}

if (args is not [var name, .. var paths])
{
    await Console.Error.WriteLineAsync($"usage: mapd-fuzz TARGET [PATH...] | mapd-fuzz seed TARGET DIRECTORY; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 64;
}

using var targets = new FuzzTargets();
var target = targets.Get(name);
if (target is Mapd.Fuzz.Targets.RequestsTarget requests && Environment.GetEnvironmentVariable("MAPD_FUZZ_TRACE") == "1")
{
    requests.Trace = Console.Error;
}
if (paths.Length == 0)
{
    SharpFuzz.Fuzzer.Run(stream =>
    {
        using var input = new MemoryStream();
        stream.CopyTo(input);
        target.Run(input.GetBuffer().AsSpan(0, (int)input.Length));
    });
    return 0;
}

var findings = 0;
var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
foreach (var file in files)
{
    try
    {
        target.Run(await File.ReadAllBytesAsync(file));
    }
    catch (Exception e)
    {
        findings++;
        await Console.Error.WriteLineAsync($"{file}: {e}");
    }
}

Console.WriteLine($"{name}: {files.Count} inputs, {findings} findings");
return findings == 0 ? 0 : 1;
