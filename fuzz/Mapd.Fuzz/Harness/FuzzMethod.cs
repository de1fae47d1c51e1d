namespace Mapd.Fuzz.Harness;

/// <summary>One method: its full name and how to call it with request bytes.</summary>
/// <param name="Name">E.g. <c>/mapd.v1.Regions/Create</c>.</param>
/// <param name="Call">Runs the method on request bytes as one call.</param>
public sealed record FuzzMethod(string Name, Func<byte[], FuzzCallContext, Task> Call);
