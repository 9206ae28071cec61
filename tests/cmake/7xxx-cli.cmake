digest_script_test(7001-items 7001-items.py)
