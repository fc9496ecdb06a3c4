"""The hub, the ten county sub-stations and the three routes with their legs; the places
their bookings go to, the border crossings of the Europe train and the carriers of each leg.

Seeding only adds what is missing: values edited since (feeder hours, leg names) are kept, so
running it again changes nothing. A route that exists without destinations, border crossings,
refused classes or leg carriers (one made before they existed) gets the seeded ones.
"""

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from dryport.models import (
    BorderCrossing,
    DocumentType,
    Leg,
    LegCarrier,
    Place,
    PlaceKind,
    Route,
    Station,
    StationKind,
    TransportMode,
)
from dryport.models.place import route_destinations
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
# Road kilometres from each station to the hub (estimates: docs/DECISIONS.md, "Distances").
FEEDER_KM = {
    "HK": 0, "HB": 30, "HY": 35, "SQ": 95, "NS": 150, "ZY": 120, "LG": 95, "PL": 115,
    "ZP": 185, "XY": 95, "BH": 165,
}  # fmt: skip
# Kilometres of each seeded leg by its position, and of each route's last leg to each of its
# destinations with its hours where they differ from the leg's own (docs/DECISIONS.md,
# "Distances"); the road feeder's kilometres are the station's.
LEG_KM = {"EAST": {1: 1_900}, "XAEU": {1: 280, 2: 9_908}, "WHSEA": {2: 600, 3: 1_125}}
DESTINATION_LEGS = {
    "XAEU": {
        "DEDUI": (9_908, None), "DEHAM": (9_700, None), "PLMAA": (8_600, 288),
        "PLLOD": (8_850, 312), "KZALA": (3_900, 144), "UZTAS": (4_700, 192),
    },
    "WHSEA": {
        "NLRTM": (19_600, 696), "DEHAM": (20_200, 744), "SGSIN": (4_100, 144),
        "USLAX": (10_500, 336),
    },
}  # fmt: skip

ROAD, RAIL, WATER, SEA = TransportMode

# (code, name_zh, name_en, document type, legs); a leg is
# (mode, origin zh/en/locode, destination zh/en/locode, via zh/en, transit hours). The hours
# and their sources are in docs/DECISIONS.md ("Transit hours of the seeded legs").
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
                216,
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
                10,
            ),
            (
                RAIL,
                ("西安国际港站", "Xi'an International Port", None),
                ("杜伊斯堡", "Duisburg", "DEDUI"),
                (
                    "阿拉山口或霍尔果斯换装，经马拉舍维奇",
                    "via Alashankou or Khorgos (gauge change) and Małaszewicze",
                ),
                384,
            ),
        ),
    ),
    (
        "WHSEA",
        "武汉港公水铁海联运",
        "Wuhan road-water-rail-sea",
        DocumentType.MULTIMODAL,
        (
            (ROAD, ("分站", "Sub-station", None), ("恒口", "Hengkou", None), None, 4),
            (
                RAIL,
                ("恒口", "Hengkou", None),
                ("武汉(阳逻)", "Wuhan (Yangluo)", "CNWUH"),
                None,
                96,
            ),
            (
                WATER,
                ("武汉(阳逻)", "Wuhan (Yangluo)", "CNWUH"),
                ("上海(洋山)", "Shanghai (Yangshan)", "CNSHA"),
                None,
                96,
            ),
            (
                SEA,
                ("上海(洋山)", "Shanghai (Yangshan)", "CNSHA"),
                ("卸货港", "Port of discharge", None),
                None,
                None,  # depends on the port of discharge
            ),
        ),
    ),
)

STATION_, PORT, BORDER = PlaceKind

