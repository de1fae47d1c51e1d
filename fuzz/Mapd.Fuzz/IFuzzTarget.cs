namespace Mapd.Fuzz;

/// <summary>
/// One fuzz target: runs an input through the code under test. Returning is a pass; any
/// exception is a finding (a crash to the fuzzer): an exception the daemon would not have
/// turned into a refusal, or a <see cref="FindingException"/> for a broken invariant.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name <c>fuzz/run.sh</c> and the corpus directory use.</summary>
    string Name { get; }

    /// <summary>Runs one input.</summary>
    void Run(ReadOnlySpan<byte> input);
}
