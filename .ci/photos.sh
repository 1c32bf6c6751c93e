#!/usr/bin/env bash
# .ci/photos.sh: fetch real-photo class collections for burnish quality tests, from Debian
# packages only (apt-get download), into
#   ${BURNISH_PHOTOS_DIR:-$HOME/.cache/burnish/photos}/<set>/<class>/<file>.png
# Idempotent: a set whose .complete marker matches is skipped.
#
# Sets:
#   gcompris  (gcompris-qt-data 3.1-2; Wikimedia Commons photos, mostly PD/CC0,
#              a few CC-BY/CC-BY-SA; per-file credits copied to CREDITS/)
#     fishes 28, tools 39, monuments 27, renewable_energy 29, household 17,
#     animals 33  -- full-frame photos with natural backgrounds
#   tuxpaint  (tuxpaint-stamps-default 2022.06.04-1; GPL-2)
#     birds 35, fruit 26, flowers 24, vegetables 18, mammals 61, sea_life 11,
#     insects 7   -- real photos cut out, flattened here onto white
#
# Needs: apt-get (Debian bookworm lists), dpkg-deb, sha256sum, python3 with
# Pillow (installed via `apt-get install python3-pil` if missing and root).
# Usage: fetch_photos.sh [gcompris|tuxpaint ...]   (default: both)
set -euo pipefail

DEST="${BURNISH_PHOTOS_DIR:-$HOME/.cache/burnish/photos}"
SETS=("$@"); [ ${#SETS[@]} -eq 0 ] && SETS=(gcompris tuxpaint)

declare -A PKG=( [gcompris]=gcompris-qt-data [tuxpaint]=tuxpaint-stamps-default )
declare -A VER=( [gcompris]=3.1-2 [tuxpaint]=2022.06.04-1 )
declare -A SHA=( [gcompris]=e9cf06ab2105529068df73085784e835d2ff03f870d2a8091f09125d40abac9f
                 [tuxpaint]=6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34 )
declare -A COUNT=( [gcompris]=173 [tuxpaint]=182 )

log() { echo "fetch_photos: $*" >&2; }

find_py() {
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import PIL.Image, PIL.WebPImagePlugin' 2>/dev/null; then
      echo "$p"; return 0; fi
  done
  if [ "$(id -u)" = 0 ]; then
    log "installing python3-pil with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pil >&2 || {
      apt-get update -q >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pil >&2; }
    echo /usr/bin/python3; return 0
  fi
  log "need Pillow: run as root (apt-get install python3-pil) or pip install pillow"; return 1
}

download_deb() { # set tmpdir -> path of verified .deb
  local s=$1 tmp=$2 name="${PKG[$1]}_${VER[$1]}_all.deb"
  (cd "$tmp" && { apt-get download -q "${PKG[$s]}=${VER[$s]}" >&2 2>/dev/null || {
      [ "$(id -u)" = 0 ] && apt-get update -q >&2 && apt-get download -q "${PKG[$s]}=${VER[$s]}" >&2; }; })
  [ -f "$tmp/$name" ] || { log "download of ${PKG[$s]}=${VER[$s]} failed"; return 1; }
  echo "${SHA[$s]}  $tmp/$name" | sha256sum -c --quiet - >&2 || { log "sha256 mismatch for $name"; return 1; }
  echo "$tmp/$name"
}

for s in "${SETS[@]}"; do
  [ -n "${PKG[$s]:-}" ] || { log "unknown set $s"; exit 2; }
  out="$DEST/$s"
  if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "${SHA[$s]}" ]; then
    log "$s: present in $out, skipping"; continue; fi
  PY=$(find_py)
  tmp=$(mktemp -d); chmod 755 "$tmp"; trap 'rm -rf "$tmp"' EXIT
  deb=$(download_deb "$s" "$tmp")
  mkdir -p "$tmp/x"; dpkg-deb -x "$deb" "$tmp/x"
  rm -rf "$out.partial"; mkdir -p "$out.partial"
  "$PY" - "$s" "$tmp/x" "$out.partial" <<'PYEOF'
import os, shutil, struct, sys, zlib
from PIL import Image
setname, root, out = sys.argv[1:4]

