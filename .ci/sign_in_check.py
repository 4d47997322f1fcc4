"""After the README's run command has started the app: sign in as the first demo account the
command printed and load the dashboard, as a newcomer would. Exits non-zero when that fails."""

from __future__ import annotations

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

BASE = "http://127.0.0.1:5000"


def main(log_path: str) -> int:
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        log = handle.read()
    accounts = re.findall(r"^\s+Liaison officer\s+(\S+@\S+)\s+(\S+)\s*$", log, re.MULTILINE)
    if not accounts:
        print("no demo liaison officer sign-in printed by the run command", file=sys.stderr)
        return 1
    email, password = accounts[0]
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{BASE}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        print("the sign-in page has no CSRF token", file=sys.stderr)
        return 1
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": password}
    ).encode()
    response = opener.open(f"{BASE}/login", data=form)  # follows the redirect
    body = response.read().decode()
    if response.status != 200 or "Good to see you" not in body or "Signed in as" not in body:
        print(f"signing in as {email} did not reach the dashboard:\n{body[:2000]}", file=sys.stderr)
        return 1
    print(f"signed in as {email} and loaded the dashboard ({response.url})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
