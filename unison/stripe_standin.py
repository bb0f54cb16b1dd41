"""Run the local Stripe stand-in for ``make run``: the Procfile's ``stripe`` process.

    python -m unison.stripe_standin --port 12111 --webhooks http://localhost:8000

Start ``python -m devstripe`` (localstripe and our extension, on 127.0.0.1), wait until it answers,
sync the catalog into it and register our webhook endpoint with it (both commands are idempotent),
print one line saying so, then stay in the foreground with it until honcho stops the group. The
other processes reach it through ``STRIPE_API_BASE``, which ``unison/devservices.py`` exports.
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import time
import urllib.error
import urllib.request

from devstripe.process import API_KEY
from unison.settings.env import BASE_DIR

# Where the stand-in keeps its objects across restarts, as the database keeps ours.
STORE = BASE_DIR / ".devdata" / "devstripe.pickle"
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]


def devstripe_command(port: int) -> list[str]:
    """Return the command that serves the stand-in on ``port``, keeping its store when it can."""
    command = [sys.executable, "-m", "devstripe", "--port", str(port)]
    usage = subprocess.run([*command[:3], "--help"], capture_output=True, text=True, cwd=BASE_DIR).stdout
    if "--store" in usage:  # a devstripe without --store starts empty every time
        command += ["--store", str(STORE)]
    return command


def answers(url: str) -> bool:
    """Return whether the stand-in answers an authenticated ``GET /v1/account``."""
    token = base64.b64encode(f"{API_KEY}:".encode()).decode()
    request = urllib.request.Request(f"{url}/v1/account", headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def manage(*args: str) -> str | None:
    """Run a management command; return None if it worked, else its output."""
    done = subprocess.run([*MANAGE, *args], capture_output=True, text=True, cwd=BASE_DIR)
    return None if done.returncode == 0 else done.stdout + done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhooks", required=True, help="our public base URL, where the stand-in sends webhooks")
    args = parser.parse_args(argv)
    url = f"http://127.0.0.1:{args.port}"

    server = subprocess.Popen(devstripe_command(args.port), cwd=BASE_DIR)
    deadline = time.monotonic() + 30
    while not answers(url):
        if server.poll() is not None:
            print(f"local Stripe stand-in: exited with {server.returncode} before answering on {url}", flush=True)
            return server.returncode or 1
        if time.monotonic() > deadline:
            print(f"local Stripe stand-in: no answer on {url} after 30 s", flush=True)
            server.terminate()
            return 1
        time.sleep(0.2)

    for command in (["sync_stripe_catalog"], ["setup_stripe_webhook", args.webhooks]):
        failure = manage(*command)
        if failure is not None:
            print(failure, end="", flush=True)
            print(f"local Stripe stand-in on {url}: `manage.py {' '.join(command)}` FAILED (above); "
                  "billing will not work until it succeeds", flush=True)
            break
    else:
        print(f"local Stripe stand-in on {url}: catalog synced, webhooks to {args.webhooks} — no money moves",
              flush=True)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main())
