using Google.Protobuf;
using Grpc.Core;
using Mapd.Protocol.V1;
using Mapd.Server.Api.Wire;

namespace Mapd.Server.Tests.Api;

public sealed class CheckedRequestsTests
{
    private static readonly Method<CreateRequest, OpenResponse> Create = CheckedRequests.Of(new Method<CreateRequest, OpenResponse>(
        MethodType.Unary,
        "mapd.v1.Regions",
        "Create",
        Marshallers.Create(r => r.ToByteArray(), CreateRequest.Parser.ParseFrom),
        Marshallers.Create(r => r.ToByteArray(), OpenResponse.Parser.ParseFrom)));

    private static CreateRequest Parse(byte[] bytes) => Create.RequestMarshaller.ContextualDeserializer(new Payload(bytes));

    [Fact]
    public void A_message_that_parses_comes_through()
    {
        var request = new CreateRequest { Name = "a", Size = 4096, Mode = 0b110_100_000 };

        Assert.Equal(request, Parse(request.ToByteArray()));
    }

    [Theory]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0x0a, 0x05, 0x61 })]
    [InlineData(new byte[] { 0x10, 0x80 })]
    [InlineData(new byte[] { 0x0f })]
    public void A_message_that_does_not_parse_is_invalid_argument(byte[] bytes)
    {
        var e = Assert.Throws<RpcException>(() => Parse(bytes));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("the request to /mapd.v1.Regions/Create is not a mapd.v1.CreateRequest message", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_method_keeps_its_name_type_and_response_marshaller()
    {
        Assert.Equal("/mapd.v1.Regions/Create", Create.FullName);
        Assert.Equal(MethodType.Unary, Create.Type);
    }

    /// <summary>A received payload, as grpc-dotnet hands it to a deserializer.</summary>
    private sealed class Payload(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])bytes.Clone();

        public override System.Buffers.ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
    }
}
