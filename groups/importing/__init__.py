"""Importing meetings from the formats the field uses (REFERENCE §1–2).

One module per format reads bytes into common Rows (groups.importing.rows), with no database;
groups.importing.save turns Rows into meetings, places, groups and regions, in one transaction.
"""

from groups.importing import bmlt, meeting_guide, table

PARSERS = {
    "meeting-guide": meeting_guide.parse,
    "csv": table.parse_csv,
    "xlsx": table.parse_xlsx,
    "bmlt": bmlt.parse,
}


def parse(format: str, content: bytes) -> meeting_guide.Parsed:
    """Rows and rejected rows; ValueError when the content is not of that format at all."""
    return PARSERS[format](content)
