#!/usr/bin/env bash
# Names the browser bundle's files after their content and stores compressed copies, for the
# server's asset policy (server/src/assets.rs):
#   scripts/fingerprint-site.sh SITE [debug|release]
# SITE/pkg holds privacy-portal.{js,wasm,css}. Each gets a copy named privacy-portal.<16 hex
# digits of its SHA-256>.<ext>, which the server lets a browser keep for a year without asking
# again (a new build has new names); the pages name those through SITE/hash.txt. The unhashed
# names stay for the no-JavaScript error page. Every file also gets a gzip and, where the brotli
# tool is installed (scripts/setup.sh), a brotli copy, sent as they are to a browser that
# accepts them (no compression work per request). Run by scripts/build-site.sh and bench/run.sh.
set -euo pipefail
site=${1:?usage: fingerprint-site.sh SITE [debug|release]}
mode=${2:-debug}
pkg="$site/pkg"
name="${LEPTOS_OUTPUT_NAME:-privacy-portal}"

printf '\n== %s\n' "naming the bundle files after their content, with compressed copies" >&2
rm -f "$pkg/$name".*.js "$pkg/$name".*.wasm "$pkg/$name".*.css "$pkg"/*.gz "$pkg"/*.br
hashes=""
for ext in js wasm css; do
  hash=$(sha256sum "$pkg/$name.$ext" | cut -c1-16)
  cp "$pkg/$name.$ext" "$pkg/$name.$hash.$ext"
  hashes+="$ext: $hash"$'\n'
done
# Release: the smallest files (once per build); debug: fast levels, the bundle is 15 MB.
if [[ $mode == release ]]; then gzip_level=9 brotli_quality=11; else gzip_level=6 brotli_quality=5; fi
while IFS= read -r -d '' file; do
  gzip -k -f -n "-$gzip_level" "$file"
  if command -v brotli >/dev/null; then brotli -k -f -q "$brotli_quality" "$file"; fi
done < <(find "$pkg" -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) -print0)
# Last, and whole: a server starting now never reads hashes of files that are not there yet.
printf '%s' "$hashes" > "$site/hash.txt.tmp" && mv "$site/hash.txt.tmp" "$site/hash.txt"
