"""The domain model, one module per aggregate; importing this package registers every table."""

from dryport.models.address_book import AddressBookEntry, BookingTemplate
from dryport.models.audit import AuditEntry
from dryport.models.booking import (
    HOLDING_STATUSES,
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    EventType,
    PaymentTerm,
)
from dryport.models.company import Company
from dryport.models.container import (
    Container,
    ContainerOwner,
    LoadDraft,
    SealedBy,
    VgmMethod,
)
from dryport.models.counter import Counter
from dryport.models.departure import (
    Departure,
    DepartureLeg,
    DepartureQuota,
    DepartureStatus,
    ShippedVolume,
    ShippedVolumeByCompany,
)
from dryport.models.document import BookingDocument, DocumentKind
from dryport.models.idempotency import IdempotencyKey
from dryport.models.mail import DigestSent, MailChoice, MailDelivery, PasswordReset
from dryport.models.place import Place, PlaceKind
from dryport.models.route import (
    BorderCrossing,
    DocumentType,
    Leg,
    LegCarrier,
    Route,
    TransportMode,
)
from dryport.models.station import Station, StationKind
from dryport.models.target import AnnualTarget
from dryport.models.tariff import SIZE_GROUPS, Tariff
from dryport.models.tracking import (
    EquipmentEvent,
    EquipmentEventType,
    EventClassifier,
    TransportEvent,
    TransportEventType,
)
from dryport.models.user import ApiToken, Role, User
from dryport.models.waybill import Waybill
from dryport.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AddressBookEntry",
    "HOLDING_STATUSES",
    "SIZE_GROUPS",
    "AnnualTarget",
    "ApiToken",
    "AuditEntry",
    "Booking",
    "BorderCrossing",
    "BookingDocument",
    "BookingEvent",
    "BookingLine",
    "BookingStatus",
    "BookingTemplate",
    "Company",
    "Container",
    "ContainerOwner",
    "Counter",
    "DeliveryStatus",
    "DigestSent",
    "Departure",
    "DepartureLeg",
    "DepartureQuota",
    "DepartureStatus",
    "DocumentKind",
    "DocumentType",
    "EquipmentEvent",
    "EquipmentEventType",
    "EventClassifier",
    "EventType",
    "IdempotencyKey",
    "Leg",
    "LoadDraft",
    "MailChoice",
    "MailDelivery",
    "PasswordReset",
    "LegCarrier",
    "PaymentTerm",
    "Place",
    "PlaceKind",
    "Role",
    "SealedBy",
    "Route",
    "ShippedVolume",
    "ShippedVolumeByCompany",
    "Station",
    "StationKind",
    "Tariff",
    "TransportEvent",
    "TransportEventType",
    "TransportMode",
    "User",
    "VgmMethod",
    "Waybill",
    "WebhookDelivery",
    "WebhookEndpoint",
]
