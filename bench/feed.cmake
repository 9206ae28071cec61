# bench-feed: parsing speed and memory of feed_parse() on generated RSS.
add_executable(bench-feed ${CMAKE_CURRENT_SOURCE_DIR}/feed_parse.c)
target_link_libraries(bench-feed PRIVATE digestcore)
