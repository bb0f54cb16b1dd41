"""What other apps add to password sign-in, registered from their ``AppConfig.ready()``.

A refusal rule returns the message that refuses a right password (sso: "use Sign in with SSO"), or
None; a page context adds to the sign-in page (sso: its button). accounts imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable

_refusals: list[Callable] = []
_page_contexts: list[Callable] = []


def password_refusal_register(rule: Callable) -> None:
    """Add ``rule(request, user) -> str | None``; a message refuses the password sign-in of ``user``."""
    if rule not in _refusals:
        _refusals.append(rule)


def page_context_register(context: Callable) -> None:
    """Add ``context(request) -> dict`` to the workspace's sign-in page."""
    if context not in _page_contexts:
        _page_contexts.append(context)


def password_refusal(request, user) -> str | None:
    """Return the first registered refusal of ``user``'s password sign-in, or None."""
    return next((message for rule in _refusals if (message := rule(request, user))), None)


def page_context(request) -> dict:
    """Return what the registered apps add to the sign-in page."""
    extra: dict = {}
    for context in _page_contexts:
        extra.update(context(request))
    return extra
