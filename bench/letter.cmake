# bench-letter: letters built whole against letters rendered once per
# variant, for N subscribers of the demo feeds.
add_executable(bench-letter ${CMAKE_CURRENT_LIST_DIR}/bench_letter.c)
target_link_libraries(bench-letter PRIVATE digestcore)
target_compile_definitions(bench-letter PRIVATE
  DIGEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
