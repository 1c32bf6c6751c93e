"""Writes www/pkg/app-runtime.zip: what every exported web app is made of besides its project —
the app's page (www/app), the offline service worker (sw.js), the library (www/lib, with its vendored idb), the QR code generator
(npm qrcode-generator) and the CPU-only wasm package (www/pkg/cpu). The trainer page and `burnish
export-app` both copy it into the apps they write, so both write the same bytes. Entries are
sorted, dated 1980-01-01 and deflated at level 9, so a rebuild of the same files is identical."""

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WWW = ROOT / "www"
OUT = WWW / "pkg" / "app-runtime.zip"

files = {}
for path in sorted((WWW / "app").rglob("*")):
    if path.is_file():
        files[path.relative_to(WWW / "app").as_posix()] = path
for path in sorted((WWW / "lib").rglob("*")):
    if path.is_file() and path.suffix in (".js", ".ts"):
        files["lib/" + path.relative_to(WWW / "lib").as_posix()] = path
files["sw.js"] = ROOT / "sw.js"
files["vendor/qrcode.js"] = ROOT / "node_modules/qrcode-generator/dist/qrcode.mjs"
for name in ("burnish.js", "burnish_bg.wasm"):
    files["pkg/" + name] = WWW / "pkg" / "cpu" / name

missing = [str(p) for p in files.values() if not p.is_file()]
if missing:
    sys.exit(f"app-runtime: missing {', '.join(missing)} (run npm run setup and the wasm build)")
tmp = OUT.with_suffix(".zip.partial")
with zipfile.ZipFile(tmp, "w") as archive:
    for name in sorted(files):
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, files[name].read_bytes(), compresslevel=9)
tmp.replace(OUT)
print(f"{OUT.relative_to(ROOT)}: {len(files)} files, {OUT.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
