using Mapd.Client.Internal.Mapping;
using Mapd.Client.Internal.Sessions;
using Mapd.Client.Internal.Tracking;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mapd.Client.Tests.Fakes;

/// <summary>A region host for mappings made in tests: disposing a mapping tells <see cref="Table"/>; nothing is resized.</summary>
internal sealed class TrackingHost(RegionTable table, SessionState? session = null) : IRegionHost
{
    public RegionTable Table { get; } = table;

    /// <summary>The handoff id the last open was answered with.</summary>
    public ulong LastHandoff { get; private set; }

    public MappingPolicy Mapping { get; } = new(4, 1L << 20, 1L << 40, prefaultOnRemap: false, NullLogger.Instance);

    public Task<Region> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task ApplyAsync(string name, Region region, RegionEvent.Types.Kind kind) => Task.CompletedTask;

    public void Forget(MappedRegion region) => Table.Forget(region);

    /// <summary>Opens <paramref name="name"/> the way <see cref="RegionOpener"/> does, on a descriptor of <paramref name="file"/>.</summary>
    public MappedRegion Open(string name, ScratchFile file)
    {
        var ticket = Table.BeginOpen(name);
        Table.Replied(ticket, session, ++LastHandoff);
        var region = MappedRegion.Map(this, file.OpenAgain(writable: true), new Region { Name = name, Size = (ulong)file.Length, Generation = 1 }, RegionAccess.ReadWrite);
        Table.Add(ticket, region);
        Table.EndOpen(ticket);
        return region;
    }
}
