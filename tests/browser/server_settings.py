"""Settings of the uvicorn process the browser tests start: the test settings,
on a channel-layer prefix that only this test run uses."""

import copy
import os
from typing import Any

from config.test_settings import *  # noqa: F403
from config.test_settings import CHANNEL_LAYERS

_layer: dict[str, Any] = copy.deepcopy(CHANNEL_LAYERS["default"])
_layer["CONFIG"]["prefix"] = os.environ["XADESK_TEST_CHANNEL_PREFIX"]
CHANNEL_LAYERS = {"default": _layer}
