# syntax=docker/dockerfile:1
# The broker's image: both executables on PATH; the command chooses which one runs.
#
#   docker build -t mqtt-cluster .
#   docker run --rm -p 1883:1883 -p 9001:9001 -v mqtt-data:/var/lib/mqtt-cluster mqtt-cluster   # single node
#   docker run --rm -e Cluster__PostgresConnectionString="Host=...;..." mqtt-cluster mqtt-cluster-silo db init
#   docker run --rm -e Cluster__PostgresConnectionString="Host=...;..." -p 1883:1883 mqtt-cluster mqtt-cluster-gateway
#
# deploy/compose/compose.yaml runs a whole cluster from it, deploy/kubernetes the same on Kubernetes.
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 -t mqtt-cluster . (the SDK stage runs on the
# build machine and cross-publishes; no emulation).

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/ src/
# MqttCluster.Storage embeds the PostgreSQL schema from here (for db init).
COPY deploy/sql/ deploy/sql/
# The build context has no .git: the commit that --version shows comes from a build argument, e.g.
#   docker build --build-arg SOURCE_REVISION="$(git rev-parse --short=7 HEAD)" -t mqtt-cluster .
ARG SOURCE_REVISION=
# The NuGet cache outlives the build, so a source change does not download every package again.
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/Silo/MqttCluster.Silo.csproj -c Release -a "$TARGETARCH" --self-contained false \
        -p:DebugType=none -p:SourceRevisionId="$SOURCE_REVISION" -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The single node's retained messages and sessions; a cluster keeps its state in PostgreSQL instead.
RUN mkdir -p /var/lib/mqtt-cluster && chown "$APP_UID" /var/lib/mqtt-cluster
VOLUME /var/lib/mqtt-cluster
# The images' non-root user ("app", UID 1654).
USER $APP_UID
# PATH: `mqtt-cluster-silo` and `mqtt-cluster-gateway` as commands (apphosts using the image's runtime).
# Mqtt__BindAddress: in a container the MQTT listeners must face the container's network, not its loopback;
# nothing is reachable from outside until a port is published.
# ASPNETCORE_HTTP_PORTS: the base image asks Kestrel for :8080; the broker listens only where Mqtt:* says.
ENV PATH="/app:${PATH}" \
    DOTNET_ROOT=/usr/share/dotnet \
    ASPNETCORE_HTTP_PORTS= \
    Mqtt__BindAddress=* \
    Silo__DataDirectory=/var/lib/mqtt-cluster
# MQTT over TCP and over WebSocket (Mqtt:TcpPort, Mqtt:WebSocketPort); a cluster silo also uses 11111 (silo to
# silo) and 30000 (standalone gateways).
EXPOSE 1883 9001
CMD ["mqtt-cluster-silo"]
