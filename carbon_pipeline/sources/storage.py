"""Listing and fetching export files from a local folder or an S3 prefix.

S3 goes through boto3 (DuckDB's httpfs extension cannot be installed offline), with the standard
credential chain: nothing here reads, logs or stores a credential. Objects are downloaded once into
a cache keyed by ETag, so a nightly run over an unchanged month downloads nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol
from urllib.parse import urlparse

DATA_SUFFIXES = (".csv.gz", ".csv", ".parquet")
MANIFEST_SUFFIX = "-Manifest.json"


class SourceFileError(RuntimeError):
    """A source file that cannot be read; the message names the file (and column or row if known)."""


@dataclass(frozen=True)
class StoredObject:
    uri: str  # s3://bucket/key or an absolute local path: what users see in x_source_file
    key: str  # path relative to the source location, '/'-separated
    size: int
    version: str  # S3 ETag, or size+mtime for a local file: changes whenever the content may have
    last_modified: float

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def is_manifest(self) -> bool:
        return self.key.endswith(MANIFEST_SUFFIX)

    @property
    def is_data(self) -> bool:
        return self.key.lower().endswith(DATA_SUFFIXES)

    @property
    def cache_key(self) -> str:
        return hashlib.sha256(f"{self.uri}\0{self.version}".encode()).hexdigest()[:24]


class ObjectStore(Protocol):
    location: str

    def list(self) -> list[StoredObject]: ...

    def read_bytes(self, obj: StoredObject) -> bytes: ...

    def local_path(self, obj: StoredObject) -> Path: ...


class LocalStore:
    """A folder of exports (synced from S3, or copied by hand); files are read in place."""

    def __init__(self, location: str | os.PathLike):
        self.location = str(location)
        self.root = Path(location)

    def list(self) -> list[StoredObject]:
        if not self.root.is_dir():
            raise SourceFileError(f"{self.root}: source folder does not exist")
        objects = []
        for path in sorted(self._walk()):
            stat = path.stat()
            objects.append(
                StoredObject(
                    uri=str(path),
                    key=path.relative_to(self.root).as_posix(),
                    size=stat.st_size,
                    version=f"{stat.st_size}-{stat.st_mtime_ns}",
                    last_modified=stat.st_mtime,
                )
            )
        return objects

    def _walk(self) -> Iterator[Path]:
        for dirpath, _dirnames, filenames in os.walk(self.root):
            for filename in filenames:
                path = Path(dirpath) / filename
                if filename.endswith(MANIFEST_SUFFIX) or filename.lower().endswith(DATA_SUFFIXES):
                    yield path

    def read_bytes(self, obj: StoredObject) -> bytes:
        return Path(obj.uri).read_bytes()

    def local_path(self, obj: StoredObject) -> Path:
        return Path(obj.uri)


class S3Store:
    """An s3://bucket/prefix, downloaded into ``cache_dir`` keyed by ETag."""

    def __init__(self, location: str, cache_dir: Path, region: str | None = None, client=None):
        parsed = urlparse(location)
        self.location = location
        self.bucket = parsed.netloc
        self.prefix = parsed.path.lstrip("/")
        if self.prefix and not self.prefix.endswith("/"):
            self.prefix += "/"
        self.cache_dir = Path(cache_dir) / "s3" / self.bucket
        if client is None:
            import boto3  # the standard chain: env, profile, SSO, instance role...

            client = boto3.client("s3", region_name=region)
        self.client = client

    def list(self) -> list[StoredObject]:
        objects = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if not (key.endswith(MANIFEST_SUFFIX) or key.lower().endswith(DATA_SUFFIXES)):
                        continue
                    objects.append(
                        StoredObject(
                            uri=f"s3://{self.bucket}/{key}",
                            key=key[len(self.prefix):],
                            size=int(item["Size"]),
                            version=item["ETag"].strip('"'),
                            last_modified=item["LastModified"].timestamp(),
                        )
                    )
        except Exception as exc:  # botocore errors carry no secrets, only codes and the bucket
            raise SourceFileError(f"{self.location}: cannot list objects: {_describe(exc)}") from None
        return sorted(objects, key=lambda o: o.key)

    def read_bytes(self, obj: StoredObject) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._full_key(obj))["Body"].read()
        except Exception as exc:
            raise SourceFileError(f"{obj.uri}: cannot read: {_describe(exc)}") from None

    def local_path(self, obj: StoredObject) -> Path:
        """Download once per ETag; a partial download never lands under its final name."""
        target = self.cache_dir / obj.version / obj.name
        if target.is_file() and target.stat().st_size == obj.size:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        try:
            self.client.download_file(self.bucket, self._full_key(obj), str(partial))
        except Exception as exc:
            partial.unlink(missing_ok=True)
            raise SourceFileError(f"{obj.uri}: download failed: {_describe(exc)}") from None
        os.replace(partial, target)
        return target

    def _full_key(self, obj: StoredObject) -> str:
        return self.prefix + obj.key


def open_store(location: str, cache_dir: Path, region: str | None = None) -> ObjectStore:
    if location.startswith("s3://"):
        return S3Store(location, cache_dir, region=region)
    return LocalStore(location)


def _describe(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        return f"{err.get('Code', 'error')}: {err.get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


