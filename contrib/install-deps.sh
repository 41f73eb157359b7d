#!/bin/sh
# Install what building, testing and the demo need on Debian 12.
# Shared by the README's two commands and .ci/run; safe to run again.
# Daemons pulled in as test peers (bird2, frr, gobgpd, exabgp) must not be
# started by their packages: tests start their own instances in namespaces.
set -eu

pkgs="build-essential autoconf automake libtool pkg-config
  libnl-3-dev libnl-route-3-dev libyaml-dev libevent-dev libcurl4-openssl-dev
  check libedit-dev clang llvm mandoc iproute2 iputils-ping traceroute
  tcpdump tshark python3
  openssl curl bird2 frr gobgpd exabgp"
# kubectl for the fake API server's test: Debian's, unless one is there
command -v kubectl >/dev/null 2>&1 || pkgs="$pkgs kubernetes-client"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

# Keep package scripts from starting bird, frr and friends on the host.
policy=/usr/sbin/policy-rc.d
made_policy=no
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	made_policy=yes
fi
cleanup() { [ "$made_policy" = yes ] && rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
