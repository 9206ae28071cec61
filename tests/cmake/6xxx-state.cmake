# 6xxx: the subscriber store (state.c), the CSV reader and the import.
digest_state_test(6001-state 6001-state.c)
digest_c_test(6002-csv 6002-csv.c)
digest_state_test(6003-import 6003-import.c)
digest_state_test(6004-state-web 6004-state-web.c)
digest_state_test(6005-state-claims 6005-state-claims.c)
digest_state_test(6006-state-grouped 6006-state-grouped.c)
