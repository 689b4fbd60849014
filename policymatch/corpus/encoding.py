"""Decode policy files without assuming UTF-8.

Chinese government files arrive as UTF-8 (with or without a BOM), GB18030/GBK (older Windows
exports), UTF-16 with a BOM (Excel "Unicode text") and now and then Big5. The order below is
strict: a BOM wins; then UTF-8, which almost never decodes text that is not UTF-8; then
charset-normalizer's guess among the encodings Chinese files use; then GB18030 and Big5 as
plain strict attempts. Nothing is decoded with ``errors="replace"``: bytes that fit no
encoding are an :class:`~policymatch.errors.InputError` naming the file and byte offset.
"""

from __future__ import annotations

import codecs
import logging

from charset_normalizer import from_bytes

from policymatch.errors import InputError

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GUESSABLE = ["utf_8", "gb18030", "big5", "utf_16_le", "utf_16_be"]
_SAMPLE_BYTES = 64 * 1024


def detect_encoding(data: bytes, *, source: str | None = None, partial: bool = False) -> str:
    """Name the encoding ``data`` decodes with, strictly.

    Args:
        data: The raw bytes, or a leading sample of them (at least a few KB for a reliable
            guess; a multi-byte character cut at the end of the sample is tolerated).
        source: File name for the error message.
        partial: ``data`` is the start of a longer file (a character may be cut at its end).

    Returns:
        A Python codec name, e.g. ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"gb18030"``.

    Raises:
        InputError: No candidate encoding decodes the bytes.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:_SAMPLE_BYTES]
    truncated = partial or len(data) > _SAMPLE_BYTES
    if _decodes(sample, "utf-8", truncated):
        return "utf-8"
    guess = from_bytes(sample, cp_isolation=_GUESSABLE).best()
    if guess is not None and _decodes(sample, guess.encoding, truncated):
        return _codec_name(guess.encoding)
    for encoding in ("gb18030", "big5"):
        if _decodes(sample, encoding, truncated):
            return encoding
    offset = _first_bad_offset(sample)
    raise InputError(
        f"cannot decode the bytes as UTF-8, GB18030, Big5 or UTF-16 (first bad byte at offset "
        f"{offset}); save the file as UTF-8",
        source=source,
    )


def decode_bytes(data: bytes, *, source: str | None = None) -> str:
    """Decode a whole file's bytes after :func:`detect_encoding`; strips a BOM.

    Raises:
        InputError: The bytes do not decode, naming the file and the byte offset.
    """
    encoding = detect_encoding(data, source=source)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"undecodable bytes at offset {exc.start} for encoding {encoding}", source=source
        ) from exc
    logger.debug("%s decoded as %s", source, encoding)
    return text.lstrip("\ufeff")


def decode_lines(data: bytes, *, source: str | None = None) -> list[str]:
    """The lines of a record file (JSONL, qrels) after :func:`decode_bytes`, split on newlines
    only: a JSON string may hold U+2028, which ``str.splitlines`` would split on too, cutting
    a record in two and misnumbering every line after it.

    Raises:
        InputError: The bytes do not decode, naming the file and the byte offset.
    """
    return decode_bytes(data, source=source).split("\n")


def _decodes(sample: bytes, encoding: str, truncated: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(sample, final=not truncated)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _codec_name(name: str) -> str:
    return codecs.lookup(name).name


def _first_bad_offset(sample: bytes) -> int:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0
