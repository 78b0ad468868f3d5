"""Settings of the processes tests/scale starts: the production settings (every
value from the environment, as a deployment runs them), with Redis keys that
only this test run uses, since other runs share the Redis server."""

import copy
import os
from typing import Any

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS

_layer: dict[str, Any] = copy.deepcopy(CHANNEL_LAYERS["default"])
_layer["CONFIG"]["prefix"] = os.environ["XADESK_TEST_CHANNEL_PREFIX"]
CHANNEL_LAYERS = {"default": _layer}
RATE_LIMIT_PREFIX = os.environ["XADESK_TEST_RATE_LIMIT_PREFIX"]
