"""QR codes for the waybills, fast.

reportlab's encoder builds the symbol eight times, once per mask pattern, and scores each in
pure Python (about 1.5 ms a mask), and it recomputes the error correction polynomial every
time. The symbol made here is still reportlab's: the same codewords, the same mask it would
pick, laid out by its own ``makeImpl``; only the two slow steps are done here, faster.
"""

import functools
import itertools

from reportlab.graphics.barcode import qrencoder

_LEVEL = qrencoder.QRErrorCorrectLevel.M
_FINDER_LIKE = "10111010000"  # the only finder-like pattern reportlab's penalty looks for
_BITS = bytes.maketrans(b"\0\1", b"01")


def modules(text: str) -> list[list[bool]]:
    """``text`` as QR modules (True is dark), exactly as ``qrencoder.QRCode.make`` lays them."""
    qr = qrencoder.QRCode(None, _LEVEL)
    qr.addData(text)
    qr.version = qr.calculate_version()
    qr.dataCache = _codewords(qr)
    qr.makeImpl(True, 0)  # as reportlab scores it: format and version areas left light
    unmasked = rows_as_ints(qr.modules)
    flips = _mask_flips(qr.version)
    size = qr.getModuleCount()
    best = min(
        range(8),  # ties go to the lower pattern, as in reportlab
        key=lambda mask: penalty([a ^ b for a, b in zip(unmasked, flips[mask], strict=True)], size),
    )
    qr.makeImpl(False, best)
    return qr.modules


def _codewords(qr: qrencoder.QRCode) -> list[int]:
    """Data and error correction codewords, interleaved: ``QRCode.createData``."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(qr.version, qr.errorCorrectLevel)
    capacity = sum(block.dataCount for block in blocks)
    buffer = qrencoder.QRBitBuffer()
    for data in qr.dataList:
        data.write(buffer, qr.version)
    if buffer.getLengthInBits() > capacity * 8:
        raise ValueError(f"QR code data too long ({buffer.getLengthInBits()} bits)")
    if buffer.getLengthInBits() + 4 <= capacity * 8:
        buffer.put(0, 4)  # the terminator; the last byte is zero-padded already
    pad = itertools.cycle((0xEC, 0x11))
    codewords = buffer.buffer + [next(pad) for _ in range(capacity - len(buffer.buffer))]
    data, correction, start = [], [], 0
    for block in blocks:
        data.append(codewords[start : start + block.dataCount])
        correction.append(_correction(data[-1], block.totalCount - block.dataCount))
        start += block.dataCount
    columns = itertools.chain(itertools.zip_longest(*data), itertools.zip_longest(*correction))
    return [byte for column in columns for byte in column if byte is not None]


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    """Logarithms of the Reed-Solomon generator's coefficients after the leading 1 (none is
    zero for the degrees QR codes use)."""
    generator = qrencoder.QRUtil.getErrorCorrectPolynomial(degree)
    return tuple(qrencoder.LOG_TABLE[c] for c in generator.num[1:])


def _correction(data: list[int], degree: int) -> list[int]:
    """The ``degree`` error correction codewords of ``data``: the remainder of its polynomial
    times x^degree divided by the generator, by long division in GF(256)."""
    exp, log = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE
    generator = _generator(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder.pop(0)
        remainder.append(0)
        if factor:
            shift = log[factor]
            remainder = [
                r ^ exp[(shift + g) % 255] for r, g in zip(remainder, generator, strict=True)
            ]
    return remainder


def rows_as_ints(modules: list[list[bool]]) -> list[int]:
    """Each row as an integer, its first module the highest bit."""
    return [int(bytes(row).translate(_BITS), 2) for row in modules]


@functools.cache
def _mask_flips(version: int) -> tuple[tuple[int, ...], ...]:
    """Per mask pattern, the modules it flips beyond mask 0's: the data modules where the
    two patterns differ, as row integers. Found by laying out all-zero data each way."""
    blank = qrencoder.QRCode(version, _LEVEL)
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, _LEVEL)
    blank.dataCache = [0] * sum(block.totalCount for block in blocks)
    masked = []
    for mask in range(8):
        blank.makeImpl(True, mask)
        masked.append(rows_as_ints(blank.modules))
    return tuple(tuple(a ^ b for a, b in zip(masked[0], rows, strict=True)) for rows in masked)


def penalty(rows: list[int], size: int) -> int:
    """reportlab's ``QRUtil.getLostPoint`` on rows as integers, whole rows at a time: runs of
    five or more alike across and down (3 + 1 per module over five), 2 x 2 blocks alike (3
    each), the finder-like pattern across only and not at a row's last place (40 each: its
    check down never matches), and the dark share's distance from half (10 per 5 %)."""
    full, inner = (1 << size) - 1, (1 << (size - 1)) - 1
    score = 0
    for row in rows:
        alike = ~(row ^ (row >> 1)) & inner  # each bit: a module agrees with its neighbour
        # a run of n >= 5 holds n - 4 windows of five alike: n - 4, plus 2 at its first window
        fives = alike & (alike >> 1) & (alike >> 2) & (alike >> 3)
        score += fives.bit_count() + 2 * (fives & ~(fives << 1)).bit_count()
        score += 40 * f"{row:0{size}b}"[:-1].count(_FINDER_LIKE)
    down = []
    for row, below in itertools.pairwise(rows):
        alike = ~(row ^ below) & full  # each bit: a module agrees with the one below
        score += 3 * (alike & (alike >> 1) & ~(row ^ (row >> 1)) & inner).bit_count()
        down.append(alike)
    previous = 0
    for a, b, c, d in zip(down, down[1:], down[2:], down[3:], strict=False):
        fives = a & b & c & d
        score += fives.bit_count() + 2 * (fives & ~previous).bit_count()
        previous = fives
    dark = sum(row.bit_count() for row in rows)
    return 10 * (abs(100 * dark // (size * size) - 50) // 5) + score
