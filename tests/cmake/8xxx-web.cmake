# 8xxx: the subscribers' web side: signed links (sign.c).
digest_c_test(8001-sign 8001-sign.c)
