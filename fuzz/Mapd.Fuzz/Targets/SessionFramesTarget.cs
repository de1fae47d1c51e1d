using Mapd.Fuzz.Harness;
using Mapd.Protocol.V1;
using Mapd.Server.Errors;
using static Mapd.Fuzz.FindingException;

namespace Mapd.Fuzz.Targets;

/// <summary>
/// The session socket's frame readers (HELLO, WELCOME, FD, TAKEN, CLOSE, OPEN, OPENED,
/// OPEN_FAILED) on any bytes, as the daemon's session reader and the client library meet them:
/// no reader throws, what a reader accepts writes back to the same bytes, and a TAKEN, CLOSE or
/// OPEN is acted on as the session reader acts on it, against a real store and session, where
/// only a refusal may come back (for OPEN: an answer on the socket, never an exception).
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

        RunOpenFrames(input, written);
    }

    private void RunOpenFrames(ReadOnlySpan<byte> input, Span<byte> written)
    {
        if (SessionOpenFrames.TryReadOpen(input, out var requestId, out var access, out var name))
        {
            Require(name.Length is >= 1 and <= RegionName.MaxLength, $"OPEN read a name of {name.Length} characters");
            if (RegionName.Validate(name) is null && access is Access.ReadOnly or Access.ReadWrite)
            {
                var length = SessionOpenFrames.WriteOpen(written, requestId, access, name);
                Require(input.SequenceEqual(written[..length]), "an OPEN does not write back to its bytes");
            }

            // What the session reader does with it: the answer goes to the client, nothing is thrown.
            var served = core.SessionRequests.ServeAsync(core.Owner.Session, input.ToArray(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            Require(served, "an OPEN was not taken for one");
            core.Owner.TakeDescriptors();
        }

        if (SessionOpenFrames.TryReadOpened(input, out requestId, out var handoffId, out access, out var region))
        {
            var length = SessionOpenFrames.WriteOpened(written, requestId, handoffId, access, region);
            Require(
                SessionOpenFrames.TryReadOpened(written[..length], out var againId, out var againHandoff, out var againAccess, out var againRegion)
                && (againId, againHandoff, againAccess) == (requestId, handoffId, access) && againRegion.Equals(region),
                "an OPENED does not read back as what was written");
        }

        if (SessionOpenFrames.TryReadFailed(input, out requestId, out var code, out var reason))
        {
            var length = SessionOpenFrames.WriteFailed(written, requestId, code, reason);
            Require(
                SessionOpenFrames.TryReadFailed(written[..length], out var againId, out var againCode, out _) && (againId, againCode) == (requestId, code),
                "an OPEN_FAILED does not read back with its request id and code");
        }
    }

    private static ushort ReadVersion(ReadOnlySpan<byte> input) => (ushort)(input[4] | (input[5] << 8));
}
