#!/usr/bin/env bash
# Debian packages xstilts uses offline: Apertium eng->spa MT and FreeDict bilingual lexicons.
# Used by `make setup`, CI and the Docker images. Extra dictionaries: XSTILTS_FREEDICT="eng-fra eng-ita".
set -euo pipefail
langs="eng-spa eng-deu eng-swh eng-tur eng-fra eng-ita eng-por eng-rus eng-hin eng-ell ${XSTILTS_FREEDICT:-}"
pkgs="apertium apertium-eng-spa"
for l in $langs; do pkgs="$pkgs dict-freedict-$l"; done
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "xstilts needs these Debian packages:$missing (install them with your package manager)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
