# syntax=docker/dockerfile:1
# mapd in a container. Build with docker or podman:
#   docker build -t mapd .
# The base images are build arguments, so a machine that cannot pull from mcr.microsoft.com
# can build from its own (tests/Mapd.SystemTests builds it with podman from local ones):
#   podman build --build-arg SDK_IMAGE=... --build-arg RUNTIME_IMAGE=... -t mapd .
#
# Run (docs/operations.md): regions need a tmpfs, clients need the socket directory. These
# flags mean the same to docker and podman. With huge pages, on a tmpfs the host prepares:
#   install -d -o 10001 -g 10001 -m 0755 /run/mapd
#   install -d /run/mapd-storage
#   mount -t tmpfs -o size=8g,huge=within_size,mode=0700,uid=10001,gid=10001 mapd-storage /run/mapd-storage
#   docker run -d --name mapd --network none \
#     --mount type=bind,source=/run/mapd,target=/run/mapd \
#     --mount type=bind,source=/run/mapd-storage,target=/var/lib/mapd \
#     -e Mapd__Storage__Path=/var/lib/mapd -e Mapd__Storage__Size=8G mapd
# or on a tmpfs of the container's own, with 4 KiB pages (--mount type=tmpfs takes no huge=):
#   docker run -d --name mapd --network none \
#     --mount type=bind,source=/run/mapd,target=/run/mapd \
#     --mount type=tmpfs,target=/var/lib/mapd,tmpfs-size=8589934592,tmpfs-mode=1777 \
#     -e Mapd__Storage__Size=8G mapd

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Restore first, from the project files alone, so source edits reuse the restore layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY protos/ protos/
COPY src/Mapd.Native/Mapd.Native.csproj src/Mapd.Native/
COPY src/Mapd.Protocol/Mapd.Protocol.csproj src/Mapd.Protocol/
COPY src/Mapd.Client/Mapd.Client.csproj src/Mapd.Client/
COPY src/Mapd.Server/Mapd.Server.csproj src/Mapd.Server/
COPY src/Mapd.Cli/Mapd.Cli.csproj src/Mapd.Cli/
RUN dotnet restore src/Mapd.Server/Mapd.Server.csproj \
 && dotnet restore src/Mapd.Cli/Mapd.Cli.csproj
COPY src/ src/
RUN dotnet publish src/Mapd.Server/Mapd.Server.csproj -c Release --no-restore -o /out/mapd \
 && dotnet publish src/Mapd.Cli/Mapd.Cli.csproj -c Release --no-restore -o /out/mapctl

FROM ${RUNTIME_IMAGE} AS runtime
# A fixed uid/gid, so hosts and Kubernetes can own the socket directory and add clients to the group.
ARG MAPD_UID=10001
RUN groupadd --system --gid ${MAPD_UID} mapd \
 && useradd --system --uid ${MAPD_UID} --gid mapd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin mapd \
 && install -d -o mapd -g mapd -m 0755 /run/mapd \
 && install -d -m 1777 /var/lib/mapd
COPY --from=build /out/mapd /opt/mapd
COPY --from=build /out/mapctl /opt/mapctl
RUN ln -s /opt/mapd/mapd /usr/local/bin/mapd && ln -s /opt/mapctl/mapctl /usr/local/bin/mapctl

# Contract defaults for a container; override any of them with -e Mapd__...=...
# MAPD_SOCKET_DIR points mapctl (docker exec mapd mapctl ls) at the daemon's sockets.
ENV Mapd__SocketDirectory=/run/mapd \
    Mapd__SocketMode=0660 \
    Mapd__SocketGroup=mapd \
    Mapd__Storage__Path=/var/lib/mapd/storage \
    Mapd__Metrics__Url=http://127.0.0.1:9464 \
    MAPD_SOCKET_DIR=/run/mapd \
    DOTNET_NOLOGO=1

# /run/mapd: the sockets, shared with clients (bind-mount a host directory owned by uid 10001).
# /var/lib/mapd: region storage; mount a tmpfs here, since mapd refuses storage that is not
# tmpfs. A tmpfs whose root belongs to uid 10001 can be the storage itself
# (Mapd__Storage__Path=/var/lib/mapd); on one that root owns (--mount type=tmpfs), mapd keeps
# its regions in the storage/ directory it makes there. The directory is sticky and open to
# all, as /tmp is, because podman gives a tmpfs mounted over it this directory's mode.
VOLUME ["/run/mapd", "/var/lib/mapd"]
USER mapd:mapd
STOPSIGNAL SIGTERM
# /healthz listens on loopback inside the container, and the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["mapd", "healthcheck"]
ENTRYPOINT ["mapd"]
