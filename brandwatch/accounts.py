"""Accounts of the web workspace: who may sign in, and what each may do.

Roles, each able to do what the one before it can::

    viewer     reads hits, captures, reports, source health and the watchlists
    reviewer   + every review action (status, note, assignee, tags, allowlist and its undo),
               evidence bundles and exports
    admin      + manages users and edits the watchlists

Passwords are kept only as argon2id hashes (argon2-cffi, its recommended
parameters); a hash made with older parameters is replaced at the next
sign-in. A disabled account cannot sign in, and its past decisions stay in
the audit log under its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import AccountError
from .models import utc_now
from .store import Store

ROLES = ("viewer", "reviewer", "admin")
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_hasher = PasswordHasher()
# verified when a name is unknown, so that a wrong name costs the same time as a wrong password
_DUMMY = _hasher.hash("brandwatch: no such user")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password has {len(password)} characters; use at least {MIN_PASSWORD}")
    return password


def add_user(store: Store, name: str, role: str, password: str, *, by: str = "") -> User:
    """A new account; AccountError when the name is taken or malformed, the role unknown, the password short."""
    if not _NAME.match(name):
        raise AccountError(f"user name {name!r}: use 1 to 64 letters, digits and _ . @ -")
    check_role(role)
    check_password(password)
    if store.user(name) is not None:
        raise AccountError(f"user {name!r} exists; `brandwatch users set {name} --role …` changes it")
    store.add_user(name, role, _hasher.hash(password), by=by, now=utc_now())
    return User(name, role)


def set_user(store: Store, name: str, *, role: str | None = None, password: str | None = None,
             disabled: bool | None = None) -> User:
    """Change a user's role or password, or disable or enable the account."""
    row = store.user(name)
    if row is None:
        raise AccountError(f"no user {name!r}; `brandwatch users list` shows them")
    if role is not None:
        check_role(role)
    new_hash = _hasher.hash(check_password(password)) if password is not None else None
    store.update_user(name, role=role, password_hash=new_hash, disabled_at=utc_now() if disabled else None,
                      enable=disabled is False)
    return User(name, role or row["role"])


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when the name and password are right and the account is enabled, else None."""
    row = store.user(name)
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled_at"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        store.update_user(name, password_hash=_hasher.hash(password))
    return User(row["name"], row["role"])


def active_user(store: Store, name: str) -> User | None:
    """The account behind a session, if it still exists and is enabled (its role as it is now)."""
    row = store.user(name)
    if row is None or row["disabled_at"]:
        return None
    return User(row["name"], row["role"])
