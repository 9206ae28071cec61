# Gathering (digest/gather.c): sources fetched, merged, deduplicated, sorted.
digest_c_test(2601-gather 2601-gather.c)
digest_c_test(2602-gather-rules 2602-gather-rules.c)
