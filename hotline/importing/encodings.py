"""The text encoding of a CSV as Excel and WPS save it, decided without asking the user.

The rule (see /work/shared/TOOLCHAIN.md): a UTF-8 byte-order mark → utf-8-sig; else the whole
file decodes as strict UTF-8 → utf-8; else gb18030, a superset of GBK (Chinese Excel's and
WPS's plain "CSV"). Charset detectors misread short GBK files, so none is used.
"""

import codecs
import io

BOM = codecs.BOM_UTF8
CHUNK = 1 << 16


def detect_encoding(stream) -> str:
    """The encoding of a binary stream, read in chunks (any size, bounded memory); the stream
    is left where it was."""
    start = stream.tell()
    try:
        head = stream.read(len(BOM))
        if head == BOM:
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
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


def decode(data: bytes) -> str:
    return data.decode(detect_encoding(io.BytesIO(data)))
