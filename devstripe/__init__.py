"""A local Stripe for development and tests: localstripe as a real server process on 127.0.0.1, extended.

``extension.py`` lists what is emulated on top of localstripe; ``process.py`` starts and stops it;
``delivery.py`` signs and posts webhook events the way Stripe does.
"""
