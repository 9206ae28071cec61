# 52xx: the delivery engine: a provider's sending limits (limit.c) and its
# routes (deliver_route.c) end to end.
digest_c_test(5201-limit 5201-limit.c)
digest_script_test(5202-send-routes 5202-send-routes.py)
