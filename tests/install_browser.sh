#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver, which tests/integration/test_report.py opens the run report in. Installs
# them where they are missing and this user may install Debian packages; elsewhere says that the
# browser test will be skipped. Never fails the command it is part of.
set -u
have() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }
have && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium chromium-driver >/dev/null 2>&1; }
fi
have && exit 0
echo "install_browser.sh: Chromium is not installed (as root: apt-get install chromium chromium-driver);" \
     "the report's browser test will be skipped" >&2
exit 0
