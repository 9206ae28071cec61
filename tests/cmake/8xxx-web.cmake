# 8xxx: the subscribers' web side: signed links (sign.c).
digest_c_test(8001-sign 8001-sign.c)
# The signed links in a letter verify with the key, and with no other.
digest_c_test(8002-links 8002-links.c)
