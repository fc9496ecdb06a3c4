"""The API's own words in the user's language, for the reference page (``web/docs``).

The OpenAPI document stays in English: other programs read it, and it is built once. The
page shows each summary, parameter and answer through the catalogs; these are the msgids,
the text of the API's docstrings and descriptions as they are. A new or changed text without
its entry here fails ``tests/web/test_api_reference_page.py``.
"""

from flask_babel import lazy_gettext as _l

TEXTS = (
    _l("Book containers on a departure"),
    _l(
        "Retries with the same key and body return the first response and create nothing new;"
        " the same key with another body is refused (422). Keys expire."
    ),
    _l("Not enough capacity, or past the cut-off"),
    _l("Created"),
    _l("Bookings in your scope, by default newest first"),
    _l(
        "Go on after the page that gave this cursor (X-Pagination next_cursor; the Link rel=next"
        " header carries it with the same filters): a deep page costs what the first does, and"
        " page counts from 1 again. Send it with the q, filters and sort of that page; a cursor"
        " of another order, or garbled, is a 422. X-Pagination total counts at most 10,000 rows"
        " (total_capped: true when there are more); with q, a page looks through at most 2,000"
        " rows of the list, so it may hold fewer than page_size and still have a next_cursor,"
        " and total is what was found up to its end."
    ),
    _l("OK"),
    _l("One booking; its ETag is its version, for conditional requests"),
    _l("Not modified: the If-None-Match sent is current"),
    _l(
        "Amend destination, parties, cargo, container lines, customs data or transport terms"
        "\nbefore the cut-off (send the version read, in the body or as If-Match). A body with only"
        "\n`customs` and/or `sea_leg` changes them alone: until the departure leaves, by the"
        " shipper\nor an operator"
    ),
    _l("Stale version, past the cut-off (customs: the departure has left), or not enough capacity"),
    _l("Cancel before the cut-off"),
    _l("Stale version, past the cut-off, or not cancellable"),
    _l("Confirm a load with its containers (clerk of the origin station)"),
    _l("Not RECEIVED any more, or changed meanwhile"),
    _l("Save a partly checked load: its container rows as typed (clerk of the origin station)"),
    _l("Not RECEIVED any more"),
    _l("The saved partly checked load (clerk of the origin station)"),
    _l("No draft saved, or not your station's booking"),
    # the fields the load check added (DESIGN §10), as the OpenAPI document describes them
    _l("Method 2: packing and securing material, stored"),
    _l("Method 2: packing and securing material"),
    _l("SOC (shipper-owned) or COC (carrier-owned, the default)"),
    _l("SOC (shipper-owned) or COC (carrier-owned)"),
    _l("The person who signs the VGM for the shipper"),
    _l("When the container (method 1) or its contents were weighed"),
    _l(
        "When Σ (VGM − tare) differs from the declared gross by more than the tolerance: make"
        " the weighed mass the booking's gross"
    ),
    _l(
        "The person who signed the VGM for the shipper; null: not recorded (confirmed before it"
        " was asked)"
    ),
    _l(
        "Row i is the booking's i-th container as the check page lists them; values as typed,"
        " checked only on confirmation"
    ),
    _l("The booking's timeline, by default oldest first"),
    _l("Reject a load with a reason the shipper sees (clerk of the origin station)"),
    _l("Roll a booking to another departure of the same route"),
    _l("Not enough capacity on the target, or changed meanwhile"),
    _l("The booking's current waybill, marked COPY"),
    _l("Print the originals of the current waybill revision, once (3 for a negotiable document)"),
    _l("No waybill (not confirmed yet)"),
    _l(
        "This revision's originals were printed already (when and by whom), or the booking is"
        " no longer confirmed"
    ),
    _l("The departure manifest: every container of its held bookings, with totals"),
    _l("The departure manifest as CSV"),
    _l("No such departure"),
    _l("PDF, A4 landscape: every container, totals per size-type, TEU and mass"),
    _l("CSV (UTF-8): a row per container or not loaded booking, then the totals"),
    _l("No waybill (not confirmed yet), or not yours"),
    _l("PDF, one A4 page per waybill"),
    _l("Departures, by default soonest first and from today on"),
    _l("Route code: EAST, XAEU or WHSEA"),
    _l("Departing from (default: today)"),
    _l("Departing up to (a date: that whole day)"),
    _l("Plan a departure"),
    _l("One departure"),
    _l("Replan a departure: times, service number, capacity (not below what is held)"),
    _l("Changed meanwhile, or capacity below what is held"),
    _l("Record the arrival: its departed bookings arrive"),
    _l("Not departed"),
    _l("Cancel a departure with no live booking left on it"),
    _l("Live bookings are still on it (listed in bookings)"),
    _l("Record the departure: its confirmed bookings depart"),
    _l("Bookings still wait for their load check or customs release"),
    _l(
        "Record that customs released a booking for export (operator); the same release again"
        "\nchanges nothing"
    ),
    _l("The route needs no release, the departure has left, or released otherwise already"),
    _l("Record the customs' release list of a departure, all lines or none (operator)"),
    _l("The route needs no release, or the departure has left"),
    _l("Lines that cannot be recorded (errors by line): nothing was recorded"),
    _l("The departure's print job: its manifest, then every current waybill marked COPY"),
    _l("No such departure, or no waybill on it yet"),
    _l("The shipped volume of a month: totals, by route, by station, shippers, trend"),
    _l("YYYY-MM (Beijing time)"),
    _l("The report"),
    _l("A company's bookings shipped in a month, with their charges and the totals"),
    _l("The company's unified social credit code: required for operators; a shipper's own or none"),
    _l("The statement: JSON, CSV (UTF-8, a row per charge line, then the totals) or PDF (A4)"),
    _l("No such company, or not yours"),
    _l(
        "The routes with their legs and carriers, destinations, border crossings and the"
        "\ndangerous-goods classes each refuses"
    ),
    _l("Railway stations, ports and border stations, by UN/LOCODE; by default by kind"),
    _l("The border crossings a departure may name"),
    _l("Add a place: a railway station, port or border station, by its UN/LOCODE"),
    _l("Edit a place (not its code); send the version read, in the body or as If-Match"),
    _l("Add a border crossing between two border stations"),
    _l("Edit a border crossing; send the version read, in the body or as If-Match"),
    _l("Add a county sub-station"),
    _l("Edit a station: names, hours to the hub, in use; send the version read"),
    _l(
        "Add a route, whole: legs with their carriers, destinations, border crossings and the"
        "\ndangerous-goods classes it refuses"
    ),
    _l(
        "Edit a route; each list given replaces the one it had. Legs match by position: more"
        "\nadd legs, fewer remove the last. Send the version read, in the body or as If-Match"
    ),
    _l("The code is taken already"),
    _l("Changed meanwhile: the version sent is not the current one"),
    _l("The hub and the county sub-stations; by default the hub first"),
    _l("Sign in and get a bearer token"),
    _l("Wrong email or password"),
    _l("Too many attempts: wait"),
    _l("Your company's endpoints, by default oldest first"),
    _l("Register an HTTPS endpoint; its signing secret is in this answer only"),
    _l("The company has as many endpoints as it may"),
    _l("One endpoint"),
    _l("Remove an endpoint with its delivery log"),
    _l("No Content"),
    _l("The endpoint's delivery log, by default newest first"),
    _l("Queue a ping event to the endpoint"),
    _l("Accepted"),
    _l("One departure with its legs; its ETag is its version, for conditional requests"),
    _l(
        "Plan one leg of a departure: carrier, service number, planned times (null: the"
        "\nroute's default); send the departure's version read, in the body or as If-Match"
    ),
    _l("Changed meanwhile, or the departure has left"),
    _l(
        "Record that a leg left or arrived (ACT) or is expected to (EST); the first leg's"
        "\nactual DEPA departs the departure, the last leg's actual ARRI arrives it"
    ),
    _l("Already recorded, or the departure is not underway"),
    _l("The departure's transport events in the order recorded"),
    _l(
        "Record a container's gate-in, load, discharge or gate-out with its seal check (a"
        "\nclerk at their own station, or an operator)"
    ),
    _l("Not a container number's form"),
    _l("Leg by leg where the booking is, its ETA, and its departure's and containers' events"),
    _l(
        "Replan a departure: times, service number, capacity (not below what is held); send"
        "\nthe version read, in the body or as If-Match"
    ),
    _l(
        'The ETag read, e.g. W/"3" (or send "version" in the body): a change of a later version'
        " is refused with 409"
    ),
    _l("Attach a PDF, JPEG or PNG to a booking (multipart: kind, file)"),
    _l("The file is larger than 10 MiB"),
    _l("The documents of a booking, oldest first"),
    _l("The file of one document"),
    _l("The file, as an attachment, of the type its content was recognised as"),
    _l("Remove a document, until the booking's departure leaves"),
    _l("The departure has left"),
    _l(
        "Give the departure's containers their wagon and railway waybill numbers from the"
        "\nrailway's loading list (CSV as the body, or multipart: file); all lines or none"
    ),
    _l("The departure was cancelled"),
    _l("Bad lines (errors by line: line 4), or an empty file; nothing was saved"),
    # What each list's search looks in (``schemas/search.Search``), inside SEARCH below.
    _l("the URL or description"),
    _l("the code or name (Chinese or English)"),
    _l("the event type or booking reference"),
    _l("the reference, consignee name, company name, a container number or a waybill number"),
    _l("the service number, or the route's code or name (Chinese or English)"),
    # quotes (DESIGN §13)
    _l("Price a shipment on a departure from a station at today's tariffs (writes nothing)"),
    _l(
        "The departure has left, was cancelled or is past the station's cut-off, or no tariff"
        " prices the shipment today"
    ),
    # tariffs
    _l("Tariffs, past, current and future; by default the latest validity first"),
    _l("One tariff; its ETag is its version, for conditional requests"),
    _l(
        "Add a tariff (administrators and operators). With replaces: a new price of that"
        "\ntariff from valid_from, which closes it the day before, both or neither. A validity"
        "\nthat overlaps a tariff of the same route, leg and group (or a through rate and a leg's)"
        "\nis refused with 422, as is a currency other than the route's on those days"
    ),
    _l(
        "Change a tariff not yet in force; of one in force only the end (today at the"
        "\nearliest) and the note. Send the version read, in the body or as If-Match"
    ),
    _l("Changed meanwhile, or in force: only its end (valid_to) may change"),
    _l("The tariff named by replaces does not exist"),
    _l("The tariff named by replaces was changed meanwhile"),
    _l("20, 40, 45, REEFER, TANK"),
    _l("A leg's position; 0: through rates only"),
    _l("Only the tariffs valid on this day (YYYY-MM-DD)"),
    _l("the route code or the note"),
    # the corridor comparison (GET /corridors)
    _l(
        "Per route, the first departure that takes the shipment from the station in the next 60"
        "\ndays, with its transit days to the destination, price and CO2e, ranked by `sort`"
    ),
    _l("Code of the station the containers leave from"),
    _l("ISO 6346 size-type"),
    _l("The earliest day of departure, Beijing time (default: today)"),
    _l("UN/LOCODE of the destination or port of discharge (optional)"),
    _l("Cargo mass (default: 10 t per TEU, for the CO2e)"),
    _l("Rank by time, price or co2e"),
    # weekly schedules (POST /departures/series)
    _l(
        "Plan a weekly schedule: a departure on the weekday of each week of the range, except"
        "\nwhere the route already has one at that time (listed as skipped); all or none"
    ),
    # the year's report and the annual targets (DESIGN §14)
    _l(
        "The year so far: TEU against the target and against the same days of last year (like"
        "\nfor like, the days named), a projection, by month, by station against its target, by"
        "\nroute; a percentage against nothing is null"
    ),
    _l("The calendar year, Beijing time (default: this year)"),
    _l("The year's report"),
    _l("A year's targets: the zone's and the stations' that have one"),
    _l(
        "Set a year's targets (administrators): the zone's and each station's; a station not"
        "\nlisted has none. The stations' may add up to less than the zone's, never more (422)"
    ),
    _l("The year's targets were changed since the version sent"),
    # the monthly rail plan (GET /plans/monthly)
    _l(
        "Per route and week of a month: departures, TEU booked, TEU expected from the trend of"
        "\nthe 12 weeks before, TEU to order and the flat wagons it needs"
    ),
    _l("YYYY-MM (Beijing time; default: next month)"),
    _l(
        "The plan: JSON, CSV (UTF-8, a row per route and week, then the totals) or PDF (A4"
        " landscape)"
    ),
    # password reset
    _l("Mail a password reset link (the same answer for an unknown address)"),
    _l("Set a new password with the link's token; every session and token of the user ends"),
    _l("No such link"),
    _l("The link is used or expired, or the password breaks a rule"),
    _l("Too many requests: wait"),
    # booking again: copy, templates, the address book (DESIGN §15)
    _l("A template of this name exists, or the company has as many as it may"),
    _l("Add a consignee or notify party (checked as a booking's party is)"),
    _l(
        "Book again: a new booking on another departure with the same origin, destination,"
        "\nparties, cargo and container lines as one of yours (not its containers, seals, customs"
        "\ndata, sea continuation, documents or status), placed as POST /bookings places one"
    ),
    _l(
        "Change an entry's name and/or address (send the version read, in the body or as"
        "\nIf-Match); bookings made with it keep their parties"
    ),
    _l("One entry of the address book"),
    _l("One template; its booking, with a departure_id added, is a body for POST /bookings"),
    _l("Remove a template"),
    _l("Remove an entry; bookings made with it keep their parties"),
    _l(
        "Rename a template and/or replace its booking (send the version read, in the body or"
        "\nas If-Match)"
    ),
    _l(
        "Save a booking as a named template: the booking given, or one of yours as a copy"
        "\nwould take it (from_booking)"
    ),
    _l("Stale version (If-Match)"),
    _l("Stale version, or a template of this name exists"),
    _l("Stale version, or this name and address exist"),
    _l("This name and address are in the book, or it is full"),
    _l("Your company's booking templates, by default by name"),
    _l("Your company's consignees and notify parties, by default by name"),
    _l("from_booking names no booking of yours"),
    _l("the name"),
    _l("the name or address"),
    # bulk booking upload (DESIGN §15)
    _l(
        "Check (dry_run=true, the default) or book (dry_run=false) a file of bookings; a real"
        "\nrun books every row or, when any row is refused, none (answered per row either way)"
    ),
    _l("The file is larger than 8 MiB"),
    _l(
        "A file that cannot be read: not XLSX or CSV, macros, empty, headings that are not the"
        " template's, too many rows (errors under file); nothing was written"
    ),
    _l("The upload template (XLSX), with an example row"),
    _l(
        "The template: a header row in both languages and an example row on a departure that"
        " can be booked now"
    ),
    _l("The upload template (CSV), with an example row"),
    _l("The template as CSV (UTF-8 with BOM)"),
)

# The sort parameter's description is built from its keys (``schemas/sorting.Sort``): the
# page translates the sentence around them.
SORT = _l(
    "Comma-separated keys, each at most once, a leading - for descending: %(keys)s."
    " Default: %(default)s. Rows that tie keep one fixed order, so pages neither repeat nor"
    " skip a row."
)
# The q parameter's description names the columns searched: the page translates both.
SEARCH = _l(
    "Only rows where %(searched)s contains this text (case-insensitive; %% and _ are matched as"
    " themselves). Paging and X-Pagination apply to the rows found."
)
SET_UP_ORDER = _l("the order they were set up in")
PLACES = {"query": _l("query"), "path": _l("path"), "header": _l("header")}
