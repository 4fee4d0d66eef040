"""Knowledge: the single source of what customers are told, on every channel.

Read `base.KnowledgeBase.ask` first: one query interface returning typed facts with
their sources. Imports (`importer`), persistence (`repository`), the answer audit
(`audit`) and shop connectors (`connectors`) feed or check it.
"""

from omnicenter.knowledge.asker import ANONYMOUS, Asker
from omnicenter.knowledge.audit import (
    AnswerRecorder,
    Inconsistency,
    InMemoryAnswerLog,
    ToldFact,
    find_inconsistencies,
    told,
)
from omnicenter.knowledge.base import KnowledgeBase, KnowledgeQuery
from omnicenter.knowledge.facts import (
    AppliedDiscount,
    Fact,
    FaqFact,
    FaqQuery,
    HoursFact,
    HoursQuery,
    NotFound,
    OrderFact,
    OrderQuery,
    PolicyFact,
    PolicyQuery,
    PriceFact,
    PriceQuery,
    ProductFact,
    ProductQuery,
    Query,
    Source,
    StockFact,
    StockQuery,
    VerifyContact,
)
from omnicenter.knowledge.importer import (
    ImportReport,
    RawRow,
    RejectedRow,
    plan_import,
    read_csv,
    read_file,
    read_json,
)
from omnicenter.knowledge.money import format_money, parse_money
from omnicenter.knowledge.records import OrderStatus, PolicyKind
from omnicenter.knowledge.repository import (
    FileKnowledgeRepository,
    InMemoryKnowledgeRepository,
    KnowledgeChange,
    KnowledgeConflict,
    KnowledgeRepository,
    KnowledgeVersion,
    VersionedKnowledgeRepository,
)
from omnicenter.knowledge.service import KnowledgeService, NotVersioned
from omnicenter.knowledge.snapshot import KnowledgeSnapshot, SnapshotError, changed_records
from omnicenter.knowledge.watch import watch_versions

__all__ = [
    "ANONYMOUS",
    "AnswerRecorder",
    "AppliedDiscount",
    "Asker",
    "Fact",
    "FaqFact",
    "FaqQuery",
    "FileKnowledgeRepository",
    "HoursFact",
    "HoursQuery",
    "ImportReport",
    "InMemoryAnswerLog",
    "InMemoryKnowledgeRepository",
    "Inconsistency",
    "KnowledgeBase",
    "KnowledgeChange",
    "KnowledgeConflict",
    "KnowledgeQuery",
    "KnowledgeRepository",
    "KnowledgeService",
    "KnowledgeSnapshot",
    "KnowledgeVersion",
    "NotFound",
    "NotVersioned",
    "OrderFact",
    "OrderQuery",
    "OrderStatus",
    "PolicyFact",
    "PolicyKind",
    "PolicyQuery",
    "PriceFact",
    "PriceQuery",
    "ProductFact",
    "ProductQuery",
    "Query",
    "RawRow",
    "RejectedRow",
    "SnapshotError",
    "Source",
    "StockFact",
    "StockQuery",
    "ToldFact",
    "VerifyContact",
    "VersionedKnowledgeRepository",
    "changed_records",
    "find_inconsistencies",
    "format_money",
    "parse_money",
    "plan_import",
    "read_csv",
    "read_file",
    "read_json",
    "told",
    "watch_versions",
]
