# 8xxx: the subscribers' web side: signed links (sign.c) and digest serve.
digest_c_test(8001-sign 8001-sign.c)
# The signed links in a letter verify with the key, and with no other.
digest_c_test(8002-links 8002-links.c)

# web-link CONFIG ACTION EMAIL [ISSUED]: a subscriber's signed link as the
# digests carry it (links_url), for the tests below.
add_executable(web-link web-link.c)
target_link_libraries(web-link PRIVATE digestcore)

# HTTP tests of digest serve, with the test SMTP servers.
digest_script_test(8003-serve-pages 8003-serve-pages.py)
digest_script_test(8004-serve-tokens 8004-serve-tokens.py)
digest_script_test(8005-serve-limits 8005-serve-limits.py)

# Real-browser tests: Debian's chromium driven by playwright-core from
# tests/browser/node_modules (scripts/install-deps runs npm ci there).
# They skip (77) without either; screenshots go to screenshots/ here.
foreach(name 8101-browser-signup 8102-browser-unsubscribe)
  add_test(NAME ${name}
    COMMAND ${DIGEST_RUN_TEST} /usr/bin/env node
      ${DIGEST_TEST_DIR}/browser/${name}.mjs
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
    ENVIRONMENT "DIGEST=$<TARGET_FILE:digest>;DIGEST_SRC=${PROJECT_SOURCE_DIR};DIGEST_TEST_DATA=${DIGEST_TEST_DIR}/data;DIGEST_TEST_BIN=${CMAKE_CURRENT_BINARY_DIR}")
endforeach()
