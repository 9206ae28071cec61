# 8xxx: the subscribers' web side: signed links (sign.c) and digest serve.
digest_c_test(8001-sign 8001-sign.c)

# web-link CONFIG ACTION EMAIL [ISSUED]: a subscriber's signed link as the
# digests carry it (links_url), for the tests below.
add_executable(web-link web-link.c)
target_link_libraries(web-link PRIVATE digestcore)

# HTTP tests of digest serve, with the test SMTP servers.
digest_script_test(8002-serve-pages 8002-serve-pages.py)
digest_script_test(8003-serve-tokens 8003-serve-tokens.py)
digest_script_test(8004-serve-limits 8004-serve-limits.py)
