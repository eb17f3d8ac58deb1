#!/usr/bin/env bash
# The main job end to end on the embedded default (Fashion-MNIST from the Debian package
# dataset-fashion-mnist, local folder storage under ./work): installs what it needs, builds the command
# line, then runs `vvtq pipeline`: float teacher -> soft labels -> W4A4 VVTQ QAT -> evaluation ->
# integer export, printing a table and writing a PNG of the training curves.
# Extra arguments go to `vvtq pipeline` (e.g. --schedule benchmark).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/install-system-packages --main-job
./mvnw -B -ntp -q -pl cli -am package -DskipTests
exec ./vvtq pipeline "$@"
