"""Office documents: check the container, convert old formats, read as .docx.

Word .docx is read directly. Word 97-2003 .doc, OpenDocument .odt and RTF are
converted to .docx by LibreOffice and read by the same reader, so tables, list
numbering and legacy-font runs come out alike whatever the format.

Nothing in a file is run. Before any reader sees a file its container is
checked: a ZIP whose members would unpack past a hard limit (a zip bomb), a
damaged or truncated container, an encrypted document and one that carries
macros are refused with a one-line error.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import olefile

from pipeline._exec import libreoffice
from pipeline.errors import InputError
from pipeline.model import Line


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"

# Real documents with their pictures unpack to a few tens of megabytes.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Word's FIB flag for a password-protected (encrypted or XOR-obfuscated) document.
_DOC_ENCRYPTED_FLAG = 0x0100
_DOC_OBFUSCATED_FLAG = 0x8000
_WORD_FIB_IDENT = 0xA5EC


def zip_kind(data: bytes, label: str) -> str:
    """"docx" or "odt" for a ZIP container that is safe to open; InputError otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise InputError(f"{label}: damaged or truncated document (its ZIP container cannot be read)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError(f"{label}: refused: the ZIP container holds {len(members)} files (at most {MAX_ZIP_MEMBERS})")
        # The reader stops each member at its declared size, so the sum is a hard limit.
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputError(
                f"{label}: refused: unpacks to {unpacked // 2**20} MiB, more than {MAX_UNPACKED_BYTES // 2**20} MiB"
                " (a zip bomb or not a document)"
            )
        names = {member.filename for member in members}
        lowered = {name.lower() for name in names}
        if any(name.endswith("vbaproject.bin") or name.startswith("basic/") for name in lowered):
            raise InputError(f"{label}: refused: the document contains macros; save it without macros (.docx) and try again")
        if "word/document.xml" in names:
            return "docx"
        if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise InputError(f"{label}: encrypted document that needs a password; save an unprotected copy and try again")
            return "odt"
    raise InputError(f"{label}: unsupported file type: a ZIP archive that is not a Word (.docx) or OpenDocument (.odt) text")


def ole_kind(data: bytes, label: str) -> str:
    """"doc" for a Word 97-2003 file that is safe to convert; InputError otherwise."""
    try:
        container = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, IndexError) as error:
        raise InputError(f"{label}: damaged or truncated Office document ({str(error)[:80]})") from None
    with container:
        streams = {"/".join(entry) for entry in container.listdir(streams=True, storages=True)}
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise InputError(f"{label}: encrypted document that needs a password; save an unprotected copy and try again")
        if "WordDocument" not in streams:
            raise InputError(f"{label}: unsupported file type: an old Microsoft Office file that is not a Word document (.xls/.ppt?)")
        if any(name.split("/")[0] in ("Macros", "_VBA_PROJECT_CUR") for name in streams):
            raise InputError(f"{label}: refused: the document contains macros; save it without macros (.docx) and try again")
        try:
            fib = container.openstream("WordDocument").read(12)
        except OSError as error:
            raise InputError(f"{label}: damaged or truncated Word document ({str(error)[:80]})") from None
    if len(fib) < 12 or int.from_bytes(fib[0:2], "little") != _WORD_FIB_IDENT:
        raise InputError(f"{label}: damaged Word document (no Word header in its WordDocument stream)")
    flags = int.from_bytes(fib[10:12], "little")
    if flags & (_DOC_ENCRYPTED_FLAG | _DOC_OBFUSCATED_FLAG):
        raise InputError(f"{label}: encrypted document that needs a password; save an unprotected copy and try again")
    return "doc"


def read_office(path: Path, kind: str, label: str) -> list[Line]:
    """Lines of a checked .docx, .doc, .odt or .rtf document."""
    from . import word  # python-docx, only for the inputs that need it

    if kind == "docx":
        return word.read_docx(path, label)
    with tempfile.TemporaryDirectory(prefix="office-") as workdir:
        converted = libreoffice.convert_to_docx(path, kind, Path(workdir), label)
        # LibreOffice writes a plain document, but its output is held to the same limits.
        zip_kind(converted.read_bytes(), label)
        return word.read_docx(converted, label)
