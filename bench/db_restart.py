"""PostgreSQL restarted under load (a script, not a test; CI does not run it).

    .venv/bin/python bench/db_restart.py [--database-url postgres://postgres@127.0.0.1:5432]
        [--seconds 20] [--restart-at 6] [--clients 8] [--meetings 1000]

Serves the directory with gunicorn as in production (gunicorn.conf.py, DEBUG off, persistent
connections, the page cache off so that every request reads the database), drives it from wrk
over loopback for --seconds, restarts the local PostgreSQL cluster --restart-at seconds in
(`pg_ctlcluster --skip-systemctl-redirect 15 main restart`, as root), and counts the answers by
status. Expected: only 200 and 503 (groups.outage), no 500, and 200s again after the restart
without touching gunicorn. It restarts the machine's PostgreSQL: other clients of it lose their
connections too. The database (recovery_directory_restart) is made and filled the first time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from load import ROOT, env_for, free_port, manage, start_gunicorn

RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
PATHS = ["/meetings/?day=1", "/api/meetings/?fellowship=aa", "/fellowships/aa/"]

# Counts every answer by status in each wrk thread; done() adds them up and prints one line
# of JSON, and the times of the first and last non-200 answers.
WRK_SCRIPT = """
local paths = {%s}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() counts = {}; n = 0; first_bad = 0; last_bad = 0 end
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status ~= 200 then
    local now = os.time()
    if first_bad == 0 then first_bad = now end
    last_bad = now
  end
end
done = function(summary, latency, requests)
  local total, first, last = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[tostring(status)] = (total[tostring(status)] or 0) + count
    end
    local f, l = thread:get("first_bad"), thread:get("last_bad")
    if f > 0 and (first == 0 or f < first) then first = f end
    if l > last then last = l end
  end
  local parts = {}
  for status, count in pairs(total) do table.insert(parts, '"' .. status .. '":' .. count) end
  local e = summary.errors
  io.write(string.format(
    '{"statuses":{%%s},"requests":%%d,"connect":%%d,"read":%%d,"timeout":%%d,' ..
    '"first_bad":%%d,"last_bad":%%d}\\n', table.concat(parts, ","), summary.requests,
    e.connect, e.read, e.timeout, first, last))
end
"""


def get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    parser = argparse.ArgumentParser(description="Restart PostgreSQL under load.")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--restart-at", type=float, default=6)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--meetings", type=int, default=1000)
    args = parser.parse_args()

    url = f"{args.database_url.rstrip('/')}/recovery_directory_restart"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", url.rsplit("/", 1)[1]],
                   capture_output=True)  # fmt: skip
    static_root = tempfile.mkdtemp(prefix="restart-static-")
    env = {**env_for(url, static_root), "PAGE_CACHE_SECONDS": "0"}
    manage(env, "migrate", "--verbosity", "0")
    count = "from groups.models import Meeting; print(Meeting.objects.count())"
    probe = [sys.executable, "manage.py", "shell", "--no-imports", "-c", count]
    found = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True).stdout
    have = int(found.split()[-1])
    if have < args.meetings:
        manage(env, "generate_meetings", "--count", str(args.meetings - have), "--seed", "13")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    port = free_port()
    server = start_gunicorn(env, port)
    try:
        assert all(get(port, path) == 200 for path in PATHS), "not serving before the restart"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in PATHS))
        command = ["wrk", "-t2", f"-c{args.clients}", f"-d{args.seconds}s", "--timeout", "10s",
                   "-s", script.name, f"http://127.0.0.1:{port}"]  # fmt: skip
        out = {}
        load = threading.Thread(
            target=lambda: out.update(
                done=subprocess.run(command, capture_output=True, text=True, check=True)
            )
        )
        started = time.time()
        load.start()
        time.sleep(args.restart_at)
        restart_began = time.time()
        subprocess.run(RESTART, check=True)
        restart_took = time.time() - restart_began
        load.join()
        os.unlink(script.name)
        result = json.loads(out["done"].stdout.strip().splitlines()[-1])
        after = {path: get(port, path) for path in PATHS}
    finally:
        os.killpg(server.pid, 15)
        server.wait()

    statuses = Counter({int(k): v for k, v in result["statuses"].items()})
    first, last = result["first_bad"], result["last_bad"]
    window = f"{last - first + 1} s, from {first - int(started)} s" if first else "none"
    print(f"{result['requests']:,} requests in {args.seconds} s, {args.clients} connections; "
          f"PostgreSQL restarted at {args.restart_at:g} s (took {restart_took:.1f} s)")  # fmt: skip
    print("statuses: " + ", ".join(f"{s} × {n:,}" for s, n in sorted(statuses.items())))
    print(f"socket errors: connect {result['connect']}, read {result['read']}, "
          f"timeout {result['timeout']}; non-200 answers over {window}")  # fmt: skip
    print(f"after the run, without restarting gunicorn: {after}")
    bad = {s: n for s, n in statuses.items() if s not in (200, 503)}
    healthy = all(code == 200 for code in after.values())
    print("PASS" if not bad and healthy else f"FAIL: {bad or after}")
    sys.exit(0 if not bad and healthy else 1)


if __name__ == "__main__":
    main()
