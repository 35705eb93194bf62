"""Headless Chromium driven over the DevTools protocol, with nothing but the standard library.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands (JSON, each
ended by a NUL byte) on file descriptor 3 and writes replies and events on descriptor 4. One
``Tab`` is one page target; it records what the site's tests look at:

- every response (address, status, bytes on the wire) and every failed request;
- console errors, uncaught exceptions and the browser's own error log (a 404 lands there);

and evaluates JavaScript in the page (``tab.js("document.title")``). Every host but the
local server resolves to nothing, so a page that needs the internet fails here.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class ProtocolError(RuntimeError):
    pass


@dataclass
class Load:
    """What loading one page cost and reported."""
    url: str
    responses: dict = field(default_factory=dict)      # request id -> [url, status]
    bytes: dict = field(default_factory=dict)          # request id -> bytes received
    failed: list = field(default_factory=list)         # (url, error text)
    errors: list = field(default_factory=list)         # console errors, exceptions, error log

    @property
    def transferred(self) -> int:
        return sum(self.bytes.values())

    def not_found(self) -> list[str]:
        return [f"{status} {url}" for url, status in self.responses.values() if status >= 400]

    def by_resource(self) -> list[tuple[int, str]]:
        """(bytes, address) of every response, heaviest first."""
        return sorted(((self.bytes.get(i, 0), r[0]) for i, r in self.responses.items()), reverse=True)


class Browser:
    """One headless Chromium; ``tab()`` opens a page target. Use as a context manager."""

    def __init__(self, timeout: float = 60):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="cnn-chromium-")
        to_browser, self._out = os.pipe()              # we write commands, Chromium reads fd 3
        self._in, from_browser = os.pipe()             # Chromium writes fd 4, we read
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-extensions", "--disable-quic", "--hide-scrollbars", "--mute-audio",
                   f"--user-data-dir={self._profile}", "--remote-debugging-pipe",
                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "about:blank"]

        def fds():                                      # in the child: the pipes on fds 3 and 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        # close_fds=False: the parent's other descriptors are close-on-exec already (PEP 446)
        self._proc = subprocess.Popen(command, preexec_fn=fds, close_fds=False,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._next = 0
        self._lock = threading.Lock()
        self._replies: dict[int, queue.Queue] = {}
        self._listeners: dict[str, list] = {}          # session id -> [callback]
        threading.Thread(target=self._read, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._in, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    box = self._replies.pop(message["id"], None)
                    if box is not None:
                        box.put(message)
                else:
                    for callback in self._listeners.get(message.get("sessionId", ""), []):
                        callback(message["method"], message.get("params", {}))

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float | None = None) -> dict:
        with self._lock:
            self._next += 1
            number = self._next
            box = self._replies[number] = queue.Queue()
            message = {"id": number, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(self._out, json.dumps(message).encode() + b"\0")
        try:
            reply = box.get(timeout=timeout or self.timeout)
        except queue.Empty:
            raise ProtocolError(f"{method}: no reply within {timeout or self.timeout} s") from None
        if "error" in reply:
            raise ProtocolError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def tab(self, width: int, height: int, mobile: bool = False) -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Tab(self, session, width, height, mobile)


class Tab:
    """One page, at one window size; ``open(url)`` loads a page and returns its ``Load``."""

    def __init__(self, browser: Browser, session: str, width: int, height: int, mobile: bool):
        self.browser, self.session = browser, session
        self.width, self.height = width, height
        self.load: Load | None = None
        self._inflight: set = set()
        self._loaded = threading.Event()
        self._last_activity = time.monotonic()
        browser._listeners[session] = [self._event]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Network.setCacheDisabled", {"cacheDisabled": True})   # every page pays in full
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        if mobile:
            self.send("Emulation.setTouchEmulationEnabled", {"enabled": True})

    def send(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def _event(self, method: str, p: dict) -> None:
        load = self.load
        if load is None:
            return
        self._last_activity = time.monotonic()
        if method == "Network.requestWillBeSent":
            self._inflight.add(p["requestId"])
        elif method == "Network.responseReceived":
            load.responses[p["requestId"]] = [p["response"]["url"], p["response"]["status"]]
        elif method == "Network.loadingFinished":
            self._inflight.discard(p["requestId"])
            load.bytes[p["requestId"]] = int(p.get("encodedDataLength", 0))
        elif method == "Network.loadingFailed":
            self._inflight.discard(p["requestId"])
            if not p.get("canceled"):
                url = load.responses.get(p["requestId"], [p["requestId"]])[0]
                load.failed.append((url, p.get("errorText", "")))
        elif method == "Page.loadEventFired":
            self._loaded.set()
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            load.errors.append(f"console.{p['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            load.errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            load.errors.append(f"{e.get('source')}: {e.get('text')} {e.get('url', '')}".strip())

    def open(self, url: str, settle: float = 0.6, timeout: float = 45) -> Load:
        """Load ``url`` and wait until the network has been quiet for ``settle`` seconds."""
        self.load = Load(url)
        self._inflight.clear()
        self._loaded.clear()
        self.send("Page.bringToFront")          # a background tab paints nothing (no screenshot)
        self.send("Page.navigate", {"url": url})
        if not self._loaded.wait(timeout):
            raise ProtocolError(f"{url}: no load event within {timeout} s")
        self.settle(settle, timeout)
        return self.load

    def settle(self, quiet: float = 0.4, timeout: float = 20) -> None:
        """Wait until nothing has been requested or received for ``quiet`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self._inflight and time.monotonic() - self._last_activity > quiet:
                return
            time.sleep(0.05)

    def js(self, expression: str, timeout: float = 20):
        """The value of a JavaScript expression in the page (awaited when it is a promise)."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in reply:
            d = reply["exceptionDetails"]
            raise ProtocolError(f"{expression[:80]}: {d.get('exception', {}).get('description') or d.get('text')}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15, every: float = 0.1):
        """Evaluate ``expression`` until it is truthy; return its value (or the last falsy one)."""
        end = time.monotonic() + timeout
        value = self.js(expression)
        while not value and time.monotonic() < end:
            time.sleep(every)
            value = self.js(expression)
        return value

    def click(self, selector: str) -> None:
        """A real mouse click (pressed and released) at the centre of the first visible match."""
        box = self.js(f"""(function () {{
            var all = document.querySelectorAll({json.dumps(selector)});
            for (var i = 0; i < all.length; i++) {{
              var r = all[i].getBoundingClientRect();
              if (r.width > 0 && r.height > 0) {{
                all[i].scrollIntoView({{block: "center"}});
                r = all[i].getBoundingClientRect();
                return [r.left + r.width / 2, r.top + r.height / 2];
              }}
            }}
            return null; }})()""")
        if box is None:
            raise ProtocolError(f"no visible element matches {selector!r}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

    def screenshot(self, path, full_page: bool = False) -> None:
        import base64
        self.send("Page.bringToFront")
        params = {"format": "png"}
        if full_page:
            size = self.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 16000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, timeout=60)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
