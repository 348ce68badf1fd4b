"""The text encoding of a CSV as Excel and WPS save it, decided without asking the user.

The rule: a UTF-8 byte-order mark → utf-8-sig; else the whole
file decodes as strict UTF-8 → utf-8; else gb18030, a superset of GBK (Chinese Excel's and
WPS's plain "CSV"). Charset detectors misread short GBK files, so none is used.
"""

import codecs
import io

BOM = codecs.BOM_UTF8
CHUNK = 1 << 16
STRICT_UTF8 = codecs.getincrementaldecoder("utf-8")  # errors="strict" is the default


def detect_encoding(stream) -> str:
    """The encoding of a binary stream, read in chunks (any size, bounded memory); the stream
    is left where it was."""
    start = stream.tell()
    try:
        head = stream.read(len(BOM))
        if head == BOM:
            return "utf-8-sig"
        decoder = STRICT_UTF8()
        try:
            decoder.decode(head)
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
        return "utf-8"
    finally:
        stream.seek(start)


def open_text(stream) -> io.TextIOWrapper:
    """A text stream over a binary one, in its detected encoding, newlines left to csv."""
    return io.TextIOWrapper(stream, encoding=detect_encoding(stream), newline="")
