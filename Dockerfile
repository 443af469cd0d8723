# syntax=docker/dockerfile:1
# kairosdb-rs container image: a Rust build stage, then a distroless runtime holding only the
# binary (glibc + libgcc; no shell, no package manager), running as an unprivileged user.
#
#   docker build -t kairosdb-rs .
#   docker run -p 8080:8080 -p 4242:4242 -v kairosdb-data:/var/lib/kairosdb kairosdb-rs
#
# Configuration is by environment (KAIROSDB_* variables, see README "Configuration"), or a
# config file mounted and named with: docker run ... kairosdb-rs run --config /etc/kairosdb/kairosdb.conf

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
ENV CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=symbols
# BuildKit caches keep the crate registry and the compiled dependencies between builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p kairosdb-server --bin kairosdb \
    && install -D -m 0755 target/release/kairosdb /out/kairosdb \
    && mkdir -p /out/data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/kairosdb /usr/local/bin/kairosdb
COPY --from=build --chown=65532:65532 /out/data /var/lib/kairosdb
ENV KAIROSDB_DATA_DIR=/var/lib/kairosdb \
    KAIROSDB_BIND_ADDRESS=0.0.0.0:8080 \
    KAIROSDB_TELNET_ADDRESS=0.0.0.0:4242 \
    KAIROSDB_LOG=info
VOLUME ["/var/lib/kairosdb"]
EXPOSE 8080 4242
USER 65532:65532
# Healthy = the datastore answers a query (the same endpoint as the Kubernetes readiness probe).
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/kairosdb", "probe", "http://127.0.0.1:8080/api/v1/health/check"]
ENTRYPOINT ["/usr/local/bin/kairosdb"]
CMD ["run"]
