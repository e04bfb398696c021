#!/bin/sh
# Makes a Wine prefix at $1 that runs current Rust programs: wineboot, then, when this
# Wine lacks bcryptprimitives.dll (Debian 12's Wine 8.0 does), the ProcessPrng stand-in
# built from bcryptprimitives.c with mingw. Used by .ci/run (for the unit tests under
# Wine) and by tests/wine.rs (for the Windows build's own prefix).
set -eu
prefix=$1
here=$(dirname "$0")
WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" wineboot --init >/dev/null 2>&1
# The registry reaches its files only when the prefix's wineserver exits: wait for that,
# so that a copy of the prefix is complete.
WINEPREFIX=$prefix wineserver -w
dll=$prefix/drive_c/windows/system32/bcryptprimitives.dll
if [ ! -e "$dll" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$dll" "$here/bcryptprimitives.c" \
    "$here/bcryptprimitives.def" -ladvapi32
  echo "this Wine lacks bcryptprimitives.dll (ProcessPrng, which Rust's std imports): using the stand-in built from tests/wine/bcryptprimitives.c"
fi
