#!/usr/bin/env python3
"""Prints, as JSON, the stored headers of every object in an S3 bucket:
{"<key>": {"content_type": ..., "cache_control": ..., "etag": ..., "last_modified": ...}}.

    s3-object-headers.py BUCKET

Endpoint and credentials come from the usual AWS_* variables (AWS_ENDPOINT_URL included).
otasite's tests use it to check what scripts/deploy-s3.sh stored.
"""

import json
import sys

import boto3


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: s3-object-headers.py BUCKET", file=sys.stderr)
        return 2
    bucket = sys.argv[1]
    s3 = boto3.client("s3")
    headers = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            head = s3.head_object(Bucket=bucket, Key=entry["Key"])
            headers[entry["Key"]] = {
                "content_type": head.get("ContentType"),
                "cache_control": head.get("CacheControl"),
                "etag": head.get("ETag"),
                "last_modified": head["LastModified"].isoformat(),
            }
    json.dump(headers, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
