# Fetching (digest/fetch.c) against the local test server.

# A helper any C driver may link to run tests/lib/httpserver.py.
add_library(digesttesthttp STATIC ${DIGEST_TEST_DIR}/lib/testhttp.c)
target_include_directories(digesttesthttp PUBLIC ${DIGEST_TEST_DIR}/lib)

digest_c_test(2501-fetch 2501-fetch.c digesttesthttp)
set_tests_properties(2501-fetch PROPERTIES TIMEOUT 60)
digest_c_test(2502-fetch-limits 2502-fetch-limits.c digesttesthttp)
set_tests_properties(2502-fetch-limits PROPERTIES TIMEOUT 60)
