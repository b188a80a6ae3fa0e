#!/usr/bin/env bash
# Uploads a site built by `otasite build` to S3 with the Content-Type and Cache-Control each
# kind of file needs, removes what the new build no longer has, and invalidates CloudFront.
#
#   deploy-s3.sh DIST BUCKET[/PREFIX] [CLOUDFRONT_DISTRIBUTION_ID]
#
# Uses the AWS CLI (v1 or v2) with its usual credentials, and AWS_ENDPOINT_URL when set.
# INVALIDATION_PATHS (space-separated) replaces the default CloudFront path "/*".
# `aws s3 sync` guesses no type for .plist, .ipa and .apk, so every pass sets its headers itself.
# otasite's guide (docs/deploy-s3.md) and its tests run these exact commands.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: deploy-s3.sh DIST BUCKET[/PREFIX] [CLOUDFRONT_DISTRIBUTION_ID]" >&2
  exit 2
fi
dist=${1%/}
target="s3://${2%/}"
distribution=${3:-}
if [ ! -f "$dist/catalog.json" ]; then
  echo "error: $dist/catalog.json is missing: DIST must be a site built by otasite build" >&2
  exit 2
fi

NO_CACHE="no-cache"
IMMUTABLE="public, max-age=31536000, immutable"
SHORT="public, max-age=3600"

# Theme assets whose name holds the hash of their content (static/style.0123abcd.css): the
# same test as otasite::hosting::is_fingerprinted.
HASH="[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
FINGERPRINTED=(--include "static/*.$HASH.*" --include "static/*.$HASH")

# Files for other hosts and otasite's marker: never uploaded, and so never deleted either.
NOT_UPLOADED=(--exclude ".nojekyll" --exclude "CNAME" --exclude "_headers" --exclude ".otasite")

# Later filters win; patterns are relative to DIST and `*` also matches `/`.
sync() {
  aws s3 sync "$dist" "$target" --no-progress --only-show-errors "$@"
}

# 1. Versioned files first, so that no page uploaded later links to a missing one. A build's
#    folder holds its version and a fingerprinted asset's name its hash, so an existing
#    object never changes: --size-only skips them.
echo "deploy-s3: .ipa and .apk archives, icons and fingerprinted theme assets (cached for a year)"
sync --size-only --exclude "*" --include "*.ipa" \
  --content-type "application/octet-stream" --cache-control "$IMMUTABLE"
sync --size-only --exclude "*" --include "*.apk" \
  --content-type "application/vnd.android.package-archive" --cache-control "$IMMUTABLE"
sync --size-only --exclude "*" --include "*/icon-57.png" --include "*/icon-512.png" \
  --content-type "image/png" --cache-control "$IMMUTABLE"
sync --size-only --exclude "*" "${FINGERPRINTED[@]}" --cache-control "$IMMUTABLE"

# 2. Theme assets under their own names: cached for an hour; the CLI guesses their type.
echo "deploy-s3: static/ under its own names (cached for an hour)"
sync --exclude "*" --include "static/*" --exclude "static/*.$HASH.*" --exclude "static/*.$HASH" \
  --cache-control "$SHORT"

# 3. Files that change in place: manifests, pages, catalog and feed, revalidated every time.
echo "deploy-s3: manifests, pages, catalog.json, feed.xml, profiles (no-cache)"
sync --exclude "*" --include "*.plist" --exclude "static/*" \
  --content-type "text/xml" --cache-control "$NO_CACHE"
sync --exclude "*" --include "*.html" --exclude "static/*" \
  --content-type "text/html; charset=utf-8" --cache-control "$NO_CACHE"
sync --exclude "*" --include "catalog.json" \
  --content-type "application/json" --cache-control "$NO_CACHE"
sync --exclude "*" --include "feed.xml" \
  --content-type "application/atom+xml" --cache-control "$NO_CACHE"
sync --exclude "*" --include "*.mobileconfig" --exclude "static/*" \
  --content-type "application/x-apple-aspen-config" --cache-control "$NO_CACHE"

# 4. Anything else (files a custom theme may add): cached for an hour.
sync --exclude "*.ipa" --exclude "*.apk" --exclude "*/icon-57.png" --exclude "*/icon-512.png" \
  --exclude "static/*" --exclude "*.plist" --exclude "*.html" \
  --exclude "catalog.json" --exclude "feed.xml" --exclude "*.mobileconfig" \
  "${NOT_UPLOADED[@]}" --cache-control "$SHORT"

# 5. Delete what the new build no longer has, last, so that the old pages never link to a
#    deleted file while the upload runs. Everything was just uploaded: nothing is sent again.
echo "deploy-s3: removing objects the new build no longer has"
sync --size-only --delete "${NOT_UPLOADED[@]}"

# 6. CloudFront: a wildcard may only end a path, and "/*" counts as one path however many
#    objects it covers (1,000 paths a month are free).
if [ -n "$distribution" ]; then
  read -r -a paths <<<"${INVALIDATION_PATHS:-/*}"
  echo "deploy-s3: invalidating ${paths[*]} on CloudFront distribution $distribution"
  aws cloudfront create-invalidation --distribution-id "$distribution" \
    --paths "${paths[@]}" --query "Invalidation.Id" --output text
fi
echo "deploy-s3: done: $dist -> $target"
