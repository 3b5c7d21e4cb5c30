# specgate in a small runtime image, for the sharded load runs of deploy/kubernetes/.
#
#   docker build -t specgate:0.1.0 .
#
# The build stage compiles the release binary (the specs are built into it); the runtime
# stage holds only the binary, the system's root certificates (rustls verifies targets with
# them) and an unprivileged user. Scenarios and profiles come from a ConfigMap, credentials
# from a Secret as environment variables: nothing of a deployment is baked into the image.

# The toolchain this project is built and tested with (rustc 1.95).
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin specgate

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin specgate
COPY --from=build /src/target/release/specgate /usr/local/bin/specgate
# The scenarios of the repository, for a run that names one without a ConfigMap.
COPY scenarios /opt/specgate/scenarios
USER 10001
WORKDIR /results
ENTRYPOINT ["specgate"]
