namespace Mapd.Server.Errors;

/// <summary>The daemon cannot start; the message is the one line an operator needs.</summary>
public sealed class StartupException(string message) : Exception(message);
