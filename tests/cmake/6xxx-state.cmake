# 6xxx: the subscriber store (state.c) and the CSV reader it imports with.
digest_c_test(6001-state 6001-state.c)
digest_c_test(6002-csv 6002-csv.c)
