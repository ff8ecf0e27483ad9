# The sample service and the history generator, for docker-compose.yml.
FROM rust:1.85-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p sample-service -p history-generator

FROM debian:bookworm-slim
COPY --from=build /src/target/release/sample-service /src/target/release/history-generator /usr/local/bin/
EXPOSE 8000
CMD ["sample-service", "--listen", "0.0.0.0:8000", "--traffic-rps", "20"]
