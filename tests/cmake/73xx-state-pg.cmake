# 73xx: the PostgreSQL store end to end, each on a server of its own
# (tests/lib/pgserver.py); they skip (77) without PostgreSQL installed.
digest_script_test(7301-state-pg-send 7301-state-pg-send.py)
digest_script_test(7302-state-migrate 7302-state-migrate.py)
digest_script_test(7303-send-shared 7303-send-shared.py)
# The guarantees of delivery again, on PostgreSQL: killed runs and reruns
# (with two runs at once sharing the morning instead of one refused by the
# lock), and each SMTP fault, with copies counted per subscriber.
foreach(name 7004-send-crash 7006-send-smtp-faults)
  digest_script_test(${name}-pg ${name}.py)
  set_property(TEST ${name}-pg APPEND PROPERTY ENVIRONMENT
    DIGEST_TEST_STORE=postgresql)
endforeach()
