digest_script_test(1001-check-config 1001-check-config.py)
digest_c_test(1002-provider-password 1002-provider-password.c)
digest_script_test(1003-password-file 1003-password-file.py)
digest_c_test(1004-config-defaults 1004-config-defaults.c)
# [digest] state as a PostgreSQL URL: no password in it, the password's
# own keys, refused before anything connects.
digest_script_test(1005-state-config 1005-state-config.py)
