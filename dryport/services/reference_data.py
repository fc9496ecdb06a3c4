"""The hub, the ten county sub-stations and the three routes with their legs.

Seeding only adds what is missing: values edited since (feeder hours, leg names) are kept, so
running it again changes nothing.
"""

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from dryport.models import DocumentType, Leg, Route, Station, StationKind, TransportMode
from dryport.services.pagination import Sorting, order_by
from dryport.services.search import search

STATIONS = (
    ("HK", "恒口枢纽", "Hengkou hub", StationKind.HUB, 0),
    ("HB", "汉滨区", "Hanbin", StationKind.SUBSTATION, 1),
    ("HY", "汉阴县", "Hanyin", StationKind.SUBSTATION, 1),
    ("SQ", "石泉县", "Shiquan", StationKind.SUBSTATION, 2),
    ("NS", "宁陕县", "Ningshan", StationKind.SUBSTATION, 3),
    ("ZY", "紫阳县", "Ziyang", StationKind.SUBSTATION, 3),
    ("LG", "岚皋县", "Langao", StationKind.SUBSTATION, 2),
    ("PL", "平利县", "Pingli", StationKind.SUBSTATION, 2),
    ("ZP", "镇坪县", "Zhenping", StationKind.SUBSTATION, 4),
    ("XY", "旬阳市", "Xunyang", StationKind.SUBSTATION, 2),
    ("BH", "白河县", "Baihe", StationKind.SUBSTATION, 3),
)

ROAD, RAIL, WATER, SEA = TransportMode

# (code, name_zh, name_en, document type, legs); a leg is
# (mode, origin zh/en/locode, destination zh/en/locode, via zh/en).
ROUTES = (
    (
        "EAST",
        "东向铁路班列",
        "Eastbound rail",
        DocumentType.RAIL_WAYBILL,
        (
            (
                RAIL,
                ("恒口", "Hengkou", None),
                ("宁波(北仑)港", "Ningbo (Beilun) port", "CNNGB"),
                None,
            ),
        ),
    ),
    (
        "XAEU",
        "安西欧班列",
        "Ankang–Xi'an–Europe train",
        DocumentType.CIM_SMGS,
        (
            (
                RAIL,
                ("恒口", "Hengkou", None),
                ("西安国际港站", "Xi'an International Port", None),
                None,
            ),
            (
                RAIL,
                ("西安国际港站", "Xi'an International Port", None),
                ("杜伊斯堡", "Duisburg", "DEDUI"),
                (
                    "阿拉山口或霍尔果斯换装，经马拉舍维奇",
                    "via Alashankou or Khorgos (gauge change) and Małaszewicze",
                ),
            ),
        ),
    ),
    (
        "WHSEA",
        "武汉港公水铁海联运",
        "Wuhan road-water-rail-sea",
        DocumentType.MULTIMODAL,
        (
            (ROAD, ("分站", "Sub-station", None), ("恒口", "Hengkou", None), None),
            (RAIL, ("恒口", "Hengkou", None), ("武汉(阳逻)", "Wuhan (Yangluo)", "CNWUH"), None),
            (
                WATER,
                ("武汉(阳逻)", "Wuhan (Yangluo)", "CNWUH"),
                ("上海(洋山)", "Shanghai (Yangshan)", "CNSHA"),
                None,
            ),
            (
                SEA,
                ("上海(洋山)", "Shanghai (Yangshan)", "CNSHA"),
                ("卸货港", "Port of discharge", None),
                None,
            ),
        ),
    ),
)


STATION_SORTING = Sorting(
    columns={
        "code": Station.code,
        "name_zh": Station.name_zh,
        "name_en": Station.name_en,
        "kind": Station.kind,
        "feeder_hours": Station.feeder_hours,
    },
    default=("kind",),  # the hub first, then the sub-stations in their seed order
    tiebreak=Station.id,
)
ROUTE_SORTING = Sorting(columns={"code": Route.code}, default=(), tiebreak=Route.id)


def stations_query(sort: Sequence[str] | None = None, q: str | None = None) -> Select:
    """The stations in the order of ``sort`` (keys of ``STATION_SORTING``); by default the
    hub first, then the sub-stations in their seed order. With ``q``, those whose code or
    name (either language) contains it (``services.search``)."""
    stmt = search(select(Station), q, Station.code, Station.name_zh, Station.name_en)
    return order_by(stmt, sort, STATION_SORTING)


def routes_query(
    sort: Sequence[str] | None = None, legs: bool = True, q: str | None = None
) -> Select:
    """The routes, with their legs unless ``legs`` is false, in the order of ``sort`` (keys
    of ``ROUTE_SORTING``); by default in their seed order. With ``q``, those whose code or
    name (either language) contains it (``services.search``)."""
    stmt = select(Route).options(selectinload(Route.legs)) if legs else select(Route)
    stmt = search(stmt, q, Route.code, Route.name_zh, Route.name_en)
    return order_by(stmt, sort, ROUTE_SORTING)


def list_stations(session: Session, active_only: bool = False) -> list[Station]:
    """The hub first, then the sub-stations, in their seed order."""
    stmt = stations_query()
    if active_only:
        stmt = stmt.where(Station.active)
    return list(session.scalars(stmt))


def list_routes(session: Session) -> list[Route]:
    """The routes with their legs."""
    return list(session.scalars(routes_query()))


def seed_reference_data(session: Session) -> dict[str, int]:
    """Add the stations and routes that are missing; return how many of each were added."""
    have_stations = set(session.scalars(select(Station.code)))
    added_stations = 0
    for code, zh, en, kind, hours in STATIONS:
        if code not in have_stations:
            session.add(Station(code=code, name_zh=zh, name_en=en, kind=kind, feeder_hours=hours))
            added_stations += 1

    have_routes = set(session.scalars(select(Route.code)))
    added_routes = 0
    for code, zh, en, doc_type, legs in ROUTES:
        if code in have_routes:
            continue
        route = Route(code=code, name_zh=zh, name_en=en, document_type=doc_type)
        for seq, (mode, origin, destination, via) in enumerate(legs, start=1):
            route.legs.append(
                Leg(
                    seq=seq,
                    mode=mode,
                    origin_zh=origin[0],
                    origin_en=origin[1],
                    origin_locode=origin[2],
                    destination_zh=destination[0],
                    destination_en=destination[1],
                    destination_locode=destination[2],
                    via_zh=via[0] if via else None,
                    via_en=via[1] if via else None,
                )
            )
        session.add(route)
        added_routes += 1
    session.flush()
    return {"stations": added_stations, "routes": added_routes}
