namespace Mapd.Client.Internal.Calls;

/// <summary>Whether a call may be sent again on a new session after the daemon went away.</summary>
internal enum RetryRule
{
    /// <summary>Running it twice does no harm (reads, and Open, which a session holds at most once).</summary>
    Always,

    /// <summary>Only when the daemon cannot have applied it (it changes state: Create, Resize, Delete).</summary>
    IfNotApplied,

    /// <summary>Never: it speaks for one session, and a new session never held what it names.</summary>
    Never,
}