def rcc_files(path):
    """Yield (resource path, bytes) from a Qt .rcc binary resource file."""
    b = open(path, 'rb').read()
    assert b[:4] == b'qres', path
    ver, tree, data, names = struct.unpack('>iiii', b[4:20])
    esz = 22 if ver >= 2 else 14
    def name(off):
        n, = struct.unpack('>H', b[names+off:names+off+2])
        return b[names+off+6:names+off+6+2*n].decode('utf-16-be')
    stack = [(0, '')]
    while stack:
        idx, prefix = stack.pop()
        p = tree + idx*esz
        noff, flags = struct.unpack('>iH', b[p:p+6])
        full = prefix + '/' + name(noff) if idx else ''
        if flags & 2:
            cnt, first = struct.unpack('>ii', b[p+6:p+14])
            stack += [(c, full) for c in range(first, first+cnt)]
        else:
            doff, = struct.unpack('>i', b[p+10:p+14])
            sz, = struct.unpack('>I', b[data+doff:data+doff+4])
            d = b[data+doff+4:data+doff+4+sz]
            if flags & 1: d = zlib.decompress(d[4:])
            elif flags & 4: raise SystemExit('zstd-compressed rcc entry: ' + full)
            yield full, d

def save(im, cls, stem, maxside=640):
    im.load()
    if im.mode in ('RGBA', 'LA', 'P', 'PA'):
        im = im.convert('RGBA')
        bg = Image.new('RGBA', im.size, (255, 255, 255, 255))
        bg.alpha_composite(im); im = bg
    im = im.convert('RGB')
    if max(im.size) > maxside:
        im.thumbnail((maxside, maxside), Image.LANCZOS)
    os.makedirs(os.path.join(out, cls), exist_ok=True)
    im.save(os.path.join(out, cls, stem + '.png'), optimize=True)

import io
n = 0
if setname == 'gcompris':
    rcc = os.path.join(root, 'usr/share/gcompris-qt/rcc')
    cat = '/gcompris/src/activities/categorization/resource/images/'
    classes = {cat+'fishes/': 'fishes', cat+'tools/': 'tools', cat+'monuments/': 'monuments',
               cat+'renewable/': 'renewable_energy', cat+'others/': 'household',
               '/gcompris/src/activities/erase/resource/': 'animals'}
    os.makedirs(os.path.join(out, 'CREDITS'), exist_ok=True)
    for f in ('categorization.rcc', 'erase.rcc'):
        for path, d in rcc_files(os.path.join(rcc, f)):
            for pre, cls in classes.items():
                if path.startswith(pre) and '/' not in path[len(pre):]:
                    base = path[len(pre):]
                    if base == 'README':
                        open(os.path.join(out, 'CREDITS', cls + '.txt'), 'wb').write(d)
                    elif base.endswith('.webp'):
                        save(Image.open(io.BytesIO(d)), cls, base[:-5]); n += 1
    shutil.copy(os.path.join(root, 'usr/share/doc/gcompris-qt-data/copyright'), os.path.join(out, 'CREDITS', 'debian-copyright.txt'))
else:
    st = os.path.join(root, 'usr/share/tuxpaint/stamps')
    skip = {'edward_bear', 'echidna', 'hedgehog', 'whale', 'bee', 'fly'}  # drawings, not photos
    spec = {'birds': ['animals/birds'], 'fruit': ['food/fruit'], 'flowers': ['plants/flowers'],
            'vegetables': ['food/vegetables'], 'sea_life': ['animals/fish'], 'insects': ['animals/insects'],
            'mammals': ['animals/mammals']}
    for cls, dirs in spec.items():
        for d0 in dirs:
            for dp, dn, fn in os.walk(os.path.join(st, d0)):
                dn[:] = sorted(x for x in dn if x != 'cartoon' and cls == 'mammals')
                for f in sorted(fn):
                    if f.endswith('.png') and f[:-4] not in skip:
                        save(Image.open(os.path.join(dp, f)), cls, f[:-4]); n += 1
    os.makedirs(os.path.join(out, 'CREDITS'), exist_ok=True)
    shutil.copy(os.path.join(root, 'usr/share/doc/tuxpaint-stamps-default/copyright'), os.path.join(out, 'CREDITS', 'debian-copyright.txt'))
print(n)
PYEOF
  got=$(find "$out.partial" -name '*.png' | wc -l)
  [ "$got" -eq "${COUNT[$s]}" ] || { log "$s: expected ${COUNT[$s]} images, got $got"; exit 1; }
  echo "${SHA[$s]}" > "$out.partial/.complete"
  rm -rf "$out"; mv "$out.partial" "$out"
  rm -rf "$tmp"; trap - EXIT
  log "$s: $got images in $out"
done
