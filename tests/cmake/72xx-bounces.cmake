# 72xx: `digest bounces`, end to end.
digest_script_test(7201-bounces 7201-bounces.py)
