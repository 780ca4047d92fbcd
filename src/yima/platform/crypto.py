"""Key material: tenant root keys wrapped under the master secret, and subkeys derived by HKDF.

Each brand has its own random root key. It is stored only wrapped (AES-256-GCM under a key
derived from ``YIMA_SECRET_KEY``), and each use (code tokens, access tokens) derives its own
subkey, so one leaked subkey does not give away another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _kek(master_secret: str) -> bytes:
    return derive(master_secret.encode(), b"yima/key-encryption-key")


def derive(root: bytes, purpose: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(root)


def new_root_key() -> bytes:
    return os.urandom(32)


def wrap(master_secret: str, key: bytes, label: str) -> str:
    """Encrypt ``key`` under the master secret; ``label`` (e.g. the tenant slug) is bound in."""
    nonce = os.urandom(12)
    sealed = AESGCM(_kek(master_secret)).encrypt(nonce, key, label.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unwrap(master_secret: str, wrapped: str, label: str) -> bytes:
    raw = base64.urlsafe_b64decode(wrapped.encode())
    return AESGCM(_kek(master_secret)).decrypt(raw[:12], raw[12:], label.encode())


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def fingerprint(secret: str) -> str:
    """A one-way digest for high-entropy secrets (API client secrets, session tokens); they
    are random enough that a fast hash is safe, unlike passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
