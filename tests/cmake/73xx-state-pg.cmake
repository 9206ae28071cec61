# 73xx: the PostgreSQL store end to end, each on a server of its own
# (tests/lib/pgserver.py); they skip (77) without PostgreSQL installed.
digest_script_test(7301-state-pg-send 7301-state-pg-send.py)
digest_script_test(7302-state-migrate 7302-state-migrate.py)
digest_script_test(7303-send-shared 7303-send-shared.py)
