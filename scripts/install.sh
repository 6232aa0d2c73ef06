#!/usr/bin/env bash
# Install xstilts' dependencies. One script for `make setup`, CI and the Docker images.
#   scripts/install.sh system            Debian packages: Apertium eng->spa MT, FreeDict lexicons (every
#                                        eng-XXX and XXX-eng dictionary Debian ships for an XTREME-R language)
#   scripts/install.sh system-dev        Debian tools the test suite uses (docker-compose to validate the stack,
#                                        PostgreSQL for the job-store tests, Chromium and npm for the console's
#                                        browser tests)
#   scripts/install.sh console-tests     axe-core for the console's browser tests (npm ci in tests/ui)
#   scripts/install.sh python VENV EXTRAS [-e]  a virtual environment with xstilts[EXTRAS]
# Environment: XSTILTS_FREEDICT replaces the dictionary list ("eng-spa eng-deu"); TORCH picks the torch build
# (default torch==2.13.0, a CPU build; set TORCH=torch on a GPU machine for the CUDA build).
set -euo pipefail

apt_install() {
  local missing="" p sudo=""
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "xstilts needs these Debian packages:$missing; install them with your package manager" >&2
    exit 1
  fi
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# FreeDict dictionaries Debian ships for XTREME-R languages (apt-cache search freedict): English->X ...
FREEDICT_FORWARD="afr ara bul deu ell fin fra hin hun ind ita jpn lit nld pol por rus spa swh tur"
# ... and X->English (used to rank senses, and inverted where no English->X dictionary exists).
FREEDICT_REVERSE="afr ara deu ell fin fra hun ita jpn lit nld pol por spa swh tur"
# Other dictd dictionaries: Mueller's English-Russian (40k headwords; FreeDict eng-rus has 1.7k).
DICTD_OTHER="mueller7-dict"

system() {
  local p pkgs="apertium apertium-eng-spa" dicts=""
  for p in $FREEDICT_FORWARD; do dicts="$dicts eng-$p"; done
  for p in $FREEDICT_REVERSE; do dicts="$dicts $p-eng"; done
  for p in ${XSTILTS_FREEDICT:-$dicts}; do pkgs="$pkgs dict-freedict-$p"; done
  apt_install $pkgs $DICTD_OTHER
}

torch_current() {  # does the environment $1 hold the torch build that spec $2 names?
  local venv="$1" spec="$2"
  "$venv/bin/python" -c "import torch" 2>/dev/null || return 1
  if [ -f "$venv/.torch-installed" ]; then
    [ "$(cat "$venv/.torch-installed")" = "$spec" ]
    return
  fi
  # No record of how torch got there: a pinned spec still matches by version.
  case "$spec" in
    torch==*) [ "$("$venv/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')" = "${spec#torch==}" ] ;;
    *) return 1 ;;
  esac
}

python_env() {
  local venv="$1" extras="$2" editable="${3:-}" torch="${TORCH:-torch==2.13.0}"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  if ! torch_current "$venv" "$torch"; then
    "$venv/bin/python" -m pip uninstall -q -y torch >/dev/null 2>&1 || true
    "$venv/bin/python" -m pip install -q "$torch"
  fi
  echo "$torch" > "$venv/.torch-installed"
  "$venv/bin/python" -m pip install -q $editable ".[$extras]"
}

case "${1:-}" in
  system) system ;;
  system-dev)
    apt_install docker-compose postgresql chromium chromium-driver
    # A Node.js that ships its own npm (NodeSource's) conflicts with Debian's npm package.
    command -v npm >/dev/null || apt_install npm ;;
  console-tests)
    command -v npm >/dev/null || { echo "npm is missing: run scripts/install.sh system-dev (Debian npm)" >&2; exit 1; }
    (cd "$(dirname "$0")/../tests/ui" && npm ci --no-audit --no-fund) ;;
  python) python_env "${2:?venv path}" "${3:?extras}" "${4:-}" ;;
  *) echo "usage: $0 system | system-dev | console-tests | python VENV EXTRAS [-e]" >&2; exit 2 ;;
esac
