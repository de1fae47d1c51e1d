"""The package as users get it: installed from the wheel, typed, generated from the proto, and
its README's example working as written."""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import re
import shutil
import subprocess
import sys
import typing
from pathlib import Path

from google.protobuf import descriptor_pb2

import mapd
from daemon import Daemon
from environment import REPOSITORY, proto_root, require
from mapd import stubs
from mapd.v1 import mapd_pb2, mapd_pb2_grpc
from processes import run_python

PACKAGE = REPOSITORY / "src" / "python"


def test_the_package_under_test_is_the_installed_wheel() -> None:
    require(os.environ.get("MAPD_EXPECT_INSTALLED") == "1",
            "not told the package is installed from a wheel (CI sets MAPD_EXPECT_INSTALLED=1)")
    installed = Path(str(importlib.metadata.distribution("mapd").locate_file("mapd/__init__.py"))).resolve()
    assert Path(mapd.__file__).resolve() == installed
    assert PACKAGE not in installed.parents, f"{installed} is the source tree, not the wheel"
    assert (installed.parent / "py.typed").exists() and (installed.parent / "v1" / "mapd_pb2.pyi").exists()


def without_json_names(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """The descriptor without the derived json_name of each field, which generators leave out."""
    pending = list(file.message_type)
    while pending:
        message = pending.pop()
        for field in message.field:
            field.ClearField("json_name")
        pending.extend(message.nested_type)
    return file


def test_the_generated_code_describes_the_proto(tmp_path: Path) -> None:
    protoc = shutil.which("protoc")
    require(protoc is not None, "protoc is missing: apt-get install protobuf-compiler")
    require(Path("/usr/include/google/protobuf/timestamp.proto").exists(), "the well-known protos are missing: apt-get install libprotobuf-dev")
    assert protoc is not None
    descriptor_set = tmp_path / "mapd.pb"
    subprocess.run([protoc, f"--proto_path={proto_root()}", "--proto_path=/usr/include",
                    f"--descriptor_set_out={descriptor_set}", "mapd/v1/mapd.proto"], check=True)
    expected = without_json_names(descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file[0])
    generated = without_json_names(descriptor_pb2.FileDescriptorProto.FromString(mapd_pb2.DESCRIPTOR.serialized_pb))
    assert generated == expected, "mapd/v1 does not match protos/mapd/v1/mapd.proto: run src/python/scripts/generate-protos.sh"

    grpc_source = inspect.getsource(mapd_pb2_grpc)
    for method in expected.service[0].method:
        kind = "unary_stream" if method.server_streaming else "unary_unary"
        assert re.search(rf"channel\.{kind}\(\s*'/mapd\.v1\.Regions/{method.name}'", grpc_source), f"the gRPC stub lacks {method.name}"


def test_the_typed_stub_says_what_the_service_takes_and_returns() -> None:
    service = descriptor_pb2.FileDescriptorProto.FromString(mapd_pb2.DESCRIPTOR.serialized_pb).service[0]
    methods = {method.name: method for method in service.method}
    for name, hint in typing.get_type_hints(stubs.RegionsStub).items():
        if hint is stubs.WatchCall:
            request = typing.get_type_hints(stubs.WatchCall.__call__)["request"]
            response = typing.get_type_hints(stubs.EventCall.__next__)["return"]
            assert methods[name].server_streaming
        else:
            request, response = typing.get_args(hint)
            assert not methods[name].server_streaming
        assert (f".{request.DESCRIPTOR.full_name}", f".{response.DESCRIPTOR.full_name}") == (methods[name].input_type, methods[name].output_type), name


def readme_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (PACKAGE / "README.md").read_text(), re.S)


def test_the_package_and_its_users_are_mypy_strict_clean(tmp_path: Path) -> None:
    require(subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode == 0,
            "mypy is missing: apt-get install mypy")
    checked = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "mapd", "tests"],
                             cwd=PACKAGE, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # A user's program sees the installed package's types (py.typed): the README's example
    # passes, and a mistake is caught.
    (tmp_path / "example.py").write_text(readme_examples()[0])
    (tmp_path / "mistake.py").write_text("import mapd\n\nsize: str = mapd.connect().create('x', 1).size\n")
    user = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "example.py", "mistake.py"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert user.stdout.splitlines()[0] == (
        'mistake.py:3: error: Incompatible types in assignment (expression has type "int", variable has type "str")  [assignment]'), user.stdout


def test_the_readme_examples_run_as_written(daemon: Daemon) -> None:
    writer, reader = readme_examples()
    environment = {"MAPD_SOCKET_DIR": str(daemon.socket_dir), "PYTHONDONTWRITEBYTECODE": "1"}
    wrote = run_python(writer, environment)
    assert (wrote.returncode, wrote.stdout) == (0, "1048576.0 134217728\n"), wrote.stderr

    with mapd.connect(daemon.socket_dir) as client, client.create("frames", 64 << 20, mode=0o640) as region:
        region.ndarray("float32", shape=(16, 1 << 20))[0] = 2.0
        read = run_python("import mapd\nimport numpy as np\n" + reader, environment)
        client.delete("frames")
    assert (read.returncode, read.stdout) == (0, "2.0\n"), read.stderr
