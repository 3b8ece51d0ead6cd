# Shared pieces of the benchmark scripts (sourced, not run): the upstream nginx every proxy benchmark forwards to,
# nginx as the reverse proxy it is compared with, and the gateway config with the same single act2 route. One place,
# so the proxies under comparison stay configured alike in every script.
#
#   source "$(dirname "$0")/../lib.sh"

# N free loopback ports, taken at once so they differ: bench_free_ports 3 -> "41235 41236 41240".
bench_free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# The temp paths nginx would otherwise create under its compiled-in prefix (not writable when not root).
bench_nginx_temp_paths() {  # dir
  local t
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $1/tmp;"; done
}

# What every nginx here starts with: one worker in the foreground, files under DIR, no access log, keep-alive
# connections that last the whole run; it ends inside the open http block.
bench_nginx_head() {  # dir
  cat <<EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
$(bench_nginx_temp_paths "$1")
EOF
}

# The upstream: one nginx worker answering "ok\n" to everything (and a session header on /login, which the sticky
# benchmarks learn). Writes DIR/nginx.conf.
bench_upstream_conf() {  # dir port
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<EOF
$(bench_nginx_head "$1")
  server {
    listen 127.0.0.1:$2;
    location / { default_type text/plain; return 200 "ok\n"; }
    location = /login { add_header X-Auth-Token bench-session-token; default_type text/plain; return 200 "ok\n"; }
  }
}
EOF
}

# nginx as the reverse proxy the gateway replaces: upstream act2 with 32 idle keep-alive connections, and the same
# request headers the gateway sends with its defaults and the act2 route. Writes DIR/nginx.conf.
bench_nginx_proxy_conf() {  # dir port upstream-port
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<EOF
$(bench_nginx_head "$1")
  upstream act2 {
    server 127.0.0.1:$3;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$2;
    location / {
      proxy_pass http://act2;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
}

# The gateway with the same route: everything to upstream act2 (round robin, keepalive 32), access log off, warnings
# only; its control socket and state under DIR. EXTRA is appended to the cluster's Metadata (e.g. a Sticky item,
# starting with a comma). Writes DIR/gateway.json.
bench_gateway_conf() {  # dir port admin-port upstream-port [extra-cluster-metadata]
  mkdir -p "$1"
  cat >"$1/gateway.json" <<EOF
{
  "Gateway": {
    "Listen": [ "http://127.0.0.1:$2" ],
    "Admin": { "Listen": "http://127.0.0.1:$3" },
    "Control": { "Socket": "$1/control.sock" },
    "StateDirectory": "$1/state",
    "AccessLog": { "Format": "off" },
    "Log": { "Level": "Warning" }
  },
  "ReverseProxy": {
    "Routes": {
      "act2": {
        "ClusterId": "act2",
        "Match": { "Path": "/{**catch-all}" },
        "Metadata": { "ProxySetHeader.Host": "\$host:\$server_port" }
      }
    },
    "Clusters": {
      "act2": {
        "Metadata": { "Balance": "round_robin", "Keepalive": "32"${5:-} },
        "Destinations": { "127.0.0.1:$4": { "Address": "http://127.0.0.1:$4" } }
      }
    }
  }
}
EOF
}

# Waits up to 30 s for URL to answer "ok"; returns 1 if it never does.
bench_wait_ok() {  # url
  local _
  for _ in $(seq 1 150); do
    [[ "$(curl -s --max-time 1 "$1" 2>/dev/null)" == ok ]] && return 0
    sleep 0.2
  done
  return 1
}
