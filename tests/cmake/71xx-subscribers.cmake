# 71xx: the `digest subscribers` commands, end to end.
digest_script_test(7101-subscribers-manage 7101-subscribers-manage.py)
digest_script_test(7102-subscribers-import 7102-subscribers-import.py)