# (code, name_zh, name_en, kind, railway station code). The code is the place's UN/LOCODE;
# Dostyk and Altynkol have none confirmed and carry the project's own code, country-hyphen-
# name (``KZ-DOS``), which no UN/LOCODE can equal.
PLACES = (
    ("CNNGB", "宁波舟山港(北仑)", "Ningbo-Zhoushan (Beilun)", PORT, None),
    ("CNWUH", "武汉(阳逻)", "Wuhan (Yangluo)", PORT, None),
    ("CNSHA", "上海(洋山)", "Shanghai (Yangshan)", PORT, None),
    ("CNQZH", "钦州港", "Qinzhou port", PORT, None),
    ("CNAKA", "安康", "Ankang", STATION_, None),
    ("CNXAG", "西安国际港站", "Xi'an International Port", STATION_, None),
    ("DEDUI", "杜伊斯堡", "Duisburg", STATION_, None),
    ("DEHAM", "汉堡", "Hamburg", PORT, None),
    ("PLMAA", "马拉舍维奇", "Małaszewicze", STATION_, None),
    ("PLLOD", "罗兹", "Łódź", STATION_, None),
    ("KZALA", "阿拉木图", "Almaty", STATION_, None),
    ("UZTAS", "塔什干", "Tashkent", STATION_, None),
    ("NLRTM", "鹿特丹", "Rotterdam", PORT, None),
    ("SGSIN", "新加坡", "Singapore", PORT, None),
    ("USLAX", "洛杉矶", "Los Angeles", PORT, None),
    ("CNAKL", "阿拉山口", "Alashankou", BORDER, None),
    ("KZ-DOS", "多斯特克", "Dostyk", BORDER, None),
    ("CNHRS", "霍尔果斯", "Khorgos", BORDER, None),
    ("KZ-AKL", "阿腾科里", "Altynkol", BORDER, None),
    ("CNERC", "二连浩特", "Erenhot", BORDER, None),
    ("MNZUU", "扎门乌德", "Zamyn-Üüd", BORDER, None),
    ("BYBQT", "布列斯特", "Brest", BORDER, None),
)

# Where each route's bookings may go.
DESTINATIONS = {
    "EAST": ("CNNGB",),
    "XAEU": ("DEDUI", "DEHAM", "PLMAA", "PLLOD", "KZALA", "UZTAS"),
    "WHSEA": ("NLRTM", "DEHAM", "SGSIN", "USLAX"),
}

# (code, exit place, entry place, gauge change): where a China–Europe train leaves China.
BORDER_CROSSINGS = (
    ("AKA-DOS", "CNAKL", "KZ-DOS", True),
    ("KHG-AKL", "CNHRS", "KZ-AKL", True),
    ("ERL-ZMU", "CNERC", "MNZUU", True),
)
ROUTE_CROSSINGS = {"XAEU": ("AKA-DOS", "KHG-AKL", "ERL-ZMU")}

# Explosives (1.1-1.6) and radioactive material (7) go on none of the seeded services.
REFUSED_DG_CLASSES = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "7"]

# Per route, per leg (by its position): (carrier zh, en, section zh, en).
CR_XIAN = ("中国铁路西安局集团有限公司", "China Railway Xi'an Group")
CARRIERS = {
    "EAST": {1: ((*CR_XIAN, "恒口—宁波(北仑)港", "Hengkou – Ningbo (Beilun) port"),)},
    "XAEU": {
        1: ((*CR_XIAN, "恒口—西安国际港站", "Hengkou – Xi'an International Port"),),
        2: (
            (*CR_XIAN, "西安国际港站—出境口岸", "Xi'an International Port – border of exit"),
            ("哈萨克斯坦国家铁路", "Kazakhstan Temir Zholy (KTZ)", "哈萨克斯坦境内", "Kazakhstan"),
            ("俄罗斯铁路", "Russian Railways (RZD)", "俄罗斯境内", "Russia"),
            ("白俄罗斯铁路", "Belarusian Railway (BCh)", "白俄罗斯境内", "Belarus"),
            (
                "波兰国家铁路货运公司",
                "PKP Cargo",
                "马拉舍维奇—德国边境",
                "Małaszewicze – German border",
            ),
            ("德铁货运", "DB Cargo", "德国境内", "Germany"),
        ),
    },
    "WHSEA": {
        2: (
            (
                "中国铁路西安局集团有限公司",
                "China Railway Xi'an Group",
                "恒口—武汉(阳逻)",
                "Hengkou – Wuhan (Yangluo)",
            ),
        ),  # fmt: skip
    },
}


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
    """The routes, with their legs, carriers, destinations and border crossings unless
    ``legs`` is false, in the order of ``sort`` (keys of ``ROUTE_SORTING``); by default in
    their seed order. With ``q``, those whose code or name (either language) contains it
    (``services.search``)."""
    stmt = select(Route)
    if legs:  # and what else GET /routes shows, each list in one query
        stmt = stmt.options(
            selectinload(Route.legs).selectinload(Leg.carriers),
            selectinload(Route.destinations),
            selectinload(Route.border_crossings),
        )
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
    """Add the stations, places and routes that are missing; return how many of each were
    added."""
    have_stations = set(session.scalars(select(Station.code)))
    added_stations = 0
    for code, zh, en, kind, hours in STATIONS:
        if code not in have_stations:
            session.add(
                Station(
                    code=code, name_zh=zh, name_en=en, kind=kind, feeder_hours=hours,
                    feeder_km=FEEDER_KM[code],
                )
            )  # fmt: skip
            added_stations += 1

    have_routes = set(session.scalars(select(Route.code)))
    added_routes = 0
    for code, zh, en, doc_type, legs in ROUTES:
        if code in have_routes:
            continue
        route = Route(code=code, name_zh=zh, name_en=en, document_type=doc_type)
        for seq, (mode, origin, destination, via, hours) in enumerate(legs, start=1):
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
                    transit_hours=hours,
                    distance_km=LEG_KM.get(code, {}).get(seq),
                )
            )
        session.add(route)
        added_routes += 1
    session.flush()
    added_places = _seed_places(session)
    return {"stations": added_stations, "places": added_places, "routes": added_routes}


