"""Run as a script (by tests/service/test_install.py), in a Python of any environment: with the
desktop app's libraries and packages made unimportable, import the service, serve it on a loopback
port, fetch its OpenAPI schema and print, as JSON, the schema's title and which of those modules got
loaded anyway. Exits non-zero when the service cannot start without them.

    python service_probe.py FOLDER   (FOLDER: for the service's database and images)
"""

import importlib.abc
import json
import socket
import sys
import threading
import urllib.request
from pathlib import Path

# The Qt, input and screen libraries, the keyring and HTTP client, and the app's own packages.
APP_ONLY = frozenset(
    {"PySide6", "shiboken6", "pynput", "mss", "keyring", "requests", "tracker", "ui", "sync"}
)


class AppOnlyUnimportable(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname.partition(".")[0] in APP_ONLY:
            raise ModuleNotFoundError(f"{fullname} is the desktop app's", name=fullname)
        return None


def main(folder: Path) -> None:
    sys.meta_path.insert(0, AppOnlyUnimportable())
    import uvicorn

    from common.wire import API_PREFIX
    from service import cli  # noqa: F401  (workdiary-service's own modules too)
    from service.app import create_app
    from service.config import ServiceConfig

    app = create_app(
        ServiceConfig(database_url=f"sqlite:///{folder / 'service.sqlite3'}", storage_dir=folder)
    )
    # Listening before uvicorn starts: the request below waits in the backlog until it serves.
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}{API_PREFIX}/openapi.json"
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            schema = json.load(answer)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    loaded = sorted(name for name in sys.modules if name.partition(".")[0] in APP_ONLY)
    print(json.dumps({"title": schema["info"]["title"], "loaded": loaded}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
