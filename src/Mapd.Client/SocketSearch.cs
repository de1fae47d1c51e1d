namespace Mapd.Client;

/// <summary>Where <see cref="SocketDiscovery.Find"/> decided the daemon is, and every place it looked on the way.</summary>
/// <param name="Directory">The socket directory to use.</param>
/// <param name="Looked">Each place considered, in order, with why it was taken or passed over.</param>
public sealed record SocketSearch(string Directory, IReadOnlyList<string> Looked)
{
    /// <summary>The places looked, for an error message: <c>looked in /tmp/mapd-1000 (no daemon...), then /run/mapd (...)</c>.</summary>
    public string Describe() => "looked in " + string.Join(", then ", Looked);
}
