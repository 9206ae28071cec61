# Gathering (digest/gather.c): sources fetched, merged, deduplicated, sorted.
digest_c_test(2601-gather 2601-gather.c)
digest_c_test(2602-gather-future 2602-gather-future.c)
digest_c_test(2603-gather-rules 2603-gather-rules.c)
