using System.Diagnostics.CodeAnalysis;

namespace Mapd.Fuzz;

/// <summary>An input broke an invariant of the code under test.</summary>
public sealed class FindingException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Throws unless <paramref name="holds"/>.</summary>
    public static void Require([DoesNotReturnIf(false)] bool holds, string what)
    {
        if (!holds)
        {
            throw new FindingException(what);
        }
    }
}
