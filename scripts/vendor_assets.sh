#!/usr/bin/env bash
# Vendor the JavaScript the built site loads, so pages work with no network:
#   MathJax 3 (typesets the math), require.js and the ipywidgets HTML manager (renders
#   widgets on the static site). Tarballs come from the npm registry at set-up time,
#   are checked against the SHA-256 sums below, and are unpacked into book/_vendor/
#   (ignored by git; copied into the site's _static/ by Sphinx's html_static_path).
#   axe-core (the accessibility checks of the site's browser test) is for the tests only:
#   it goes to book/_vendor/.tests/, which Sphinx leaves out of the site (a dot folder).
# Kept out of any folder named _static: Jupyter Book 1 injects every .js found there
# into every page.
set -euo pipefail
cd "$(dirname "$0")/.."

dest=book/_vendor
cache=.vendor-cache
stamp="$dest/.vendored"
pins=(
  "mathjax@3.2.2 mathjax-3.2.2.tgz 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09"
  "requirejs@2.3.8 requirejs-2.3.8.tgz 777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec"
  "@jupyter-widgets/html-manager@1.0.15 jupyter-widgets-html-manager-1.0.15.tgz 2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638"
  "axe-core@4.10.3 axe-core-4.10.3.tgz 0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292"
)
want=$(printf '%s\n' "${pins[@]}" | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "vendor_assets: npm is needed once to fetch MathJax, require.js, the widget manager and axe-core (apt-get install npm)" >&2; exit 1; }

mkdir -p "$cache"
for pin in "${pins[@]}"; do
  read -r spec file sum <<<"$pin"
  if [ ! -f "$cache/$file" ] || ! echo "$sum  $cache/$file" | sha256sum -c --quiet - 2>/dev/null; then
    echo "vendor_assets: fetching $spec from the npm registry"
    (cd "$cache" && npm pack --silent "$spec" >/dev/null 2>&1) || {
      echo "vendor_assets: could not fetch $spec; with no network, put $file into $cache/ and run again" >&2; exit 1; }
  fi
  echo "$sum  $cache/$file" | sha256sum -c --quiet - || { echo "vendor_assets: $cache/$file has the wrong checksum: delete it and run again" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pin in "${pins[@]}"; do
  read -r spec file sum <<<"$pin"
  mkdir -p "$tmp/${file%.tgz}" && tar xzf "$cache/$file" -C "$tmp/${file%.tgz}"
done
rm -rf "$dest.new" && mkdir -p "$dest.new/html-manager"
cp -r "$tmp/mathjax-3.2.2/package/es5" "$dest.new/mathjax"
cp "$tmp/mathjax-3.2.2/package/LICENSE" "$dest.new/mathjax/LICENSE"
cp "$tmp/requirejs-2.3.8/package/require.js" "$dest.new/require.js"
hm="$tmp/jupyter-widgets-html-manager-1.0.15/package"
cp "$hm/dist/embed-amd.js" "$hm"/dist/*.woff* "$hm"/dist/*.ttf "$hm"/dist/*.eot "$hm"/dist/*.svg "$dest.new/html-manager/"
cp "$hm/LICENSE" "$dest.new/html-manager/LICENSE" 2>/dev/null || true
mkdir -p "$dest.new/.tests/axe-core"
cp "$tmp/axe-core-4.10.3/package/axe.min.js" "$tmp/axe-core-4.10.3/package/LICENSE" "$dest.new/.tests/axe-core/"
echo "$want" > "$dest.new/.vendored"
rm -rf "$dest" && mv "$dest.new" "$dest"
echo "vendor_assets: MathJax, require.js, the widget manager (and the tests' axe-core) are in $dest/"
