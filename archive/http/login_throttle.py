"""Admin login throttling (django-axes) that holds behind the deployment's proxies.

Settings name these by path (AXES_CLIENT_IP_CALLABLE, AXES_HANDLER); docs/security.md explains
the two limits and TRUSTED_PROXY_COUNT.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext


def client_ip(request):
    """The address a request came from (django-axes' AXES_CLIENT_IP_CALLABLE).

    Directly exposed, REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT proxies (the deployment's own, each
    appending the address it saw to X-Forwarded-For), the entry the outermost of them appended:
    what a client writes into X-Forwarded-For itself sits further left and is ignored, so it
    cannot pick the address it is throttled as.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else remote


class PairAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: AXES_FAILURE_LIMIT failures for one
    username from one address lock that pair; AXES_ADDRESS_FAILURE_LIMIT failures from one
    address, whatever the usernames (password spraying), lock the address.

    AXES_LOCKOUT_PARAMETERS must be [["username", "ip_address"], "ip_address"], in that order.
    Axes compares one count with one limit, so the address's count is scaled to the pair's
    limit: with 5 and 20, twenty failures from an address count as five.
    """

    def get_failures(self, request, credentials=None):
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        pair, address = (counts + [0, 0])[:2]
        scaled = address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(pair, scaled)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE), still with status 429: how long
    the lock lasts (AXES_COOLOFF_TIME) and what to do, in the visitor's language."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60))
    context = {
        **admin.site.each_context(request),
        "title": gettext("Sign-in locked"),
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": get_client_username(request, credentials) or "",
    }
    return render(request, "admin/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
