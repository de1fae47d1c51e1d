using System.Buffers;
using Grpc.Core;

namespace Mapd.Fuzz.Harness;

/// <summary>Received message bytes, as grpc-dotnet hands them to a request marshaller.</summary>
internal sealed class Payload(byte[] bytes) : DeserializationContext
{
    /// <inheritdoc />
    public override int PayloadLength => bytes.Length;

    /// <inheritdoc />
    public override byte[] PayloadAsNewBuffer() => (byte[])bytes.Clone();

    /// <inheritdoc />
    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
}
