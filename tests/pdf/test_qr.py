"""The waybill's QR code: its fast encoder lays out exactly the symbol reportlab's own would,
the same codewords under the same mask, for any text."""

import random
import string

import pytest
from reportlab.graphics.barcode import qrencoder

from dryport.pdf.qr import modules, penalty, rows_as_ints

ALPHABETS = (
    string.digits,  # numeric mode
    string.ascii_uppercase + string.digits + " $%*+-./:",  # alphanumeric mode
    string.printable,  # byte mode
)


def _reportlab(text: str) -> list[list[bool]]:
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    return qr.modules


@pytest.mark.parametrize("seed", range(3))
def test_the_symbol_is_reportlabs(seed):
    rng = random.Random(seed)
    texts = ["http://dryport.test/verify/WB-XAEU-2611-0001?t=a46d6b89e813306564a06886abe8e9d0"]
    for alphabet in ALPHABETS:
        for length in (1, 17, 60, 150):  # versions 1 to 8, the last with version information
            texts.append("".join(rng.choice(alphabet) for _ in range(length)))
    for text in texts:
        assert modules(text) == _reportlab(text), text


def test_the_penalty_is_reportlabs_lost_point():
    rng = random.Random(0)
    for size in (21, 25, 37, 45):
        for dark_share in (0.1, 0.5, 0.8):  # long runs and blocks as well as short ones
            modules = [[rng.random() < dark_share for _ in range(size)] for _ in range(size)]
            symbol = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
            symbol.modules = modules
            expected = qrencoder.QRUtil.getLostPoint(symbol)
            assert penalty(rows_as_ints(modules), size) == expected
