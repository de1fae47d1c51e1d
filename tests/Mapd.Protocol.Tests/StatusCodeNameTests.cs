using Grpc.Core;

namespace Mapd.Protocol.Tests;

public sealed class StatusCodeNameTests
{
    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.InvalidArgument, "INVALID_ARGUMENT")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.FailedPrecondition, "FAILED_PRECONDITION")]
    [InlineData(StatusCode.DataLoss, "DATA_LOSS")]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED")]
    public void Status_codes_are_named_as_in_the_grpc_specification(StatusCode code, string name) =>
        Assert.Equal(name, StatusCodeName.Of(code));
}
