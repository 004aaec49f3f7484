"""The reader's address, as the login throttle (django-axes) counts it."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, unless settings.TRUSTED_PROXIES proxies stand in front of the app: then
    the address the outermost of them saw, read from the right of X-Forwarded-For. Entries
    further left were written by the client and are never believed."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # Each trusted proxy appended the address it received the request from; the last of them
    # is REMOTE_ADDR itself.
    chain = [address for address in forwarded if address] + [remote]
    client = chain[0] if len(chain) <= proxies else chain[-(proxies + 1)]
    try:
        ipaddress.ip_address(client)
    except ValueError:
        return remote
    return client
