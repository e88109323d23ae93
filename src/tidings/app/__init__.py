"""What the front ends share and neither owns: the server's Services (effective settings, store,
sign-in limiter, discovery, the network half of subscribing: context.py) and the limits on
signing in (signin_limits.py). The web's Site extends Services; the APIs use it alone, so no
front end imports another."""
