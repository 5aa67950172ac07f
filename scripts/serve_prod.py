"""make serve-prod: the contract service's production layout on this machine (docs/deploy.md).

PostgreSQL (a throwaway cluster), moto's S3 server with the service's bucket, the migrations run
once, N `workdiary-service serve` workers on loopback ports and nginx in front of them with TLS (a
self-signed certificate made here). Prints the URL and runs until Ctrl-C or SIGTERM, then stops
everything: nothing is left running, and the data goes with the cluster and the S3 server.

    python scripts/serve_prod.py [--workers 2] [--https-port 8443] [--http-port 8080] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import boto3

from common.wire import API_PREFIX
from service.local import free_port
from service.postgres_cluster import postgres_cluster

BUCKET = "workdiary"
S3_REGION, S3_KEY = "us-east-1", "moto"  # moto takes any key
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
# The service's locations, limits and forwarded headers, shared with compose.yaml's nginx.
PROXY_CONF = Path(__file__).resolve().parents[1] / "deploy" / "workdiary-proxy.conf"
NGINX_CONF = """\
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
{user}
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    log_format upstreamed '$remote_addr "$request" $status $body_bytes_sent '
                          'upstream=$upstream_addr $request_time $upstream_response_time $msec';
    access_log {folder}/nginx-access.log upstreamed;
    server_tokens off;
    client_body_temp_path {folder}/nginx-temp/body;
    proxy_temp_path {folder}/nginx-temp/proxy;
    fastcgi_temp_path {folder}/nginx-temp/fastcgi;
    uwsgi_temp_path {folder}/nginx-temp/uwsgi;
    scgi_temp_path {folder}/nginx-temp/scgi;

    upstream workdiary {{
        least_conn;  # to the worker with the fewest requests in flight, not the next in turn
{servers}
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{http_port};
        return 301 https://$host:{https_port}$request_uri;
    }}

    server {{
        listen 127.0.0.1:{https_port} ssl http2;
        ssl_certificate {folder}/tls/cert.pem;
        ssl_certificate_key {folder}/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;

        include {proxy_conf};
    }}
}}
"""


def main() -> int:
    arguments = _parser().parse_args()
    signal.signal(signal.SIGTERM, _stop_starting)
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
    if nginx is None:
        print("serve-prod: nginx is not installed (scripts/install-system-deps installs it)", file=sys.stderr)
        return 1
    with ExitStack() as stack:
        folder = arguments.folder or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="workdiary-prod-"))
        )
        folder.mkdir(parents=True, exist_ok=True)
        cluster = stack.enter_context(postgres_cluster())
        # Started in this order, stopped in the reverse: nothing answers while a piece behind it is gone.
        processes = stack.enter_context(_stopped_at_exit())
        s3_port = free_port()
        processes.append(
            _child(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
                folder / "s3.log",
            )
        )
        _wait_for(processes, f"the S3 server on port {s3_port}", lambda: _listening(s3_port))
        s3_variables = _s3_variables(f"http://127.0.0.1:{s3_port}")
        _create_bucket(s3_variables)
        environment = {
            **os.environ,
            "WORKDIARY_SERVICE_DATABASE_URL": cluster.create_database(),
            **s3_variables,
        }
        _run([sys.executable, "-m", "service", "migrate"], environment)
        if arguments.demo:
            _run([sys.executable, "-m", "service", "demo"], environment)
        workers = [free_port() for _ in range(arguments.workers)]
        for number, port in enumerate(workers, 1):
            # Only nginx (on this machine) may say who the client is, in X-Forwarded-For.
            serve = ["serve", "--port", str(port), "--forwarded-allow-ips", "127.0.0.1"]
            processes.append(
                _child(
                    [sys.executable, "-m", "service", *serve], folder / f"worker-{number}.log", environment
                )
            )
        for port in workers:
            _wait_for(
                processes, f"the worker on port {port}", lambda port=port: _ready(f"http://127.0.0.1:{port}")
            )
        _certificate(folder / "tls")
        (folder / "nginx-temp").mkdir(exist_ok=True)
        (folder / "nginx.conf").write_text(_nginx_conf(folder, workers, arguments))
        nginx_command = [
            nginx,
            "-p",
            str(folder),
            "-c",
            str(folder / "nginx.conf"),
            "-e",
            str(folder / "nginx-error.log"),
        ]
        processes.append(_child(nginx_command, folder / "nginx-error.log"))
        url = f"https://127.0.0.1:{arguments.https_port}"
        certificate = folder / "tls" / "cert.pem"
        _wait_for(processes, f"nginx on {url}", lambda: _ready(url, certificate))
        for number, (port, worker) in enumerate(zip(workers, processes[1:-1], strict=True), 1):
            print(f"worker {number} (pid {worker.pid}): http://127.0.0.1:{port}")
        print(f"nginx (pid {processes[-1].pid}): {folder / 'nginx.conf'}")
        print(f"S3 server (pid {processes[0].pid}): bucket {BUCKET} at http://127.0.0.1:{s3_port}")
        print(f"logs: {folder} (worker-N.log, nginx-access.log, nginx-error.log, s3.log)")
        print(f"database: {environment['WORKDIARY_SERVICE_DATABASE_URL']}")
        print(f"certificate: {certificate}")
        print(f"Workdiary is up on {url}{API_PREFIX}/docs (Ctrl-C stops it)", flush=True)
        stopped_by = _wait_for_a_signal_or_an_exit(processes)
        print(f"serve-prod: {stopped_by}; stopping", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=_positive, default=2, help="service worker processes (default 2)")
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080, help="redirects to HTTPS")
    parser.add_argument("--demo", action="store_true", help="seed the demo data set first")
    parser.add_argument(
        "--folder",
        type=Path,
        help="for nginx's configuration, certificate and logs, and the workers' logs "
        "(default: a temporary folder, removed at the end)",
    )
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of workers (1 or more)")
    return int(text)


def _s3_variables(url: str) -> dict[str, str]:
    return {
        "WORKDIARY_SERVICE_S3_BUCKET": BUCKET,
        "WORKDIARY_SERVICE_S3_ENDPOINT_URL": url,
        "WORKDIARY_SERVICE_S3_REGION": S3_REGION,
        "WORKDIARY_SERVICE_S3_ACCESS_KEY_ID": S3_KEY,
        "WORKDIARY_SERVICE_S3_SECRET_ACCESS_KEY": S3_KEY,
    }


def _create_bucket(s3_variables: dict[str, str]) -> None:
    boto3.client(
        "s3",
        endpoint_url=s3_variables["WORKDIARY_SERVICE_S3_ENDPOINT_URL"],
        region_name=S3_REGION,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_KEY,
    ).create_bucket(Bucket=BUCKET)


def _run(command: list[str], environment: dict[str, str]) -> None:
    subprocess.run(command, env=environment, check=True, timeout=120, start_new_session=True)


def _child(command: list[str], log: Path, environment: dict[str, str] | None = None) -> subprocess.Popen:
    with open(log, "ab") as output:
        # In a session of its own: a Ctrl-C at the terminal reaches this script alone, which stops
        # the children in order.
        return subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def _certificate(folder: Path) -> None:
    """A self-signed certificate for localhost and 127.0.0.1 (a real deployment's comes from its CA)."""
    folder.mkdir(exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def _nginx_conf(folder: Path, workers: list[int], arguments: argparse.Namespace) -> str:
    # nginx started by root runs its own worker processes as root: they write the folder's temporary files.
    user = "user root;" if os.geteuid() == 0 else ""
    return NGINX_CONF.format(
        folder=folder,
        user=user,
        servers="\n".join(f"        server 127.0.0.1:{port};" for port in workers),
        http_port=arguments.http_port,
        https_port=arguments.https_port,
        proxy_conf=PROXY_CONF,
    )


@contextmanager
def _stopped_at_exit() -> Iterator[list[subprocess.Popen]]:
    """A list of processes, stopped (SIGTERM, then SIGKILL) in reverse order at the end."""
    processes: list[subprocess.Popen] = []
    try:
        yield processes
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(processes: list[subprocess.Popen], what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if any(process.poll() is not None for process in processes) or time.monotonic() > deadline:
            raise SystemExit(f"serve-prod: {what} did not start; see the logs")
        time.sleep(0.1)  # a launcher waiting for its children to listen


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _ready(url: str, certificate: Path | None = None) -> bool:
    """Whether the service at ``url`` says it is ready (``/readyz``: its database and blob store
    answer), over TLS with ``certificate`` where there is one."""
    context = ssl.create_default_context(cafile=str(certificate)) if certificate else None
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2, context=context) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop_starting(number: int, frame: object) -> None:
    """SIGTERM while starting: unwinds as Ctrl-C does, stopping what has started."""
    raise KeyboardInterrupt


def _wait_for_a_signal_or_an_exit(processes: list[subprocess.Popen]) -> str:
    """Until Ctrl-C, SIGTERM or one of the processes ending: which it was."""
    watched = {signal.SIGINT, signal.SIGTERM, signal.SIGCHLD}
    # Blocked only now: the children started above must not inherit the mask.
    signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    while True:
        ended = [process for process in processes if process.poll() is not None]
        if ended:
            return f"{ended[0].args[0]} (pid {ended[0].pid}) ended with {ended[0].returncode}"
        received = signal.sigwait(watched)
        if received != signal.SIGCHLD:
            return signal.Signals(received).name


if __name__ == "__main__":
    sys.exit(main())
