"""Durable subscriptions over admin requests (``subscription.*``, see docs/admin.md).

A durable subscription belongs to the account of the connection that creates
it; consume it with ``client.subscribe(subscription=NAME, credits=N)`` and ack
(or nack) every delivery before the subscription's ack timeout.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

_FIELDS = {
    "bus", "pattern", "start", "max_attempts", "max_event_age_ms", "initial_backoff_ms", "max_backoff_ms",
    "dead_letter", "ack_timeout_ms", "max_in_flight", "ordering_key",
}


def create_subscription(client, name: str, **fields: Any) -> Dict[str, Any]:
    """Creates (or returns, when identical) the durable subscription ``name``.

    ``fields`` are those of ``subscription.create`` (``bus``, ``pattern`` as JSON
    text, ``start`` = "earliest" | "latest" | "time:<RFC 3339>" | "position:<N>",
    ``max_attempts``, ``dead_letter``, ``ack_timeout_ms``, ...). Returns the
    subscription with its state; raises :class:`AdminError` when refused.
    """
    unknown = set(fields) - _FIELDS
    if unknown:
        raise TypeError(f"unknown subscription field(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_FIELDS))})")
    request = {"name": name}
    request.update({k: v for k, v in fields.items() if v is not None})
    return client.admin("subscription.create", request)


def get_subscription(client, name: str) -> Dict[str, Any]:
    """The subscription's definition and state (``committed_position``, ``outstanding``, ...)."""
    return client.admin("subscription.get", {"name": name})


def list_subscriptions(client) -> List[Dict[str, Any]]:
    """The durable subscriptions of the connection's account."""
    return client.admin("subscription.list", {})["subscriptions"]


def delete_subscription(client, name: str) -> bool:
    """Deletes the subscription (its consumers are unsubscribed)."""
    return bool(client.admin("subscription.delete", {"name": name})["deleted"])


def replay(client, name: str, start: str, end: Optional[str] = None) -> Dict[str, Any]:
    """Redelivers the subscription's matching events of a log range to it alone.

    ``start`` and ``end`` (inclusive; default: the end of the log) are
    "position:<N>" or "time:<RFC 3339>". Returns ``{replayed, from_position, to_position}``.
    """
    request = {"name": name, "from": start}
    if end is not None:
        request["to"] = end
    return client.admin("subscription.replay", request)


def create_rule(client, name: str, bus: str, target_bus: str, pattern: Optional[str] = None,
                start: Optional[str] = None) -> Dict[str, Any]:
    """Creates a forwarding rule (``rule.create``): events of ``bus`` that match
    ``pattern`` (JSON text; None: all) are copied to ``target_bus``. Needs an
    administrator account when the gateway names any."""
    request: Dict[str, Any] = {"name": name, "bus": bus, "target_bus": target_bus}
    if pattern is not None:
        request["pattern"] = pattern
    if start is not None:
        request["start"] = start
    return client.admin("rule.create", request)


def list_rules(client) -> List[Dict[str, Any]]:
    """The gateway's forwarding rules, with ``next_position`` and ``forwarded``."""
    return client.admin("rule.list", {})["rules"]


def delete_rule(client, name: str) -> bool:
    """Deletes a forwarding rule."""
    return bool(client.admin("rule.delete", {"name": name})["deleted"])
