using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mapd.Server.Storage;

/// <summary>A region's persisted metadata: exactly what survives a daemon restart.</summary>
/// <param name="Name">The region name (also its file name).</param>
/// <param name="Size">Committed size of the backing file.</param>
/// <param name="Generation">Bumped by every resize; starts at 1.</param>
/// <param name="OwnerUid">The creator's uid.</param>
/// <param name="Gid">The region's group.</param>
/// <param name="Mode">Permission bits (0777 mask).</param>
/// <param name="PendingSize">Target of a shrink waiting for its grace period; 0 when none.</param>
/// <param name="CreatedAt">When the region was created.</param>
/// <param name="MaxSize">The creator's hint of the largest size, for clients' address reservations; 0 = none.</param>
public sealed record RegionRecord(
    string Name,
    ulong Size,
    ulong Generation,
    uint OwnerUid,
    uint Gid,
    uint Mode,
    ulong PendingSize,
    DateTimeOffset CreatedAt,
    ulong MaxSize = 0)
{
    /// <summary>The metadata format this build writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>Serializes for the metadata file.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new RegionRecordFile(FormatVersion, this), RegionRecordJson.Default.RegionRecordFile);

    /// <summary>
    /// Parses a metadata file; throws <see cref="InvalidDataException"/> when it is not one, or
    /// holds what no daemon writes (a size of 0 or above 2^63 - 1, a pending shrink not below the
    /// size, a mode above 0777), which start-up would otherwise act on.
    /// </summary>
    public static RegionRecord FromJson(ReadOnlySpan<byte> json)
    {
        var record = FromJson(json, out var impossible);
        return impossible is null ? record : throw new InvalidDataException(impossible);
    }

    /// <summary>
    /// Parses a metadata file; throws <see cref="InvalidDataException"/> only when it is not one
    /// (garbage, or another format version). A record no daemon writes is returned with
    /// <paramref name="impossible"/> saying why, for recovery to set aside rather than act on.
    /// </summary>
    public static RegionRecord FromJson(ReadOnlySpan<byte> json, out string? impossible)
    {
        RegionRecordFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, RegionRecordJson.Default.RegionRecordFile);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a region metadata file: {e.Message}", e);
        }

        var record = file switch
        {
            null or { Region: null } => throw new InvalidDataException("empty region metadata file"),
            { Region.Name: null } or { Region.Generation: 0 } => throw new InvalidDataException("region metadata without a name or generation"),
            { Version: not FormatVersion } => throw new InvalidDataException($"metadata format {file.Version} is not {FormatVersion}; this mapd is older than the one that wrote it"),
            _ => file.Region,
        };
        impossible = record.Impossibility();
        return record;
    }

    /// <summary>Why no daemon could have written this record (recovery would act on it), or null.</summary>
    private string? Impossibility() => this switch
    {
        { Size: 0 or > long.MaxValue } => $"size {Size} is not a region's (1 to {long.MaxValue} bytes)",
        { PendingSize: not 0 } when PendingSize >= Size => $"pending_size {PendingSize} is not below size {Size}",
        { Mode: > 0b111_111_111 } => $"mode {Convert.ToString(Mode, 8)} is not a permission mask",
        _ => null,
    };
}

/// <summary>The on-disk envelope: a format version, then the record.</summary>
internal sealed record RegionRecordFile(int Version, RegionRecord Region);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RegionRecordFile))]
internal sealed partial class RegionRecordJson : JsonSerializerContext;
