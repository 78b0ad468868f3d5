"""Settings of the uvicorn process the browser tests start: the test settings,
on a channel-layer prefix that only this test run uses, with SMS in a file."""

import copy
import os
from typing import Any

from config.test_settings import *  # noqa: F403
from config.test_settings import CHANNEL_LAYERS

_layer: dict[str, Any] = copy.deepcopy(CHANNEL_LAYERS["default"])
_layer["CONFIG"]["prefix"] = os.environ["XADESK_TEST_CHANNEL_PREFIX"]
CHANNEL_LAYERS = {"default": _layer}

# The browser reaches this server directly, so each socket's Host header carries
# the port and the default Origin rule (the socket's own origin,
# core/ws_origin.py) applies, as in a deployment without a proxy. The test
# settings' fixed origin is for handshakes that carry no Host header.
SITE_ORIGINS = []

# One-time codes go to a file the tests read (the SMS a phone would get), and
# their limits count under this run's own keys (other runs share this Redis).
SMS_BACKEND = "file"
SMS_FILE_PATH = os.environ["XADESK_TEST_SMS_FILE"]
OTP_RATE_LIMIT_PREFIX = f"{os.environ['XADESK_TEST_CHANNEL_PREFIX']}-otp"
