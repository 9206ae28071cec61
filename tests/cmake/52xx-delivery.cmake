# 52xx: the delivery engine: a provider's sending limits (limit.c).
digest_c_test(5201-limit 5201-limit.c)
