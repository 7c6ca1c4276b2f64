"""Deliveries go to public addresses only: a rule's address check, made again on the very
connection a webhook or Slack delivery is sent over.

A rule's host is checked when the rule is made (:mod:`ossgrowth.alert_rules_input`), but a
name may resolve elsewhere later: public when the rule was checked, ``127.0.0.1`` or a cloud
metadata address when the delivery is sent (DNS rebinding). :class:`PublicAddressTransport`
resolves each request's host itself, refuses the request when any of its addresses is not
public (:func:`~ossgrowth.alert_rules_input.is_public_address`, the rules' own check), and
sends it to an address it checked: the URL's host becomes that address, the ``Host`` header
keeps the name, and TLS sends the name (SNI) and checks the certificate against it. No second
look-up is made between the check and the connection, so there is no window for the name to
change in. Connections are not kept alive, so every request connects to the address just
checked.

The transport connects directly: a proxy named by the environment (``HTTPS_PROXY`` …) is not
used for deliveries while private targets are refused (behind a proxy, the proxy's own lookup
would decide where a request goes, and this check would prove nothing).
"""

from __future__ import annotations

import anyio.to_thread
import httpx

from ossgrowth.alert_rules_input import (
    Resolver,
    host_addresses,
    is_public_address,
    resolve_host,
)

__all__ = ["ALLOW_PRIVATE_HINT", "PrivateTargetRefused", "PublicAddressTransport"]

ALLOW_PRIVATE_HINT = (
    "OSSGROWTH_ALERTS_ALLOW_PRIVATE_TARGETS=true allows private, loopback and link-local targets"
)


class PrivateTargetRefused(httpx.RequestError):
    """The target's host resolves to an address that is not public: nothing was sent.

    Its message starts after the target ("resolves to 127.0.0.1, …"): the sender puts the
    target, as it may be shown, in front.
    """

    def __init__(self, address: str, *, request: httpx.Request) -> None:
        super().__init__(
            f"resolves to {address}, which is not a public address: not sent "
            f"({ALLOW_PRIVATE_HINT})",
            request=request,
        )
        self.address = address


class PublicAddressTransport(httpx.AsyncBaseTransport):
    """Sends each request to an address of its host that was checked just before.

    Args:
        inner: what sends the pinned request (default: httpx's transport without keep-alive;
            a test may give a transport of its own).
        resolve: a host name → its addresses (the system's resolver by default).
        allow_private: send to private addresses too (the addresses are still resolved once
            and connected to, as when they are checked).
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        resolve: Resolver = resolve_host,
        allow_private: bool = False,
    ) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._resolve = resolve
        self._allow_private = allow_private

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Resolve, check, and send ``request`` to the first checked address that connects.

        Raises:
            PrivateTargetRefused: an address of the host is not public (and that is not
                allowed).
            httpx.ConnectError: the host does not resolve, or no address of it connects.
        """
        host = request.url.raw_host.decode("ascii")
        try:
            addresses = await anyio.to_thread.run_sync(host_addresses, host, self._resolve)
        except OSError:
            raise httpx.ConnectError(f"{host} does not resolve", request=request) from None
        if not addresses:
            raise httpx.ConnectError(f"{host} does not resolve", request=request)
        if not self._allow_private:
            for address in addresses:
                if not is_public_address(address):
                    raise PrivateTargetRefused(address, request=request)
        failure: httpx.TransportError | None = None
        for address in sorted(addresses, key=lambda address: ":" in address):  # IPv4 first
            try:
                return await self._inner.handle_async_request(_pinned(request, host, address))
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # there was at least one address
        raise failure

    async def aclose(self) -> None:
        await self._inner.aclose()


def _pinned(request: httpx.Request, host: str, address: str) -> httpx.Request:
    """``request`` sent to ``address``: same headers (``Host`` names ``host``), same body, and
    for https the name ``host`` in TLS (SNI and the certificate check)."""
    extensions = dict(request.extensions)
    if request.url.scheme == "https":
        extensions["sni_hostname"] = host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=address),
        headers=request.headers,
        stream=request.stream,
        extensions=extensions,
    )