def _seed_places(session: Session) -> int:
    """Add the missing places and border crossings, and give each seeded route that has none
    its destinations, crossings, refused classes and leg carriers."""
    places = {place.code: place for place in session.scalars(select(Place))}
    added = 0
    for code, zh, en, kind, railway_code in PLACES:
        if code not in places:
            places[code] = Place(
                code=code, name_zh=zh, name_en=en, kind=kind, railway_code=railway_code
            )
            session.add(places[code])
            added += 1
    crossings = {crossing.code: crossing for crossing in session.scalars(select(BorderCrossing))}
    for code, exit_code, entry_code, gauge_change in BORDER_CROSSINGS:
        if code not in crossings:
            crossings[code] = BorderCrossing(
                code=code,
                exit_place=places[exit_code],
                entry_place=places[entry_code],
                gauge_change=gauge_change,
            )
            session.add(crossings[code])
    for route in session.scalars(routes_query()):
        if not route.destinations:
            route.destinations = [places[code] for code in DESTINATIONS.get(route.code, ())]
        if not route.border_crossings:
            route.border_crossings = [
                crossings[code] for code in ROUTE_CROSSINGS.get(route.code, ())
            ]
        if not route.refused_dg_classes and route.code in DESTINATIONS:
            route.refused_dg_classes = list(REFUSED_DG_CLASSES)
        for seq, carriers in CARRIERS.get(route.code, {}).items():
            leg = next((leg for leg in route.legs if leg.seq == seq), None)
            if leg is not None and not leg.carriers:
                leg.carriers = [
                    LegCarrier(
                        seq=n, name_zh=zh, name_en=en, section_zh=section_zh,
                        section_en=section_en,
                    )
                    for n, (zh, en, section_zh, section_en) in enumerate(carriers, start=1)
                ]  # fmt: skip
    session.flush()
    _seed_distances(session)
    return added


def _seed_distances(session: Session) -> None:
    """Give the seeded stations, legs and destinations that have no distance theirs."""
    for station in session.scalars(select(Station).where(Station.feeder_km.is_(None))):
        station.feeder_km = FEEDER_KM.get(station.code)
    for route in session.scalars(routes_query()):
        for leg in route.legs:
            if leg.distance_km is None:
                leg.distance_km = LEG_KM.get(route.code, {}).get(leg.seq)
        for place_code, (km, hours) in DESTINATION_LEGS.get(route.code, {}).items():
            place = next((p for p in route.destinations if p.code == place_code), None)
            if place is None:
                continue
            session.execute(
                route_destinations.update()
                .where(
                    route_destinations.c.route_id == route.id,
                    route_destinations.c.place_id == place.id,
                    route_destinations.c.distance_km.is_(None),
                )
                .values(distance_km=km, transit_hours=hours)
            )
    session.flush()
