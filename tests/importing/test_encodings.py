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


def test_a_gbk_file_whose_last_bytes_look_like_the_start_of_a_utf8_character():
    # Every byte before it is ASCII, and 楠 is E9 AA in GBK: in UTF-8, the first two bytes of a
    # three-byte character, cut off by the end of the file.
    data = "no,host\r\n1,Li Nan 楠".encode("gbk")
    assert data.endswith(b"\xe9\xaa")
    assert detect_encoding(io.BytesIO(data)) == "gb18030"
    assert open_text(io.BytesIO(data)).read().endswith("楠")


class CountingStream(io.BytesIO):
    """A binary upload that remembers the largest read asked of it."""

    largest = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def test_a_large_file_is_read_a_chunk_at_a_time(monkeypatch):
    monkeypatch.setattr("hotline.importing.encodings.CHUNK", 1024)
    stream = CountingStream(("淮安市,2024\n" * 10_000).encode("utf-8"))
    assert detect_encoding(stream) == "utf-8"
    assert stream.largest == 1024  # never the whole file in memory


def test_line_ends_are_left_to_the_csv_reader():
    # Excel writes CRLF between rows and a bare LF inside a quoted cell: both reach csv as
    # written, so that it tells them apart.
    data = '城市,备注\r\n淮安市,"第一行\n第二行"\r\n'.encode("gbk")
    assert open_text(io.BytesIO(data)).read() == '城市,备注\r\n淮安市,"第一行\n第二行"\r\n'
