digest_script_test(1001-check-config 1001-check-config.py)
