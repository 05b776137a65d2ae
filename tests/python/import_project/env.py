# liminal/env.py of the project run_import_check.sh imports: the emulator redirection of
# ../project/emulator_env.py, and one plain import of the models package (shop_models/, which
# the script fills with models_v1/ or models_v2/ before each revision).
#
# liminal hard-codes https://{tenant}.benchling.com; this file runs before liminal builds its
# client, so it redirects the SDK's base URL and token URL to EMU_URL (benchling-api.md §5.3)
# and lifts liminal's client-side rate limiter (0.8 req/s after a burst of 50 per process).
import os

import benchling_sdk.benchling as _benchling
import liminal.utils as _liminal_utils
from liminal.connection import BenchlingConnection
from liminal.connection import benchling_service as _service

EMU_URL = os.environ["EMU_URL"].rstrip("/")

_original_init = _benchling.Benchling.__init__


def _redirected_init(self, *args, **kwargs):
    kwargs["url"] = EMU_URL
    _original_init(self, *args, **kwargs)


_benchling.Benchling.__init__ = _redirected_init


class _EmulatorClientCredentials(_service.ClientCredentialsOAuth2):
    def __init__(self, client_id, client_secret, token_url=None, **kwargs):
        super().__init__(client_id=client_id, client_secret=client_secret, token_url=EMU_URL + "/api/v2/token", **kwargs)


_service.ClientCredentialsOAuth2 = _EmulatorClientCredentials
_liminal_utils.RATE_LIMIT_REQUESTS_PER_SECOND = 10_000.0
_liminal_utils.RATE_LIMIT_BURST = 10_000

connection = BenchlingConnection(
    tenant_name="emulator",
    tenant_alias="emu",
    api_client_id=os.environ.get("EMU_CLIENT_ID", "liminal"),
    api_client_secret=os.environ.get("EMU_CLIENT_SECRET", "liminal"),
)

from shop_models import *  # noqa: F401,F403,E402
