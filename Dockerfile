# syntax=docker/dockerfile:1
# mapd in a container. Build:  docker build -t mapd .
# Run (see docs/operations.md): regions need a tmpfs, clients need the socket directory:
#   docker run -d --name mapd \
#     --tmpfs /var/lib/mapd:size=8g,huge=within_size,uid=10001,gid=10001,mode=0700 \
#     -v /run/mapd:/run/mapd -e Mapd__Storage__Size=8G mapd
# or, without a tmpfs mount of its own, on the container's /dev/shm:
#   docker run -d --shm-size=8g -e Mapd__Storage__Path=/dev/shm/mapd -v /run/mapd:/run/mapd mapd

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so source edits reuse the restore layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY protos/ protos/
COPY src/Mapd.Native/Mapd.Native.csproj src/Mapd.Native/
COPY src/Mapd.Client/Mapd.Client.csproj src/Mapd.Client/
COPY src/Mapd.Server/Mapd.Server.csproj src/Mapd.Server/
COPY src/Mapd.Cli/Mapd.Cli.csproj src/Mapd.Cli/
RUN dotnet restore src/Mapd.Server/Mapd.Server.csproj \
 && dotnet restore src/Mapd.Cli/Mapd.Cli.csproj
COPY src/ src/
RUN dotnet publish src/Mapd.Server/Mapd.Server.csproj -c Release --no-restore -o /out/mapd \
 && dotnet publish src/Mapd.Cli/Mapd.Cli.csproj -c Release --no-restore -o /out/mapctl

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# A fixed uid/gid, so hosts and Kubernetes can own the socket directory and add clients to the group.
ARG MAPD_UID=10001
RUN groupadd --system --gid ${MAPD_UID} mapd \
 && useradd --system --uid ${MAPD_UID} --gid mapd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin mapd \
 && install -d -o mapd -g mapd -m 0755 /run/mapd \
 && install -d -o mapd -g mapd -m 0700 /var/lib/mapd
COPY --from=build /out/mapd /opt/mapd
COPY --from=build /out/mapctl /opt/mapctl
RUN ln -s /opt/mapd/mapd /usr/local/bin/mapd && ln -s /opt/mapctl/mapctl /usr/local/bin/mapctl

# Contract defaults for a container; override any of them with -e Mapd__...=...
ENV Mapd__SocketDirectory=/run/mapd \
    Mapd__SocketMode=0660 \
    Mapd__SocketGroup=mapd \
    Mapd__Storage__Path=/var/lib/mapd/storage \
    Mapd__Metrics__Url=http://127.0.0.1:9464 \
    DOTNET_NOLOGO=1

# /run/mapd: the sockets, shared with clients (bind-mount a host directory owned by uid 10001).
# /var/lib/mapd: region storage; mount a tmpfs here (--tmpfs or --mount type=tmpfs), since
# mapd refuses storage that is not tmpfs.
VOLUME ["/run/mapd", "/var/lib/mapd"]
USER mapd:mapd
STOPSIGNAL SIGTERM
# /healthz listens on loopback inside the container, and the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["mapd", "healthcheck"]
ENTRYPOINT ["mapd"]
