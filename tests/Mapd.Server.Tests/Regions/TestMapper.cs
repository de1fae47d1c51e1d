using Mapd.Server.Peers;

namespace Mapd.Server.Tests.Regions;

/// <summary>A session as the store sees it: something that maps regions, compared by reference.</summary>
public sealed class TestMapper(string id, int pid = 4242, uint uid = 1000) : IRegionMapper
{
    public int Pid { get; } = pid;

    public uint Uid { get; } = uid;

    public string Id { get; } = id;

    public MapperRegistrations Registrations { get; } = new();

    public override string ToString() => Id;
}
