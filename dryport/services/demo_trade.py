"""What the demo's shippers send and to whom: Ankang's own trade (bulk selenium tea, plush
toys, precision parts, barium carbonate declared as the dangerous goods it is, selenium-rich
foods, some of them chilled or frozen), each with its packages, and the consignees at the
places each route goes to, with the customs data of an export."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Goods:
    description: str
    hs_code: str
    size_types: tuple[str, ...]
    kg_per_teu: int
    package_kind: str  # UN/ECE Recommendation 21
    kg_per_package: int
    usd_per_kg: Decimal  # for the invoice value
    reefer_temp_c: Decimal | None = None
    #: (UN number, class, packing group, proper shipping name) for dangerous goods
    dangerous: tuple[str, str, str, str] | None = None


# (name zh, name en, key, region): enterprises (authority 9, kind 1) registered in the
# county of their name (GB/T 2260: 610900 Ankang, 610902 Hanbin, 610921 Hanyin, 610981 Xunyang).
COMPANIES = (
    ("安康富硒茶业有限公司", "Ankang Selenium Tea Co., Ltd.", "tea", "610900"),
    ("安康毛绒玩具文创有限公司", "Ankang Plush Toys Co., Ltd.", "toys", "610902"),
    ("安康高新精密零部件有限公司", "Ankang Hi-Tech Precision Parts Co., Ltd.", "parts", "610900"),
    ("旬阳新材料科技有限公司", "Xunyang New Materials Technology", "materials", "610981"),
    ("汉阴富硒食品有限公司", "Hanyin Selenium Foods Co., Ltd.", "foods", "610921"),
)

GOODS = {
    # Green tea in packings over 3 kg (HS 0902.20), in 25 kg bags.
    "tea": (
        Goods("富硒绿茶（散装）/ Selenium-rich green tea, bulk", "090220", ("22G1", "45G1"),
              9_000, "BG", 25, Decimal("12.50")),
    ),
    "toys": (
        Goods("毛绒玩具 / Plush toys", "950300", ("45G1", "42G1"), 3_200, "CT", 8,
              Decimal("9.80")),
    ),
    "parts": (
        Goods("精密齿轮及传动件 / Precision gears and transmission parts", "848340",
              ("22G1",), 14_000, "CS", 350, Decimal("18.00")),
        Goods("滚动轴承 / Ball bearings", "848210", ("22G1",), 16_000, "PX", 800,
              Decimal("11.20")),
    ),
    # Barium carbonate: UN1564 BARIUM COMPOUND, N.O.S., class 6.1, packing group III.
    "materials": (
        Goods("碳酸钡 / Barium carbonate", "283660", ("22G1",), 20_000, "BG", 25,
              Decimal("0.45"),
              dangerous=("UN1564", "6.1", "III", "BARIUM COMPOUND, N.O.S. (barium carbonate)")),
    ),
    "foods": (
        Goods("富硒大米 / Selenium-rich rice", "100630", ("22G1", "42G1"), 18_000, "BG", 50,
              Decimal("1.10")),
        Goods("速冻魔芋制品 / Frozen konjac products", "071080", ("22R1",), 15_000, "CT", 20,
              Decimal("2.30"), reefer_temp_c=Decimal("-18.0")),
        Goods("鲜猕猴桃（冷藏）/ Fresh kiwifruit, chilled", "081050", ("45R1",), 9_500, "CT",
              10, Decimal("2.90"), reefer_temp_c=Decimal("1.0")),
    ),
}  # fmt: skip

#: Who answers for the barium carbonate around the clock (IMDG 5.4.3.2).
EMERGENCY_CONTACT = "旬阳新材料 安全部 Safety desk +86 915 7212 000 (24 h)"

# Who receives at the other end, by route: (name, address, destination place code).
CONSIGNEES = {
    "EAST": (("宁波港国际物流有限公司", "浙江省宁波市北仑区", "CNNGB"),
             ("Ningbo Zhoushan Port Logistics", "Beilun, Ningbo, Zhejiang", "CNNGB")),
    "XAEU": (("Duisburg Intermodal GmbH", "Hafenstraße 1, 47119 Duisburg, DE", "DEDUI"),
             ("Hamburg Tea Import GmbH", "Am Sandtorkai 1, 20457 Hamburg, DE", "DEHAM"),
             ("Łódź Logistics Sp. z o.o.", "ul. Tuwima 22, 90-002 Łódź, PL", "PLLOD"),
             ("Almaty Trade Terminal LLP", "Suyunbay Ave 2, Almaty, KZ", "KZALA")),
    "WHSEA": (("Rotterdam Fresh Trade B.V.", "Waalhaven 12, 3089 Rotterdam, NL", "NLRTM"),
              ("Singapore Selenium Foods Pte. Ltd.", "1 Pasir Panjang Rd, Singapore", "SGSIN"),
              ("Pacific Toys Distribution Inc.", "Terminal Island, Los Angeles, US", "USLAX")),
}  # fmt: skip

#: The routes whose bookings leave China under an export declaration of their own here.
DECLARED_ROUTES = ("XAEU", "WHSEA")
#: Xi'an customs district (西安海关 9000 series): the first four digits of a declaration.
CUSTOMS_CODE = "9013"


def packages(goods: Goods, gross_kg: Decimal) -> int:
    """How many packages of ``goods`` make ``gross_kg``, at least one."""
    return max(1, int(gross_kg) // goods.kg_per_package)


def declaration_no(year: int, serial: int) -> str:
    """An 18-digit export declaration number: customs code, year, 0 (export), serial."""
    return f"{CUSTOMS_CODE}{year:04d}0{serial % 10**9:09d}"


def invoice_value(goods: Goods, gross_kg: Decimal) -> Decimal:
    return (goods.usd_per_kg * gross_kg).quantize(Decimal("0.01"))


def release_time(reference: str, confirmed: datetime, departed: datetime | None, now: datetime):
    """When customs released a declared demo booking: every booking of a train that has left,
    before it left; of the trains still to leave, two in three so far (the rest keep the
    customs release gate shut, as on any morning at the port). None: not yet released."""
    serial = int(reference[-5:])
    if departed is None and serial % 3 == 0:
        return None
    latest = departed - timedelta(hours=2) if departed else now
    return min(confirmed + timedelta(hours=2 + serial % 12), latest)
