"""The words a meeting is found by (?q=): its name, its group's name, its venue's name and town,
and its notes, in one column with a trigram index, so that a text search reads one index.

Pure Python (no Django), so that fixtures/build_demo.py can use it too.
"""


def search_text(name: str, group: str, venue: str, city: str, notes: str) -> str:
    return "\n".join(part for part in (name, group, venue, city, notes) if part)
