"""Load accords source files (YAML or JSON) into the database.

The work is done in two steps:

1. Checking (``plan_documents``, in ``plan``): a whole file is read
   (``read``, within the ``limits``), checked against the JSON Schema
   (``schema``) and its source text (``check``) and against what the
   database already holds (``known``), without touching the database. Every
   problem is collected; if there is any, ``ValidationError`` lists them all,
   one line each: ``FILE: PATH: what is wrong``. ``checking`` (in
   ``background``) checks a run's files in order, in a second process for
   large loads.
2. Writing (``write``): a checked plan is written on a connection, inside the
   caller's transaction. ``api.ingest`` writes each file as soon as it is
   checked and commits only once every file has passed (all or nothing).
"""

from .background import Checked, CheckFile, checking
from .check import Span
from .deferred import foreign_keys_at_end
from .known import Known, load_known
from .limits import (
    MAX_ALIAS_GROWTH,
    MAX_DEPTH,
    MAX_EVIDENCE_CHARS,
    MAX_FILE_BYTES,
    MAX_INT_DIGITS,
    MAX_STRING_BYTES,
    MAX_TEXT_BYTES,
)
from .mentions import after_writes as refresh_mentions
from .mentions import backfill as backfill_mentions
from .mentions import forms as mention_forms
from .mentions import span_problems as mention_span_problems
from .plan import Plan, Row, plan_documents, plan_file
from .read import read_documents, seed_path
from .schema import schema_json
from .write import (
    WRITTEN_TABLES,
    LoadResult,
    Progress,
    RemoveResult,
    Writer,
    remove_source,
    write,
    write_plan,
    write_plans,
)

__all__ = [
    "MAX_ALIAS_GROWTH", "MAX_DEPTH", "MAX_EVIDENCE_CHARS", "MAX_FILE_BYTES", "MAX_INT_DIGITS", "MAX_STRING_BYTES",
    "MAX_TEXT_BYTES", "WRITTEN_TABLES", "CheckFile", "Checked", "Known", "foreign_keys_at_end", "LoadResult", "Plan", "Progress", "RemoveResult", "Row",
    "Span", "Writer", "checking", "load_known", "plan_documents", "plan_file", "read_documents",
    "backfill_mentions", "mention_forms", "mention_span_problems", "refresh_mentions",
    "remove_source", "schema_json", "seed_path", "write", "write_plan", "write_plans",
]
