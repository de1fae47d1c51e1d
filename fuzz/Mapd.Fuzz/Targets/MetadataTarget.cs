using Mapd.Fuzz.Harness;
using Mapd.Server.Storage;
using static Mapd.Fuzz.FindingException;

namespace Mapd.Fuzz.Targets;

/// <summary>
/// A region's metadata file, as start-up reads whatever it finds in <c>meta/</c>:
/// <see cref="RegionRecord.FromJson(ReadOnlySpan{byte})"/> either refuses the bytes with
/// <see cref="InvalidDataException"/> (recovery logs it and goes on) or returns a record that
/// writes back to an equal one and holds what recovery relies on. A record it accepts is then
/// recovered for real, beside a region file of another length, by a new store: start-up must not
/// fail, and the region it recovers (within the recovery window) has the record's size,
/// generation and pending shrink.
/// </summary>
public sealed class MetadataTarget(RecoveryBench bench) : IFuzzTarget
{
    /// <inheritdoc />
    public string Name => "metadata";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        RegionRecord record;
        try
        {
            record = RegionRecord.FromJson(input);
        }
        catch (InvalidDataException)
        {
            return;
        }

        Require(record.Name is not null && record.Generation >= 1, "a record without a name or generation was accepted");
        Require(record.Size is >= 1 and <= long.MaxValue, $"a size of {record.Size} bytes was accepted; no region is that long");
        Require(record.PendingSize == 0 || record.PendingSize < record.Size, $"a pending shrink to {record.PendingSize} of a {record.Size}-byte region was accepted");
        Require(record.Mode <= 0b111_111_111, $"mode {Convert.ToString(record.Mode, 8)} was accepted");
        Require(RegionRecord.FromJson(record.ToJson()) == record, "the record does not survive being written and read again");

        // Recovery meets the record under its own file name, or under another when the name could not be one.
        var valid = RegionName.Validate(record.Name) is null;
        var fileName = valid ? record.Name : "fuzzed";
        var recovered = bench.Recover(valid ? RegionFiles.MetadataName(record.Name) : "fuzzed.json", input, fileName, (long)(record.Size % (1UL << 20)));
        if (recovered is not null)
        {
            Require(valid, $"a record naming '{Printable(record.Name)}' was recovered as region {fileName}");
            Require(
                recovered.Size == record.Size && recovered.Generation == record.Generation && recovered.PendingSize == record.PendingSize,
                $"region {fileName} was recovered as {recovered.Size} bytes, generation {recovered.Generation}, pending {recovered.PendingSize}, not its record's {record.Size}, {record.Generation}, {record.PendingSize}");
        }
    }

    private static string Printable(string name) => string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
