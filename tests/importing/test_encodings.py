"""The encoding of a CSV is found without asking: BOM → utf-8-sig, UTF-8, else GB18030."""

import io

import pytest

from hotline.importing.encodings import detect_encoding, open_text

TEXT = "城市,年度\n淮安市,2024\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        ("\ufeff".encode() + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        ("城市".encode("gbk"), "gb18030"),  # 4 bytes, where detectors guess UTF-16 or Big5
        ("市审计局,年度\n".encode("gbk"), "gb18030"),
        ("𠀀,䶮\n".encode("gb18030"), "gb18030"),  # beyond GBK
        (b"city,year\n2024\n", "utf-8"),
        (b"", "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gbk-4-bytes", "gbk-12-bytes", "gb18030", "ascii", "empty"],
)
def test_the_encoding_is_detected(data, encoding):
    stream = io.BytesIO(data)
    assert detect_encoding(stream) == encoding
    assert stream.tell() == 0


def test_a_gbk_byte_late_in_a_long_file_is_found(monkeypatch):
    monkeypatch.setattr("hotline.importing.encodings.CHUNK", 16)
    data = ("淮安市,2024\n" * 50).encode("utf-8") + "金湖县".encode("gbk")
    assert detect_encoding(io.BytesIO(data)) == "gb18030"


def test_a_character_split_between_chunks_is_still_utf8(monkeypatch):
    monkeypatch.setattr("hotline.importing.encodings.CHUNK", 5)
    assert detect_encoding(io.BytesIO(("淮安" * 20).encode("utf-8"))) == "utf-8"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_the_text_reads_back_without_a_bom(encoding):
    assert open_text(io.BytesIO(TEXT.encode(encoding))).read() == TEXT
