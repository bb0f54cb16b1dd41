"""TOTP devices and recovery codes: a real code works once, a replay or a used recovery code is refused,
and recovery codes are kept only as HMACs."""

from __future__ import annotations

import pyotp
import pytest
import time_machine
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import RecoveryCode, TOTPDevice
from accounts.two_factor import (
    TwoFactorInvalid,
    qr_svg,
    recovery_codes_left,
    totp_device_begin,
    totp_device_confirm,
    two_factor_check,
    two_factor_disable,
    two_factor_enabled,
)
from tests.signin import next_code


@pytest.fixture
def member(organization, teammate):
    with schema_context(organization.schema_name):
        yield teammate


def test_a_device_opens_only_with_a_right_first_code_and_then_issues_ten_recovery_codes(member):
    device = totp_device_begin(user=member)
    assert not two_factor_enabled(member)
    with pytest.raises(TwoFactorInvalid) as wrong:
        totp_device_confirm(user=member, code="000000" if pyotp.TOTP(device.secret).now() != "000000" else "111111")
    assert wrong.value.reason == "wrong_code" and wrong.value.field == "code"
    assert not two_factor_enabled(member)
    codes = totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    assert two_factor_enabled(member) and len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=member).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes} and not set(stored) & set(codes)


def test_the_same_device_is_offered_until_confirmed_and_a_second_set_up_is_refused(member):
    first = totp_device_begin(user=member)
    assert totp_device_begin(user=member).pk == first.pk
    totp_device_confirm(user=member, code=pyotp.TOTP(first.secret).now())
    with pytest.raises(Exception, match="already on"):
        totp_device_begin(user=member)


def test_a_code_cannot_be_replayed_within_its_window(member):
    device = totp_device_begin(user=member)
    with time_machine.travel("2026-12-01 10:00:05Z", tick=False):
        totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    with time_machine.travel("2026-12-01 10:00:35Z", tick=False):
        code = pyotp.TOTP(device.secret).now()
        assert two_factor_check(user=member, code=code) == "totp"
        with pytest.raises(TwoFactorInvalid) as replay:
            two_factor_check(user=member, code=code)
        assert replay.value.reason == "reused_code"
    with time_machine.travel("2026-12-01 10:01:05Z", tick=False):  # 30 s later: still inside the drift window
        with pytest.raises(TwoFactorInvalid, match="already been used"):
            two_factor_check(user=member, code=code)
        assert two_factor_check(user=member, code=pyotp.TOTP(device.secret).now()) == "totp"


def test_an_old_code_outside_the_drift_is_wrong(member):
    device = totp_device_begin(user=member)
    totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    stale = pyotp.TOTP(device.secret).at(int(__import__("time").time()) - 120)
    with pytest.raises(TwoFactorInvalid) as wrong:
        two_factor_check(user=member, code=stale)
    assert wrong.value.reason == "wrong_code"


def test_each_recovery_code_works_once_in_any_case_and_spacing(member):
    device = totp_device_begin(user=member)
    codes = totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    assert two_factor_check(user=member, code=f"  {codes[0].upper()} ") == "recovery_code"
    assert recovery_codes_left(member) == 9
    with pytest.raises(TwoFactorInvalid) as used:
        two_factor_check(user=member, code=codes[0])
    assert used.value.reason == "used_recovery_code"
    with pytest.raises(TwoFactorInvalid) as wrong:
        two_factor_check(user=member, code="abcde-fghjk")
    assert wrong.value.reason == "wrong_recovery_code"
    assert two_factor_check(user=member, code=codes[1].replace("-", "")) == "recovery_code"


def test_an_empty_code_and_a_user_without_a_device_are_refused_clearly(member):
    with pytest.raises(TwoFactorInvalid, match="not set up"):
        two_factor_check(user=member, code="123456")
    device = totp_device_begin(user=member)
    totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    with pytest.raises(TwoFactorInvalid, match="Enter the 6-digit code"):
        two_factor_check(user=member, code="   ")


def test_turning_it_off_removes_the_device_and_the_codes(member):
    device = totp_device_begin(user=member)
    totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    two_factor_disable(user=member)
    assert not TOTPDevice.objects.filter(user=member).exists() and not RecoveryCode.objects.filter(user=member).exists()


def test_devices_live_in_each_workspace_schema(other_organization, member):
    device = totp_device_begin(user=member)
    totp_device_confirm(user=member, code=pyotp.TOTP(device.secret).now())
    assert next_code(member)
    with schema_context(other_organization.schema_name):
        assert not TOTPDevice.objects.exists()
    assert connection.schema_name != "public"


def test_the_qr_code_is_an_inline_svg_made_here():
    svg = qr_svg("otpauth://totp/Unison:a%40b.test?secret=JBSWY3DPEHPK3PXP&issuer=Unison")
    assert svg.startswith("<svg") and "<title>Two-factor set-up code</title>" in svg and "<path" in svg
