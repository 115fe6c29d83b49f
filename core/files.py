"""Files under instance/ hold password hashes, keys and personal data: only the site's own user may read them."""

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


def private_directory(path: str | os.PathLike, *, ours: bool = True) -> Path:
    """Create the folder if needed, 0700; `ours` (instance/) makes an existing one 0700 too.

    A folder that already exists and is not ours (/var/backups) keeps its permissions.
    """
    folder = Path(path)
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=PRIVATE_DIRECTORY, exist_ok=True)
        ours = True
    if ours:
        folder.chmod(PRIVATE_DIRECTORY)
    return folder


def private_file(path: str | os.PathLike) -> Path:
    """Create the file if it does not exist, and make it 0600 whether it did or not.

    An existing file is never opened: closing any descriptor of a SQLite database drops
    every POSIX lock this process holds on it, under the feet of open connections.
    """
    target = Path(path)
    if not target.exists():
        descriptor = os.open(target, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
        os.close(descriptor)
    target.chmod(PRIVATE_FILE)
    return target


def write_private(path: str | os.PathLike, text: str, *, append: bool = False) -> Path:
    """Write (or append) text to a file that is 0600 from the moment it exists."""
    target = private_file(path)
    with target.open("a" if append else "w", encoding="utf-8") as handle:
        handle.write(text)
    return target
