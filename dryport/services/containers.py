"""Every rule about containers: ISO 6346 numbers, size-types and what they count in TEU."""

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from stdnum import iso6346
from stdnum.exceptions import InvalidChecksum, ValidationError

from dryport.services.errors import Invalid

#: ISO 668 maximum gross mass of 20 ft and 40 ft containers, unless the plate says otherwise.
MAX_GROSS_KG = 30_480


@dataclass(frozen=True)
class SizeType:
    """An ISO 6346 size-type with the masses an estimate uses: the ISO 668 rating (the most
    the loaded container may weigh) and a typical tare; a container's own plate always wins."""

    code: str
    description_zh: str
    description_en: str
    tare_kg: int
    max_gross_kg: int = MAX_GROSS_KG
    reefer: bool = False

    @property
    def payload_kg(self) -> int:
        """What a typical container of this size-type may carry."""
        return self.max_gross_kg - self.tare_kg

    @property
    def length_code(self) -> str:
        return self.code[0]


# The size-types the port handles. Note 45G1 is a 40 ft high cube, not a 45-footer:
# the first character is the length (2 = 20 ft, 4 = 40 ft, L = 45 ft).
SIZE_TYPES = {
    st.code: st
    for st in (
        SizeType("22G1", "20英尺通用箱", "20 ft general purpose", tare_kg=2_200),
        SizeType("42G1", "40英尺通用箱", "40 ft general purpose", tare_kg=3_750),
        SizeType("45G1", "40英尺高箱", "40 ft high cube", tare_kg=3_900),
        SizeType("L5G1", "45英尺高箱", "45 ft high cube", tare_kg=4_800),
        SizeType("22R1", "20英尺冷藏箱", "20 ft reefer", tare_kg=3_000, reefer=True),
        SizeType("45R1", "40英尺高冷藏箱", "40 ft high cube reefer", tare_kg=4_800, reefer=True),
        SizeType("22U1", "20英尺开顶箱", "20 ft open top", tare_kg=2_350),
        SizeType("22T1", "20英尺罐式箱", "20 ft tank", tare_kg=3_700),
    )
}

_LENGTH_TEU = {"2": Decimal(1), "4": Decimal(2)}


def typical_tare_kg(size_type: str) -> int:
    """A typical tare of the size-type, for estimates; a container's own plate always wins."""
    return SIZE_TYPES[size_type].tare_kg


def cargo_limit_kg(lines) -> int:
    """The most cargo the lines (``(size_type, quantity)`` pairs) can carry: the sum of
    quantity × (ISO 668 maximum gross − typical tare) of their size-types."""
    return sum(SIZE_TYPES[code].payload_kg * quantity for code, quantity in lines)


def teu_of(size_type: str, teu_per_45ft: float | Decimal = 2) -> Decimal:
    """TEU counted for one container of ``size_type``; 45 ft counts ``teu_per_45ft``.

    Raises ``Invalid`` for a size-type the port does not handle.
    """
    if size_type not in SIZE_TYPES:
        raise Invalid(_l("Unknown size-type %(code)s.", code=size_type))
    length = size_type[0]
    if length == "L":
        return Decimal(str(teu_per_45ft))
    return _LENGTH_TEU[length]


def total_teu(lines, teu_per_45ft: float | Decimal = 2) -> Decimal:
    """TEU of requested lines, given as ``(size_type, quantity)`` pairs."""
    return sum((teu_of(code, teu_per_45ft) * qty for code, qty in lines), Decimal(0))


def reefer_setpoint_problem(size_types, temperature):
    """Why a set-point does not go with these size-types (a message), or None when it does:
    reefer containers need one, others take none."""
    reefer = any(SIZE_TYPES[code].reefer for code in size_types if code in SIZE_TYPES)
    if reefer and temperature is None:
        return _l("A reefer container needs a set-point.")
    if not reefer and temperature is not None:
        return _l("Only for reefer containers.")
    return None


def format_teu(value) -> str:
    """TEU without trailing zeros: ``3``, ``2.25``."""
    return "" if value is None else f"{Decimal(value).normalize():f}"


_COLUMNS = re.compile(r"\t|,|;|\s{2,}")
# Latin capitals and ASCII digits only: ``isalpha`` and ``isdigit`` would let É or
# Arabic-Indic digits through to the check-digit table, which has no place for them.
_NUMBER = re.compile(r"[A-Z]{4}[0-9]{7}")


def number_from_line(line: str) -> str:
    """The container number of a yard-sheet line: its first column (columns are split by
    tabs, commas, semicolons or runs of spaces), single spaces inside it dropped, so that
    "CSQU 305438 3" and "CSQU3054383<TAB>22G1" both give CSQU3054383."""
    return normalise_number(_COLUMNS.split(line.strip())[0])


def normalise_number(raw: str) -> str:
    return "".join(raw.split()).upper()


def validate_number(raw: str) -> str:
    """Return the normalised ISO 6346 number, or raise ``Invalid`` saying what is wrong.

    A wrong check digit names the digit that would be right.
    """
    number = normalise_number(raw)
    if not _NUMBER.fullmatch(number):
        raise Invalid(
            _l(
                "%(number)s is not a container number: 3-letter owner code, category "
                "U, J or Z, 6 digits and a check digit.",
                number=number or raw,
            )
        )
    if number[3] not in "UJZ":
        raise Invalid(_l("%(number)s: the category letter must be U, J or Z.", number=number))
    try:
        return iso6346.validate(number)
    except InvalidChecksum:
        right = iso6346.calc_check_digit(number[:10])
        raise Invalid(
            _l(
                "%(number)s: the check digit should be %(digit)s.",
                number=number,
                digit=right,
            )
        ) from None
    except ValidationError:
        raise Invalid(_l("%(number)s is not a valid container number.", number=number)) from None


def cargo_category_problem(number: str):
    """Why a valid number cannot carry a load (a message), or None for category U: J is
    detachable equipment (a generator set, say) and Z a trailer or chassis, not a box."""
    if number[3] == "U":
        return None
    return _l(
        "%(number)s is category %(category)s (J: detachable equipment, Z: trailer or "
        "chassis); only a category U container carries cargo.",
        number=number,
        category=number[3],
    )


def make_number(owner: str, serial: int) -> str:
    """A valid ISO 6346 number for owner code ``owner`` (3 letters + U) and a serial."""
    body = f"{owner}U{serial:06d}"
    return body + iso6346.calc_check_digit(body)
