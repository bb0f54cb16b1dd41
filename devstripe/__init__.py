"""A local Stripe for development and tests: localstripe as a real server process on 127.0.0.1, extended.

``python -m devstripe --help`` runs it (``--store PATH`` keeps its data across restarts, for ``make run``).
``extension.py`` lists what is emulated on top of localstripe; ``checkout_page.py`` and ``portal_page.py``
are the Checkout and Billing Portal pages a person uses (``pages.py`` holds their shared layout and the
test cards); every page says it is a stand-in and that no money moves. ``process.py`` starts and stops
the server; ``delivery.py`` signs and posts webhook events the way Stripe does.
"""
