# bench-template: renders a digest-sized template 100,000 times.
add_executable(bench-template ${CMAKE_CURRENT_LIST_DIR}/bench_template.c)
target_link_libraries(bench-template PRIVATE digestcore)
