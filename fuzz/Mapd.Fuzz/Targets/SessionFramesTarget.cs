using Mapd.Fuzz.Harness;
using Mapd.Server.Errors;
using static Mapd.Fuzz.FindingException;

namespace Mapd.Fuzz.Targets;

/// <summary>
/// The session socket's frame readers (HELLO, WELCOME, FD, TAKEN, CLOSE) on any bytes, as the
/// daemon's listener and the client library meet them: no reader throws, what a reader accepts
/// writes back to the same bytes, and a TAKEN or CLOSE is acted on as the listener acts on it,
/// against a real store and session, where only a refusal may come back.
/// </summary>
public sealed class SessionFramesTarget(DaemonCore core) : IFuzzTarget
{
    private readonly List<ulong> _taken = new(SessionFrames.MaxTakenIds);

    /// <inheritdoc />
    public string Name => "session-frames";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        Span<byte> written = stackalloc byte[Math.Max(SessionFrames.MaxLength, SessionFrames.MaxCloseLength)];
        if (SessionFrames.TryReadHello(input, out var version))
        {
            Require(input.Length == SessionFrames.HelloLength && version == ReadVersion(input), "HELLO read a version that is not its bytes 4-5");
            if (version == SessionFrames.Version)
            {
                SessionFrames.WriteHello(written);
                Require(input.SequenceEqual(written[..SessionFrames.HelloLength]), "a HELLO of this version does not write back to its bytes");
            }
        }

        if (SessionFrames.TryReadWelcome(input, out version, out var sessionId))
        {
            Require(sessionId.Length == 16 && version == ReadVersion(input), "WELCOME read a session id that is not 16 bytes");
            if (version == SessionFrames.Version)
            {
                SessionFrames.WriteWelcome(written, sessionId);
                Require(input.SequenceEqual(written[..SessionFrames.WelcomeLength]), "a WELCOME does not write back to its bytes");
            }
        }

        if (SessionFrames.TryReadFd(input, out var handoffId))
        {
            SessionFrames.WriteFd(written, handoffId);
            Require(input.SequenceEqual(written[..SessionFrames.HandoffLength]), "an FD does not write back to its bytes");
        }

        if (SessionFrames.TryReadTaken(input, _taken))
        {
            Require(_taken.Count is >= 1 and <= SessionFrames.MaxTakenIds, $"TAKEN read {_taken.Count} ids");
            var length = SessionFrames.WriteTaken(written, [.. _taken]);
            Require(input.SequenceEqual(written[..length]), "a TAKEN does not write back to its bytes");
            foreach (var id in _taken)
            {
                core.Owner.Session.Taken(id);
            }
        }

        if (SessionFrames.TryReadClose(input, out handoffId, out var name))
        {
            Require(name.Length is >= 1 and <= RegionName.MaxLength, $"CLOSE read a name of {name.Length} characters");
            if (RegionName.Validate(name) is null)
            {
                var length = SessionFrames.WriteClose(written, handoffId, name);
                Require(input.SequenceEqual(written[..length]), "a CLOSE does not write back to its bytes");
            }

            // What the listener does with it: a refusal is logged, anything else ends the session.
            try
            {
                core.Store.Mappings.CloseUnlessReopened(name, handoffId, core.Owner.Session);
            }
            catch (RefusedException)
            {
            }
        }
    }

    private static ushort ReadVersion(ReadOnlySpan<byte> input) => (ushort)(input[4] | (input[5] << 8));
}
