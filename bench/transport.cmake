# bench-transport: messages/s through one SMTP transport (libESMTP or
# libcurl) to smtp-sink, with or without bench/latency-proxy in between.
add_executable(bench-transport ${CMAKE_CURRENT_SOURCE_DIR}/bench_transport.c)
target_link_libraries(bench-transport PRIVATE digestcore)
