#!/bin/sh
# Fetches the pinned llama.cpp build with the machine's own npm (never committed). Never fails the build:
# when npm, the network or the package is missing, it writes why into $TARGET/llama.cpp.missing and the
# connector reports that cause at run time.
#   fetch-llamacpp.sh library TARGET   -> TARGET/llama.cpp/ (the .so files and the package's package.json)
#   fetch-llamacpp.sh headers TARGET   -> TARGET/llama.cpp-src/ (the matching llama.cpp source, for the layout test)
set -u
what="$1"
target="$2"
version=3.21.1
mkdir -p "$target"
work="$target/npm-pack"

missing() {
  echo "$1" > "$target/llama.cpp.$what.missing"
  echo "kvbm-engine-llamacpp: $1" >&2
  exit 0
}

pack() {
  # $1 = package spec; prints the tarball path
  mkdir -p "$work"
  (cd "$work" && npm pack --loglevel=error "$1" >"$work/npm.out" 2>"$work/npm.err") ||
    missing "npm pack $1 failed: $(tail -n 3 "$work/npm.err" | tr '\n' ' ')"
  tgz=$(tail -n 1 "$work/npm.out")
  [ -n "$tgz" ] && [ -f "$work/$tgz" ] || missing "npm pack $1 produced no tarball: $(tail -n 3 "$work/npm.err" | tr '\n' ' ')"
  echo "$work/$tgz"
}

command -v npm >/dev/null 2>&1 || missing "npm is not installed; the build fetches llama.cpp with npm pack @node-llama-cpp/linux-x64@$version"
rm -f "$target/llama.cpp.$what.missing"

case "$what" in
  library)
    out="$target/llama.cpp"
    if [ -f "$out/package.json" ] && grep -q "\"version\": \"$version\"" "$out/package.json"; then exit 0; fi
    tgz=$(pack "@node-llama-cpp/linux-x64@$version") || exit 0
    [ -f "$tgz" ] || exit 0
    rm -rf "$work/lib" "$out" && mkdir -p "$work/lib" "$out"
    tar -xzf "$tgz" -C "$work/lib" || missing "cannot extract $tgz"
    cp "$work/lib/package/bins/linux-x64/"libllama.v*.so "$work/lib/package/bins/linux-x64/"libggml*.so "$work/lib/package/package.json" "$out/" ||
      missing "unexpected layout of $tgz (no bins/linux-x64/*.so)"
    rm -rf "$work/lib" "$tgz"
    ;;
  headers)
    out="$target/llama.cpp-src"
    if [ -f "$out/include/llama.h" ]; then exit 0; fi
    command -v git >/dev/null 2>&1 || missing "git is not installed (needed to clone llama/gitRelease.bundle)"
    tgz=$(pack "node-llama-cpp@$version") || exit 0
    [ -f "$tgz" ] || exit 0
    rm -rf "$work/src" "$out" && mkdir -p "$work/src"
    tar -xzf "$tgz" -C "$work/src" package/llama/gitRelease.bundle || missing "no llama/gitRelease.bundle in $tgz"
    # Only the headers are checked out (the whole tree is 200 MB).
    { git clone -q --no-checkout "$work/src/package/llama/gitRelease.bundle" "$out" &&
      git -C "$out" checkout -q HEAD -- include ggml/include; } 2>"$work/git.err" ||
      missing "git clone of gitRelease.bundle failed: $(tail -n 3 "$work/git.err" | tr '\n' ' ')"
    rm -rf "$work/src" "$tgz"
    ;;
  *) echo "usage: fetch-llamacpp.sh library|headers TARGET" >&2; exit 2 ;;
esac
exit 0
