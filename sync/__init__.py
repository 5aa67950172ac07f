"""The contract service client and the outbox worker."""

import sys
import warnings

# requests would import charset_normalizer, 3 MB of the app's memory, to guess the encoding of an
# answer that names none. The service answers JSON, which is UTF-8 (RFC 8259): without it requests
# reads such an answer as UTF-8, and says once at its import that it has no guesser. (None in
# sys.modules is the import system's "cannot be imported".)
sys.modules.setdefault("charset_normalizer", None)  # type: ignore[arg-type]
warnings.filterwarnings("ignore", "Unable to find acceptable character detection", module="requests")
