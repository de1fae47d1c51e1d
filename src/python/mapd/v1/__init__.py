"""Code generated from protos/mapd/v1/mapd.proto (the contract): messages in ``mapd_pb2``, the
gRPC stub in ``mapd_pb2_grpc``. ``mapd.Client`` wraps the calls; use these for anything it does
not. Regenerate with ``scripts/generate-protos.sh``; do not edit by hand."""
